"""Start-up before Telegram is reachable: getMe retried with capped exponential backoff.

PTB's own `bootstrap_retries` loop logs its failures only at DEBUG, without the address, waits
at most 30 s and retries a timeout at once; a service needs one clear line per failed attempt.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import socket
from urllib.parse import urlsplit

from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.telegram.redaction import scrub

log = logging.getLogger(__name__)
FIRST_DELAY, MAX_DELAY = 1.0, 60.0
TELEGRAM_API = "https://api.telegram.org/bot"  # PTB's default base_url
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
BIND_REASONS = {
    errno.EADDRINUSE: "cổng đang được một chương trình khác dùng",
    errno.EACCES: "không có quyền mở cổng này (cổng dưới 1024 cần quyền quản trị)",
    errno.EADDRNOTAVAIL: "máy này không có địa chỉ đó",
}


def bind_problem(listen: str, port: int, exc: OSError) -> str:
    """The line for a webhook address the bot cannot listen on."""
    reason = BIND_REASONS.get(exc.errno or 0) or exc.strerror or str(exc)
    return (
        f"Không mở được cổng webhook {listen}:{port}: {reason}. "
        "Đổi WEBHOOK_PORT/WEBHOOK_LISTEN hoặc dừng chương trình đang dùng cổng"
    )


def check_listen(listen: str, port: int) -> None:
    """OSError now if the webhook cannot listen there: before getMe and setWebhook, not after.

    SO_REUSEADDR as tornado sets it, so a socket of a just-stopped bot (TIME_WAIT) is no error.
    """
    family, kind, proto, _, address = socket.getaddrinfo(
        listen, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)


def api_address(base_url: str | None) -> str:
    """The Bot API address for logs: scheme, host, port and path, never credentials or token."""
    parts = urlsplit(base_url or TELEGRAM_API)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    # PTB fills a "{token}" placeholder (or appends the token): show neither.
    return f"{parts.scheme}://{host}{port}{parts.path.replace('{token}', '')}"


def next_delay(delay: float) -> float:
    """Exponential backoff: 1, 2, 4 … seconds, capped at MAX_DELAY."""
    return min(delay * 2, MAX_DELAY)


def reason(exc: TelegramError, token: str) -> str:
    """The failure in a few words; the token is cut out here too (not only by the formatter)."""
    text = f"{type(exc).__name__}: {exc.message}"
    return scrub(text, [token])


async def _stopped_during(awaitable: asyncio.Future[None], stop: asyncio.Event) -> bool:
    """Await `awaitable` unless `stop` is set first (then cancel it); True when stopped."""
    stopper = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait((awaitable, stopper), return_when=asyncio.FIRST_COMPLETED)
    for task in (awaitable, stopper):
        task.cancel()
    if awaitable in done and not awaitable.cancelled():
        awaitable.result()  # raises the attempt's error, if any
    return stopper in done


async def _initialize_until_stopped(app: Application, address: str, stop: asyncio.Event) -> bool:
    """app.initialize() (getMe) until it works (True) or a stop signal comes (False).

    InvalidToken and other refusals propagate: waiting would not change Telegram's answer.
    A RetryAfter here comes after AIORateLimiter already waited it out three times.
    """
    delay = FIRST_DELAY
    while True:
        try:
            return not await _stopped_during(asyncio.ensure_future(app.initialize()), stop)
        except (NetworkError, RetryAfter) as exc:  # TimedOut is a NetworkError
            log.warning(
                "Chưa kết nối được Telegram tại %s (%s); thử lại sau %g giây",
                address,
                reason(exc, app.bot.token),
                delay,
            )
        if await _stopped_during(asyncio.ensure_future(asyncio.sleep(delay)), stop):
            return False
        delay = next_delay(delay)


async def wait_for_telegram(app: Application, address: str) -> bool:
    """Initialize the application, retrying while Telegram is unreachable; False if stopped.

    SIGINT/SIGTERM end the wait at once; run_polling/run_webhook later install their own
    handlers for the same signals (add_signal_handler replaces ours), so none is missed.
    """
    stop, loop = asyncio.Event(), asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    connected = False
    try:
        connected = await _initialize_until_stopped(app, address, stop)
    finally:
        if not connected:  # stopped or refused: close the HTTP pools the attempts opened
            await app.bot.shutdown()
    if not connected:
        log.info("Đã dừng theo tín hiệu trước khi kết nối được Telegram")
    return connected
