"""Inline mode: `@BotName câu hỏi` in any chat shows the top passages with their citations."""

from __future__ import annotations

import time

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.core.formatting import about_line, citation_line
from bot.core.models import Hit
from bot.telegram.delivery import deliver
from bot.telegram.handlers import core_of
from bot.telegram.markup import HTML, TELEGRAM_LIMIT, cut_plain, plain_length

# Telegram drops an inline query's answer after about 10 s: a dropped connection (an idle
# keep-alive closed under us, seen in the soak benchmark) is worth a retry within that time.
ANSWER_WITHIN = 8.0


def _inline_text(hit: Hit) -> str:
    """A passage sent from inline mode: what it is about (FAQ), its text, its citation."""
    about, citation = about_line(hit.question, HTML), citation_line(1, hit.citation, HTML)
    # One message, no splitting: the passage is cut so that the citation always fits.
    room = TELEGRAM_LIMIT - plain_length(f"{about}\n\n\n\n{citation}")
    blocks = [about, HTML.escape(cut_plain(hit.text, room)), citation]
    return "\n\n".join(b for b in blocks if b)


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Top passages as inline results; nothing for an empty or unanswerable query."""
    query, core = update.inline_query, core_of(context)
    if query is None:
        return
    answer = await core.kb.ask(query.query) if query.query.strip() else None
    results = [
        InlineQueryResultArticle(
            id=str(hit.passage_id),
            title=hit.citation.title[:100],
            description=hit.text[:160],
            input_message_content=InputTextMessageContent(
                _inline_text(hit),
                parse_mode=ParseMode.HTML,
                disable_web_page_preview=True,
            ),
        )
        for hit in (answer.hits if answer and answer.answered else ())
    ]
    await deliver(
        lambda: query.answer(results, cache_time=30),
        time.time() + ANSWER_WITHIN,
        lambda: not context.application.running,
        core.delivery,
        f"kết quả inline cho update {update.update_id}",
    )
