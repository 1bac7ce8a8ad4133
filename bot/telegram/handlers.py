"""Telegram handlers: one small async function per kind of update."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import __version__
from bot.core.answer import Answer, Outcome
from bot.core.followup import Context
from bot.core.formatting import render_answer
from bot.core.text import well_formed
from bot.editors.reloading import Reloader
from bot.engine import KnowledgeBase
from bot.settings import Settings
from bot.store.conversations import recent_context, replied_context
from bot.store.database import Store
from bot.store.records import QuestionRecord, bind_message, hash_user, record_question
from bot.telegram import texts
from bot.telegram.addressing import addressed_question, command_for_other_bot
from bot.telegram.delivery import DeliveryStats, Sent, deliver
from bot.telegram.flood import FloodGuard
from bot.telegram.inbox import note_question, postpone, recorded_question
from bot.telegram.keyboards import answer_keyboard, examples_keyboard, not_found_keyboard
from bot.telegram.markup import HTML, split_message

log = logging.getLogger(__name__)
PAGE_SIZE = 3
ADVISED = "personal_data_advised"  # user_data flag: in memory only, one advice per process
MAX_RANKED = 12  # passages kept per answer for "Xem thêm"
START_PAYLOAD_SEPARATORS = str.maketrans("_-", "  ")


@dataclass
class Core:
    """What every handler needs; lives in application.bot_data."""

    kb: KnowledgeBase
    store: Store
    settings: Settings
    salt: str
    flood: FloodGuard
    reloader: Reloader
    notice: str | None = None  # the editors' one line above every answer (/notice)
    delivery: DeliveryStats = field(default_factory=DeliveryStats)


def core_of(context: ContextTypes.DEFAULT_TYPE) -> Core:
    return context.application.bot_data["core"]


async def reply_reliably(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    text: str,
    quote: bool,
    markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """send_html, each part retried until delivered or BOT_DELIVERY_MINUTES after the question;
    the last part's message once delivered, else None."""
    core, message = core_of(context), update.effective_message
    assert message is not None
    deadline = message.date.timestamp() + core.settings.delivery_minutes * 60
    parts = split_message(text)

    def part_sender(i: int) -> Callable[[], Awaitable[Message]]:
        last = i == len(parts) - 1
        return lambda: message.reply_text(
            parts[i],
            parse_mode=ParseMode.HTML,
            do_quote=quote and i == 0,
            reply_markup=markup if last else None,
            disable_web_page_preview=True,
        )

    last: Message | None = None
    for i in range(len(parts)):
        stopping = lambda: not context.application.running  # noqa: E731
        what = f"câu trả lời cho update {update.update_id}"
        sent = await deliver(part_sender(i), deadline, stopping, core.delivery, what)
        if sent.outcome is Sent.POSTPONED:
            postpone(context.application, update.update_id)
        if sent.outcome is not Sent.DELIVERED:
            return None
        last = sent.value
    return last


async def show_typing(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    """Best effort: a failed typing action must never cost the answer (no retries either)."""
    try:
        # AIORateLimiter's per-call argument is its max_retries (DEFAULT_TYPE types it None).
        no_retry: Any = 0
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING, rate_limit_args=no_retry)
    except TelegramError as exc:
        log.debug("Không gửi được trạng thái 'đang nhập' cho chat %s: %r", chat_id, exc)


async def send_html(
    message: Message, text: str, quote: bool, markup: InlineKeyboardMarkup | None = None
) -> Message:
    """Reply in HTML, split to Telegram's limit; the keyboard goes on the last part."""
    parts = split_message(text)
    sent = message
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        sent = await message.reply_text(
            part,
            parse_mode=ParseMode.HTML,
            do_quote=quote and i == 0,
            reply_markup=markup if last else None,
            disable_web_page_preview=True,
        )
    return sent


def render(answer: Answer, core: Core, suggestion_buttons: bool = False) -> str:
    s = core.settings
    text = render_answer(answer, s.contact_line, HTML, s.max_question_chars, suggestion_buttons)
    if core.notice and answer.outcome in (Outcome.ANSWERED, Outcome.NOT_FOUND):
        return f"{HTML.escape(texts.NOTICE_PREFIX + core.notice)}\n\n{text}"
    return text


async def record(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    answer: Answer,
    latency_ms: float,
    chat_hash: str,
) -> int:
    """Log the question and its ranked passages, once: a replay after a crash reuses its id."""
    qid = recorded_question(context.application, update.update_id)
    if qid is not None:
        return qid
    core, message, user = core_of(context), update.effective_message, update.effective_user
    assert message is not None and user is not None
    record = QuestionRecord(
        message.chat.type,
        hash_user(user.id, core.salt),
        answer.question,
        answer.top_score,
        answer.answered,
        latency_ms,
        answer.confidence if answer.hits else None,  # no passage: nothing to be sure of
    )
    shown = [h.passage_id for h in answer.hits]
    cited = [h.citation for h in answer.hits]
    ranked = shown + list(answer.further)
    qid = await record_question(
        core.store,
        record,
        ranked,
        shown=len(shown),
        cited=cited,
        chat_hash=chat_hash,
        follows=answer.follows,
    )
    await note_question(context.application, update.update_id, qid)
    return qid


async def answer_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question: str
) -> None:
    """Flood check, typing action, answer, record, reply with buttons."""
    core, message, user = core_of(context), update.effective_message, update.effective_user
    if message is None or user is None or user.is_bot:  # commands from bots too
        return
    group = message.chat.type != ChatType.PRIVATE
    if not core.flood.allow(user.id):
        await reply_reliably(update, context, HTML.escape(texts.FLOOD), group)
        return
    await show_typing(context, message.chat_id)
    started = time.perf_counter()
    chat_hash = hash_user(message.chat_id, core.salt)
    earlier = await earlier_context(core, message, chat_hash)
    answer = await core.kb.ask(question, further=MAX_RANKED, context=earlier)
    markup, qid = None, None
    # Questions without any match are logged too: editors need them most.
    if answer.outcome in (Outcome.ANSWERED, Outcome.NOT_FOUND):
        latency_ms = (time.perf_counter() - started) * 1000
        qid = await record(update, context, answer, latency_ms, chat_hash)
        if answer.answered:
            markup = answer_keyboard(qid, 0, bool(answer.further))
        else:
            # Nothing to wait for when the bot only needs to know which procedure is meant.
            notify = not group and not answer.unclear
            markup = not_found_keyboard(qid, list(answer.offered), notify=notify)
    # A recorded "not found" carries its nearest titles as buttons, not as a list in the text.
    text = render(answer, core, suggestion_buttons=qid is not None and not answer.answered)
    if answer.outcome is Outcome.SMALL_TALK:  # not a question: not recorded, no buttons
        text += "\n\n" + HTML.escape(texts.SMALL_TALK_HELP)
    if answer.personal and not group and first_advice(context):
        text += "\n\n" + HTML.escape(texts.PERSONAL_DATA)
    sent = await reply_reliably(update, context, text, group, markup)
    if qid is not None and sent is not None:  # its buttons, and replies to it, work there only
        await bind_message(core.store, qid, sent.message_id)


async def earlier_context(core: Core, message: Message, chat_hash: str) -> Context | None:
    """What a follow-up is read against: the answer it replies to, or in a private chat the
    last answer of the past few minutes (the engine decides whether the message needs it)."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user and replied.from_user.id == message.get_bot().id:
        return await replied_context(core.store, chat_hash, replied.message_id)
    minutes = core.settings.followup_minutes
    if message.chat.type == ChatType.PRIVATE and minutes > 0:
        return await recent_context(core.store, chat_hash, minutes)
    return None


def first_advice(context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True the first time this user is advised about personal data (PTB's user_data, memory)."""
    user_data = context.user_data
    if user_data is None or user_data.get(ADVISED):
        return False
    user_data[ADVISED] = True
    return True


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message and not (message.from_user and message.from_user.is_bot):
        await answer_question(update, context, message.text or message.caption or "")


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups only messages addressed to the bot are read; the rest is never stored."""
    message = update.effective_message
    if message is None or (message.from_user and message.from_user.is_bot):
        return
    question = addressed_question(message, context.bot.username, context.bot.id)
    if question is not None:
        await answer_question(update, context, question)


async def on_not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message:
        await update.effective_message.reply_text(texts.NOT_TEXT)


async def on_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    question = " ".join(context.args or [])
    if not question.strip() and update.effective_message:
        await update.effective_message.reply_html(texts.ASK_EMPTY)
        return
    await answer_question(update, context, question)


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greeting with example buttons; `/start <topic>` (a deep link) answers the topic."""
    message, core = update.effective_message, core_of(context)
    if message is None:
        return
    if context.args:
        await answer_question(
            update, context, " ".join(context.args).translate(START_PAYLOAD_SEPARATORS)
        )
        return
    articles, _ = await core.store.counts()
    name = well_formed(update.effective_user.first_name) if update.effective_user else ""
    greeting = texts.GREETING.format(
        name=f" {HTML.escape(name)}" if name else "", articles=articles
    )
    await message.reply_html(greeting, reply_markup=examples_keyboard())


async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message:
        await update.effective_message.reply_html(
            texts.HELP.format(username=HTML.escape(context.bot.username))
        )


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Help for an unknown command: in private always, in groups only when it names this bot."""
    message = update.effective_message
    if message is None or command_for_other_bot(message, context.bot.username):
        return
    named = f"@{context.bot.username.lower()}" in (message.text or "").split(maxsplit=1)[0].lower()
    if message.chat.type == ChatType.PRIVATE or named:
        await on_help(update, context)


async def on_about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    core = core_of(context)
    articles, passages = await core.store.counts()
    text = texts.ABOUT.format(
        version=__version__,
        articles=articles,
        passages=passages,
        contact=HTML.escape(core.settings.contact_line),
    )
    if core.notice:
        text += texts.ABOUT_NOTICE.format(notice=HTML.escape(core.notice))
    if update.effective_message:
        await update.effective_message.reply_html(text, disable_web_page_preview=True)
