"""Sending an answer while Telegram fails for a while: retried with backoff until delivered or
older than BOT_DELIVERY_MINUTES; what is given up is logged and counted."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, TypeVar

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.request import HTTPXRequest, RequestData

from bot.telegram.faults import worth_a_line

log = logging.getLogger(__name__)
T = TypeVar("T")
FIRST_WAIT, MAX_WAIT = 1.0, 30.0  # seconds between attempts: 1, 2, 4 … then every 30
STOP_CHECK = 0.5  # seconds: how often a waiting retry looks whether the bot is stopping
BOT_POOL_SIZE = 256  # PTB's default for the bot's (not getUpdates') connections
# httpx errors of a connection closed under the request: an idle keep-alive connection the
# server or a proxy dropped just as it was reused (the soak benchmark hit it: ~1 in 10,000).
CLOSED_UNDER_US = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


class Sent(Enum):
    DELIVERED = "delivered"
    GAVE_UP = "gave_up"  # too old: logged, counted, not retried again
    POSTPONED = "postponed"  # the bot is stopping: left for the next start (the inbox)


@dataclass
class Delivered(Generic[T]):
    """What a send ended with; `value` is the API's result when delivered."""

    outcome: Sent
    value: T | None = None


@dataclass
class DeliveryStats:
    """Since start-up: answers delivered only after a retry, and answers given up."""

    retried: int = 0
    given_up: int = 0
    failures: dict[str, int] = field(default_factory=dict)  # failed sends by error type

    def failed(self, error: BaseException) -> int:
        """Count one failed send of this kind; returns how many of the kind so far."""
        kind = type(error).__name__
        self.failures[kind] = self.failures.get(kind, 0) + 1
        return self.failures[kind]


def retry_wait(error: Exception, backoff: float) -> float | None:
    """Seconds to wait before the next attempt, or None when retrying cannot help."""
    if isinstance(error, RetryAfter):
        with warnings.catch_warnings():  # PTB 22 warns about int retry_after; both are read
            warnings.simplefilter("ignore")
            after = error.retry_after
        seconds = after.total_seconds() if isinstance(after, dt.timedelta) else float(after)
        return max(seconds, backoff)
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        return backoff  # 5xx, timeouts, dropped connections
    return None  # a refusal (bad request, blocked by the user): the same again would fail


async def pause(seconds: float, stopping: Callable[[], bool]) -> bool:
    """Sleep `seconds` unless the bot starts stopping; True when it slept the whole time."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        if stopping():
            return False
        await asyncio.sleep(min(STOP_CHECK, left))
    return not stopping()


async def deliver(
    send: Callable[[], Awaitable[T]],
    deadline: float,
    stopping: Callable[[], bool],
    stats: DeliveryStats,
    what: str,
) -> Delivered[T]:
    """`send()` until it works, `deadline` (epoch seconds) passes or the bot stops.

    Errors retrying cannot fix are raised, as before.
    """
    backoff, attempts = FIRST_WAIT, 0
    while True:
        attempts += 1
        try:
            value = await send()
        except (NetworkError, RetryAfter) as error:
            wait = retry_wait(error, backoff)
            if wait is None:
                raise
            if time.time() + wait > deadline:
                _give_up(stats, what, attempts, error)
                return Delivered(Sent.GAVE_UP)
            _note_failure(stats, what, wait, error)
            if not await pause(wait, stopping):
                log.warning("Bot đang dừng: %s để lần khởi động sau", what)
                return Delivered(Sent.POSTPONED)
            backoff = min(backoff * 2, MAX_WAIT)
            continue
        stats.retried += attempts > 1
        return Delivered(Sent.DELIVERED, value)


def _give_up(stats: DeliveryStats, what: str, attempts: int, error: Exception) -> None:
    stats.given_up += 1
    log.error(
        "Bỏ %s sau %d lần thử (quá hạn gửi): %r — đã bỏ %d từ khi khởi động",
        what,
        attempts,
        error,
        stats.given_up,
    )


def _note_failure(stats: DeliveryStats, what: str, wait: float, error: Exception) -> None:
    """One outage fails many sends: the first few of a kind a line each, then every 100th."""
    count = stats.failed(error)
    if worth_a_line(count):
        log.warning(
            "Gửi %s thất bại (%r), thử lại sau %.0f giây — lỗi loại này lần thứ %d",
            what,
            error,
            wait,
            count,
        )


class ReconnectingRequest(HTTPXRequest):
    """PTB's request for every method but getUpdates, sent once more at once (on a new
    connection) when the connection was closed under it."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        try:
            return await super().do_request(url, method, request_data, *args, **kwargs)
        except NetworkError as error:
            if not isinstance(error.__cause__, CLOSED_UNDER_US):
                raise
            log.debug("Kết nối tới Telegram bị đóng giữa chừng (%r): gửi lại", error)
            return await super().do_request(url, method, request_data, *args, **kwargs)
