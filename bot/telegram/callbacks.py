"""Button presses and paged lists: votes, 'Xem thêm', example questions, /sources."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.core.formatting import about_line, citation_line, suggestions
from bot.store.records import answer_of, hash_user, is_bound_to, list_articles, set_vote
from bot.store.subscriptions import subscribe
from bot.telegram import faq_commands, texts
from bot.telegram.handlers import PAGE_SIZE, Core, answer_question, core_of, render
from bot.telegram.keyboards import (
    EXAMPLE,
    EXAMPLES,
    MORE,
    NOTIFY,
    SOURCES,
    SUGGESTION,
    UNANSWERED,
    UNANSWERED_PAGE,
    VOTE,
    Callback,
    answer_keyboard,
    decode,
    sources_keyboard,
)
from bot.telegram.markup import HTML, split_message

SOURCES_PER_PAGE = 10


async def sources_page(core: Core, page: int) -> tuple[str, int, bool]:
    """One page of the article list as HTML, the page shown, and whether a next page exists."""
    articles, _ = await core.store.counts()
    if not articles:
        return texts.SOURCES_EMPTY, 0, False
    pages = (articles + SOURCES_PER_PAGE - 1) // SOURCES_PER_PAGE
    page = min(max(page, 0), pages - 1)
    rows = await list_articles(core.store, page * SOURCES_PER_PAGE, SOURCES_PER_PAGE)
    lines = [texts.SOURCES_TITLE.format(page=page + 1, pages=pages)]
    for n, article in enumerate(rows, start=page * SOURCES_PER_PAGE + 1):
        title = HTML.link(HTML.escape(article.title), article.url)
        lines.append(f"{n}. {title}" + (f" — {article.date}" if article.date else ""))
    return "\n".join(lines), page, page + 1 < pages


async def on_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text, _, more = await sources_page(core_of(context), 0)
    if update.effective_message:
        await update.effective_message.reply_html(
            text, reply_markup=sources_keyboard(0, more), disable_web_page_preview=True
        )


async def answer_page(core: Core, question_id: int, page: int) -> tuple[str, bool] | None:
    """Page 0 is the answer itself; later pages list further passages with citations.

    None when the question is unknown; an empty text when the page is past the end.
    """
    stored = await answer_of(core.store, question_id)
    if stored is None:
        return None
    question, passage_ids = stored
    answer = await core.kb.ask(question)
    # The stored ids start with the answer's own hits (fewer than top_k when one article
    # supplies them all), then the further passages that the later pages list.
    shown = len(answer.hits)
    if page <= 0:
        return render(answer, core), len(passage_ids) > shown
    start = shown + (page - 1) * PAGE_SIZE
    chosen = passage_ids[start : start + PAGE_SIZE]
    hits = core.kb.hits([(pid, 0.0) for pid in chosen])
    if not hits:
        return "", False
    blocks = [texts.MORE_TITLE.format(page=page + 1)]
    for n, hit in enumerate(hits, start=start + 1):
        about = about_line(hit.question, HTML)
        text = f"{about}\n{HTML.escape(hit.text)}" if about else HTML.escape(hit.text)
        blocks.append(f"{text}\n{citation_line(n, hit.citation, HTML)}")
    return "\n\n".join(blocks), start + PAGE_SIZE < len(passage_ids)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every press gets answerCallbackQuery, whatever the button was."""
    query, core = update.callback_query, core_of(context)
    if query is None:
        return
    pressed = decode(query.data)
    if pressed is None or not await _pressed_where_sent(query, core, pressed):
        await query.answer(texts.EXPIRED)
    elif pressed.kind == VOTE and pressed.value in (1, -1):
        await _vote(query, core, pressed)
    elif pressed.kind == MORE:
        await _show_page(update, core, pressed.ref, pressed.value)
    elif pressed.kind == UNANSWERED:
        await faq_commands.on_answer_button(update, context, pressed.ref, pressed.value)
    elif pressed.kind == UNANSWERED_PAGE:
        await faq_commands.on_page_button(update, context, pressed.ref, pressed.value)
    elif pressed.kind == SUGGESTION:
        await _ask_suggestion(update, context, core, pressed)
    elif pressed.kind == NOTIFY and query.message is not None:
        await _subscribe(query, context, core, pressed.ref)
    elif pressed.kind == EXAMPLE and 0 <= pressed.ref < len(EXAMPLES):
        await query.answer()
        await answer_question(update, context, EXAMPLES[pressed.ref])
    elif pressed.kind == SOURCES:
        text, page, more = await sources_page(core, pressed.ref)
        await query.answer()
        await _edit(update, text, sources_keyboard(page, more))
    else:
        await query.answer(texts.EXPIRED)


async def _vote(query: CallbackQuery, core: Core, pressed: Callback) -> None:
    user = hash_user(query.from_user.id, core.salt)
    known = await set_vote(core.store, pressed.ref, user, pressed.value)
    await query.answer(texts.VOTE_THANKS[pressed.value] if known else texts.EXPIRED)


async def _subscribe(
    query: CallbackQuery, context: ContextTypes.DEFAULT_TYPE, core: Core, question_id: int
) -> None:
    """ "Báo cho tôi…": the chat id is kept with the question only from this press on."""
    assert query.message is not None  # checked by the caller
    if await subscribe(core.store, question_id, query.message.chat.id):
        await query.answer(texts.SUBSCRIBED_SHORT)
        await context.bot.send_message(query.message.chat.id, texts.SUBSCRIBED)
    else:
        await query.answer(texts.EXPIRED)


async def _pressed_where_sent(query: CallbackQuery, core: Core, pressed: Callback) -> bool:
    """An answer's buttons act only on the chat and message they were sent with.

    Callback data is just `v:<id>:1`: anyone can forge it for any question id, from any chat.
    Examples and the article list carry nothing private and work anywhere.
    """
    if pressed.kind not in (VOTE, MORE, SUGGESTION, NOTIFY):
        return True
    if query.message is None:  # an inline message: answers sent inline carry no buttons
        return False
    chat_hash = hash_user(query.message.chat.id, core.salt)
    return await is_bound_to(core.store, pressed.ref, chat_hash, query.message.message_id)


async def _ask_suggestion(
    update: Update, context: ContextTypes.DEFAULT_TYPE, core: Core, pressed: Callback
) -> None:
    """A "did you mean" button: the article it names is asked about like a question."""
    query = update.callback_query
    assert query is not None
    stored = await answer_of(core.store, pressed.ref)
    titles = suggestions(core.kb.hits([(pid, 0.0) for pid in stored[1]]) if stored else [])
    if not 0 <= pressed.value < len(titles):
        await query.answer(texts.EXPIRED)
        return
    await query.answer()
    await answer_question(update, context, titles[pressed.value])


async def _show_page(update: Update, core: Core, question_id: int, page: int) -> None:
    query = update.callback_query
    assert query is not None
    found = await answer_page(core, question_id, page)
    if found is None:
        await query.answer(texts.EXPIRED)
        return
    text, more = found
    if not text:
        await query.answer(texts.NO_MORE)
        return
    await query.answer()
    await _edit(update, text, answer_keyboard(question_id, page, more))


async def _edit(update: Update, text: str, markup: InlineKeyboardMarkup | None) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(
            split_message(text)[0],
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            disable_web_page_preview=True,
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():  # a double press shows the same page
            raise
