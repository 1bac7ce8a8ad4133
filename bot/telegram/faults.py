"""What a server can send that breaks things: malformed updates and errors inside handlers.

Each is logged with its update id, repeats of one failure without a flood of tracebacks, and
the citizen gets a polite apology where there is a chat to answer.
"""

from __future__ import annotations

import json
import logging
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes
from telegram.request import HTTPXRequest, RequestData

from bot.telegram import texts

log = logging.getLogger(__name__)
BOT_ROOT = Path(__file__).resolve().parents[1]  # the `bot` package: "place" means our code
MALFORMED = "egov_malformed_update"  # key of the placeholder that replaces a broken update
LINES_IN_FULL = 5  # repeats 2..5 of one failure get a line each, then every REPEAT_EVERY-th
REPEAT_EVERY = 100
JSON = dict[str, Any]


class MalformedUpdate(Exception):
    """An update Telegram sent that python-telegram-bot could not read (or that has no chat)."""

    def __init__(self, problem: str, chat_id: int | None) -> None:
        super().__init__(problem)
        self.chat_id = chat_id


# ---------------------------------------------------------------- reading getUpdates


def update_problem(entry: JSON) -> str | None:
    """Why PTB cannot use this update dict, or None when it can."""
    try:
        update = Update.de_json(entry, None)
    except Exception as exc:  # any shape error inside PTB's parsing (KeyError, TypeError…)
        return f"{type(exc).__name__}: {exc}"
    message = update.effective_message
    if message is not None and message.chat is None:  # PTB's chat filters would crash on it
        return "tin nhắn không có chat"
    return None


def chat_id_of(entry: JSON) -> int | None:
    """The chat a broken update came from, if its raw JSON still names one."""
    for body in entry.values():
        if not isinstance(body, dict):
            continue
        message = body.get("message") if isinstance(body.get("message"), dict) else body
        chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
    return None


def checked_update(entry: object) -> object | None:
    """The entry itself, a placeholder carrying the problem, or None without an update_id."""
    if not isinstance(entry, dict) or not isinstance(entry.get("update_id"), int):
        log.error("Bỏ qua một update không có update_id: %.200r", entry)
        return None
    problem = update_problem(entry)
    if problem is None:
        return entry
    # The placeholder keeps the update id, so the poll's offset confirms it and moves on.
    info = {"problem": problem, "chat_id": chat_id_of(entry)}
    return {"update_id": entry["update_id"], MALFORMED: info}


def sanitize_updates(payload: bytes) -> bytes:
    """getUpdates' answer with every unreadable update replaced by a readable placeholder.

    Without this one bad update fails the whole batch in Bot.get_updates; PTB logs it and
    polls the same batch again, forever, and nobody gets an answer.
    """
    try:
        data = json.loads(payload)
    except ValueError:
        return payload  # PTB reports an invalid answer itself
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(result, list):
        return payload
    checked = [checked_update(entry) for entry in result]
    if all(new is old for new, old in zip(checked, result)):
        return payload
    data["result"] = [entry for entry in checked if entry is not None]
    return json.dumps(data).encode()


class UpdatesRequest(HTTPXRequest):
    """The getUpdates connection (PTB's default settings) with unreadable updates neutralised."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        status, payload = await super().do_request(url, method, request_data, *args, **kwargs)
        return status, (sanitize_updates(payload) if status == 200 else payload)


async def on_any_update(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """First handler group: a placeholder becomes MalformedUpdate, logged by on_error."""
    if isinstance(update, Update) and (info := update.api_kwargs.get(MALFORMED)):
        raise MalformedUpdate(str(info.get("problem")), info.get("chat_id"))


# ---------------------------------------------------------------- logging without floods


def failure_key(error: BaseException) -> tuple[str, str]:
    """Exception type and place: the innermost frame in our code (else the innermost at all)."""
    if isinstance(error, MalformedUpdate):  # raised in one place: the problem tells them apart
        return type(error).__name__, str(error).split(":")[0]
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if Path(f.filename).resolve().is_relative_to(BOT_ROOT)]
    if not (ours or frames):
        return type(error).__qualname__, "?"
    frame = (ours or frames)[-1]
    place = f"{Path(frame.filename).name}:{frame.lineno} {frame.name}"
    return type(error).__qualname__, place


def worth_a_line(count: int) -> bool:
    """Whether the count-th repeat of one failure is logged (as one line)."""
    return count <= LINES_IN_FULL or count % REPEAT_EVERY == 0


@dataclass
class FailureLog:
    """Counts failures by type and place: the first is logged in full, repeats in one line."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    apologies: dict[str, int] = field(default_factory=dict)

    def record(self, error: BaseException, update_id: int | None) -> None:
        key = failure_key(error)
        count = self.counts[key] = self.counts.get(key, 0) + 1
        if count == 1:
            full = None if isinstance(error, MalformedUpdate) else error  # our raise: no use
            log.error("Lỗi khi xử lý update %s: %r", update_id, error, exc_info=full)
        elif worth_a_line(count):
            log.error(
                "Lỗi khi xử lý update %s: %r — lần thứ %d của lỗi %s tại %s "
                "(traceback đã ghi lần đầu)",
                update_id,
                error,
                count,
                *key,
            )

    def apology_failed(self, error: BaseException, update_id: int | None) -> None:
        """The apology could not be sent either (the API is down): counted, like failures."""
        kind = type(error).__qualname__
        count = self.apologies[kind] = self.apologies.get(kind, 0) + 1
        if worth_a_line(count):
            repeat = f" — lần thứ {count}" if count > 1 else ""
            log.warning(
                "Không gửi được thông báo lỗi cho update %s: %r%s", update_id, error, repeat
            )

    def summary(self) -> list[str]:
        """One line per failure kind that happened more than once (logged at shutdown)."""
        lines = [
            f"{kind} tại {place}: {n} lần" for (kind, place), n in self.counts.items() if n > 1
        ]
        lines += [
            f"{kind} khi gửi lời xin lỗi: {n} lần" for kind, n in self.apologies.items() if n > 1
        ]
        return lines


class RepeatFilter(logging.Filter):
    """Other libraries' tracebacks (PTB's polling loop and shutdown, APScheduler): the first of
    a kind in full, repeats as one line with their count (2..5, then every 100th)."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[tuple[str, str, str], int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or record.name.startswith("bot."):  # ours are counted already
            return True
        error = record.exc_info[1]
        key = (record.name, str(record.msg), type(error).__qualname__)
        count = self.counts[key] = self.counts.get(key, 0) + 1
        if count == 1:
            return True
        if not worth_a_line(count):
            return False
        said = f"{type(error).__name__}: {error}".replace("%", "%%")
        record.msg = f"{record.msg} — lần thứ {count} ({said}; traceback đã ghi lần đầu)"
        record.exc_info, record.exc_text = None, None
        return True


def log_summary(failures: FailureLog) -> None:
    """At shutdown, how often each repeated failure happened (most repeats were not logged)."""
    for line in failures.summary():
        log.warning("Tổng số lỗi lặp lại: %s", line)


# ---------------------------------------------------------------- the error handler


def chat_to_tell(error: BaseException) -> int | None:
    """A private chat to apologise to for a broken update; groups are not disturbed."""
    if isinstance(error, MalformedUpdate) and error.chat_id is not None and error.chat_id > 0:
        return error.chat_id
    return None


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log with the update id (repeats briefly); tell the user politely where there is a chat."""
    error = context.error or Exception("lỗi không rõ")
    failures: FailureLog = context.application.bot_data.setdefault("failures", FailureLog())
    update_id = update.update_id if isinstance(update, Update) else None
    failures.record(error, update_id)
    try:
        if isinstance(update, Update) and update.effective_message and update.effective_chat:
            await update.effective_message.reply_text(texts.ERROR)
        elif (chat_id := chat_to_tell(error)) is not None:
            await context.bot.send_message(chat_id, texts.ERROR)
    except Exception as exc:  # the API itself may be what failed
        failures.apology_failed(exc, update_id)
