"""Editors answer from Telegram: /unanswered lists what citizens asked in vain, the editor picks
a group and sends the answer, the bot saves it as an FAQ file, reloads and tells who waited.
/faq lists, corrects and withdraws those entries. Admins only, in private; nobody else sees any.
"""

from __future__ import annotations

import logging
from datetime import date

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.editors.faq_authoring import (
    Entry,
    correct_entry,
    list_entries,
    withdraw_entry,
    write_entry,
)
from bot.editors.reports import build_report
from bot.editors.wordings import QuestionGroup
from bot.telegram import texts
from bot.telegram.admin_commands import stats_days
from bot.telegram.handlers import Core, core_of, send_html
from bot.telegram.inbox import on_handled
from bot.telegram.keyboards import UNANSWERED, UNANSWERED_PAGE, encode
from bot.telegram.markup import HTML
from bot.telegram.notify import tell_waiting

log = logging.getLogger(__name__)
PENDING = "faq_question"  # user_data: the wording an editor is answering
PER_PAGE = 5


async def unanswered_groups(core: Core, days: int) -> list[QuestionGroup]:
    report = await build_report(
        core.store, core.kb.pipeline, days, min_confidence=core.settings.min_confidence
    )
    return list(report.unanswered)


async def on_unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/unanswered [DAYS]`: the top unanswered groups, a button each to answer it."""
    message = update.effective_message
    days = stats_days(context.args)
    if message is None:
        return
    if days is None:
        await message.reply_html(texts.UNANSWERED_USAGE)
        return
    groups = await unanswered_groups(core_of(context), days)
    if not groups:
        await message.reply_text(texts.UNANSWERED_NONE.format(days=days))
        return
    text, markup = unanswered_page(groups, days, 0)
    await send_html(message, text, False, markup)


def unanswered_page(
    groups: list[QuestionGroup], days: int, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the groups: a line and an "answer" button each, then ◀ ▶."""
    pages = max((len(groups) + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(max(page, 0), pages - 1)
    first = page * PER_PAGE
    shown = list(enumerate(groups[first : first + PER_PAGE], start=first + 1))
    lines = [texts.UNANSWERED_TITLE.format(days=days, page=page + 1, pages=pages)]
    lines += [f"{n}. «{HTML.escape(g.wording)}» — {g.count} lượt" for n, g in shown]
    rows = [
        [InlineKeyboardButton(f"✍️ Trả lời câu {n}", callback_data=encode(UNANSWERED, days, n - 1))]
        for n, _ in shown
    ]
    paging = [
        InlineKeyboardButton(label, callback_data=encode(UNANSWERED_PAGE, days, target))
        for label, target, ok in (
            ("◀ Trước", page - 1, page > 0),
            ("Sau ▶", page + 1, page + 1 < pages),
        )
        if ok
    ]
    return "\n".join(lines), InlineKeyboardMarkup([*rows, paging] if paging else rows)


async def on_page_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, days: int, page: int
) -> None:
    """◀ ▶ under /unanswered: the list edited in place."""
    query, core = update.callback_query, core_of(context)
    assert query is not None
    if query.from_user.id not in core.settings.admin_user_ids:
        await query.answer(texts.EXPIRED)
        return
    groups = await unanswered_groups(core, days)
    await query.answer()
    if groups:
        text, markup = unanswered_page(groups, days, page)
        await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)


async def on_answer_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, days: int, index: int
) -> None:
    """The editor picked a group: ask for the answer, as a reply to this prompt."""
    query, core = update.callback_query, core_of(context)
    assert query is not None
    if query.from_user.id not in core.settings.admin_user_ids or query.message is None:
        await query.answer(texts.EXPIRED)  # a forged press leaves no trace of this feature
        return
    groups = await unanswered_groups(core, days)
    if not 0 <= index < len(groups):
        await query.answer(texts.EXPIRED)
        return
    if context.user_data is not None:
        context.user_data[PENDING] = groups[index].wording
    await query.answer()
    prompt = texts.ANSWER_PROMPT.format(question=HTML.escape(groups[index].wording))
    await context.bot.send_message(
        query.message.chat.id, prompt, parse_mode="HTML", reply_markup=ForceReply(selective=True)
    )


async def on_editor_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin's message after picking a group is the answer: saved, not searched."""
    message, user_data = update.effective_message, context.user_data
    if message is None or not user_data or PENDING not in user_data or not message.text:
        return  # an ordinary question: the next handler group answers it
    question, core = user_data.pop(PENDING), core_of(context)
    user = update.effective_user
    author = user.full_name if user else "Biên tập viên"
    path = write_entry(core.settings.knowledge_dir, question, message.text, author, date.today())
    log.info("Biên tập viên thêm mục hỏi đáp %s", path.name)
    await _reload_and_tell(update, context, texts.FAQ_SAVED.format(file=HTML.escape(path.name)))
    await on_handled(update, context)  # the inbox's last group will not run after the stop
    raise ApplicationHandlerStop


async def _reload_and_tell(update: Update, context: ContextTypes.DEFAULT_TYPE, done: str) -> None:
    core, message = core_of(context), update.effective_message
    result = await core.reloader.refresh()
    if message is not None:
        note = (
            done
            if result.ok
            else texts.FAQ_RELOAD_FAILED.format(error=HTML.escape(result.error or ""))
        )
        await message.reply_html(note)
    if result.ok and result.swapped:
        await tell_waiting(context.bot, core)


def _entry_lines(entries: list[Entry]) -> str:
    lines = [texts.FAQ_TITLE.format(count=len(entries))]
    for n, e in enumerate(entries, start=1):
        when, who = HTML.escape(e.published), HTML.escape(e.author)
        lines.append(f"{n}. «{HTML.escape(e.question)}» — {when}, {who}")
    return "\n".join([*lines, texts.FAQ_HELP])


async def on_faq(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/faq` lists the entries; `/faq sua N câu trả lời mới` corrects, `/faq xoa N` withdraws."""
    message, core, args = update.effective_message, core_of(context), context.args or []
    if message is None:
        return
    entries = list_entries(core.settings.knowledge_dir)
    if not args:
        text = _entry_lines(entries) if entries else texts.FAQ_NONE
        await send_html(message, text, False)
        return
    action, number = args[0].lower(), args[1] if len(args) > 1 else ""
    if (
        action not in ("sua", "sửa", "xoa", "xoá", "xóa")
        or not number.isdigit()
        or not 1 <= int(number) <= len(entries)
    ):
        await message.reply_html(texts.FAQ_HELP)
        return
    entry = entries[int(number) - 1]
    if action in ("xoa", "xoá", "xóa"):
        withdraw_entry(entry)
        await _reload_and_tell(
            update, context, texts.FAQ_WITHDRAWN.format(question=HTML.escape(entry.question))
        )
        return
    answer = " ".join(args[2:]).strip()
    if not answer:
        await message.reply_html(texts.FAQ_HELP)
        return
    correct_entry(entry, answer, date.today())
    await _reload_and_tell(
        update, context, texts.FAQ_CORRECTED.format(question=HTML.escape(entry.question))
    )
