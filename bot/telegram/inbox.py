"""No question lost to a crash: addressed updates are kept in SQLite before Telegram is told
they arrived, and those never answered are answered after the restart, once.

python-telegram-bot puts every update into the Application's update queue before it confirms
it: in polling, the next getUpdates offset confirms what was put; in webhook mode the 200 goes
out after the put. So the queue's `put` keeps the update first. An update id already kept is
Telegram sending it again (it was never confirmed): it is not answered a second time.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC

from telegram import Bot, Update
from telegram.constants import ChatType
from telegram.ext import Application, ContextTypes

from bot.store.inbox import InboxDb
from bot.store.records import hash_user
from bot.telegram.addressing import addressed_question, command_for_other_bot
from bot.telegram.delivery import DeliveryStats
from bot.telegram.kept_update import kept_update

log = logging.getLogger(__name__)


def addressed_sender(update: Update, username: str, bot_id: int) -> int | None:
    """The sender's id when the update is a new message the bot will answer, else None.

    Private messages and, in groups, commands and messages that @mention or reply to the bot;
    other group messages are never stored.
    """
    message = update.message
    sender = message.from_user if message else None
    if message is None or sender is None or sender.is_bot:
        return None
    if message.chat.type == ChatType.PRIVATE:
        return sender.id
    text = message.text or message.caption or ""
    if text.startswith("/") and not command_for_other_bot(message, username):
        return sender.id
    return sender.id if addressed_question(message, username, bot_id) is not None else None


@dataclass
class Inbox:
    """Keeps, finishes and replays updates; `postponed` are left for the next start."""

    db: InboxDb
    bot: Bot
    salt: str
    limit_seconds: float
    stats: DeliveryStats
    kept: set[int] = field(default_factory=set)  # kept and not finished yet
    postponed: set[int] = field(default_factory=set)
    recorded: dict[int, int] = field(default_factory=dict)  # replayed update → its question

    async def admit(self, update: Update) -> bool:
        """Keep an addressed update; False for one kept already (not to be answered again)."""
        sender = addressed_sender(update, self.bot.username, self.bot.id)
        if sender is None:
            return True
        user_hash = hash_user(sender, self.salt)
        try:
            # ASCII JSON: a lone surrogate in the text is kept as its \udXXX escape.
            payload = json.dumps(kept_update(update.to_dict()))
            fresh = await self.db.keep(update.update_id, payload, user_hash)
        except Exception as exc:  # a full disk must not stop the answers, only their safety net
            # The error's type only: its text could quote the citizen's message.
            log.error(
                "Không lưu được update %s vào hộp thư đến: %s", update.update_id, type(exc).__name__
            )
            return True
        if not fresh:
            log.info("Update %s đã nhận trước đó (Telegram gửi lại): bỏ qua", update.update_id)
            return False
        self.kept.add(update.update_id)
        return True

    async def note_question(self, update_id: int, question_id: int) -> None:
        """Remember the recorded question of a kept update, for a replay after a crash."""
        if update_id not in self.kept:
            return
        try:
            await self.db.note_question(update_id, question_id)
        except Exception as exc:  # only a duplicate in the question log is at stake
            log.warning("Không ghi được câu hỏi của update %s: %r", update_id, exc)

    async def finish(self, update_id: int) -> None:
        """Handled: forget the content, unless the bot stopped before it could answer."""
        if update_id not in self.kept or update_id in self.postponed:
            return
        self.kept.discard(update_id)
        try:
            await self.db.finish(update_id)
        except Exception as exc:
            log.error("Không đánh dấu được update %s là đã trả lời: %r", update_id, exc)

    async def replay(self, queue: InboxQueue) -> int:
        """Queue what was received before the last stop and never answered; returns how many."""
        replayed = 0
        for kept in await self.db.pending():
            update = Update.de_json(json.loads(kept.payload), self.bot)
            sent_at = update.message.date if update.message else kept.received_at
            if time.time() - sent_at.astimezone(UTC).timestamp() > self.limit_seconds:
                self.stats.given_up += 1
                log.error("Bỏ update %s nhận lúc %s: quá hạn gửi", kept.update_id, sent_at)
                await self.db.finish(kept.update_id)
                continue
            self.kept.add(kept.update_id)
            if kept.question_id is not None:
                self.recorded[kept.update_id] = kept.question_id
            await queue.put_kept(update)
            replayed += 1
        return replayed


class InboxQueue(asyncio.Queue[object]):
    """The Application's update queue; once `inbox` is set, updates are kept before queued."""

    inbox: Inbox | None = None

    async def put(self, item: object) -> None:
        inbox = self.inbox
        if inbox is not None and isinstance(item, Update) and not await inbox.admit(item):
            return
        await super().put(item)

    async def put_kept(self, item: object) -> None:
        """Queue an update the inbox holds already (a replay)."""
        await super().put(item)


def inbox_of(app: Application) -> Inbox | None:
    queue = app.update_queue
    return queue.inbox if isinstance(queue, InboxQueue) else None


def recorded_question(app: Application, update_id: int) -> int | None:
    """The question id recorded for this update before the last stop (a replay), if any."""
    inbox = inbox_of(app)
    return inbox.recorded.pop(update_id, None) if inbox is not None else None


async def note_question(app: Application, update_id: int, question_id: int) -> None:
    if (inbox := inbox_of(app)) is not None:
        await inbox.note_question(update_id, question_id)


def postpone(app: Application, update_id: int) -> None:
    """The bot stops before this update could be answered: answer it after the restart."""
    if (inbox := inbox_of(app)) is not None:
        inbox.postponed.add(update_id)


async def on_handled(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Last handler group: every handler for the update has finished."""
    inbox = inbox_of(context.application)
    if inbox is not None and isinstance(update, Update):
        await inbox.finish(update.update_id)


async def open_inbox(
    app: Application,
    db: InboxDb,
    salt: str,
    stats: DeliveryStats,
) -> None:
    """Start keeping updates and queue the ones a crash left unanswered."""
    queue = app.update_queue
    if not isinstance(queue, InboxQueue):
        return
    limit = app.bot_data["settings"].delivery_minutes * 60
    queue.inbox = inbox = Inbox(db, app.bot, salt, limit, stats)
    if replayed := await inbox.replay(queue):
        log.info("Trả lời %d câu hỏi nhận trước lần dừng trước mà chưa trả lời", replayed)
