"""Citizens who pressed "Báo cho tôi khi có câu trả lời" are told once their question is answered.

After every reload that changed the index, each waiting question is asked again; an answered one
is sent to its chat (through the application's rate limiter) and the chat id is deleted.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from bot.store.subscriptions import told, waiting
from bot.telegram import texts
from bot.telegram.handlers import Core, render
from bot.telegram.markup import HTML, split_message

log = logging.getLogger(__name__)


async def tell_waiting(bot: Bot, core: Core) -> int:
    """Message everyone whose question is now answered; returns how many were told."""
    count = 0
    for sub in await waiting(core.store):
        answer = await core.kb.ask(sub.question)
        if not answer.answered:
            continue
        intro = HTML.escape(texts.ANSWER_ARRIVED.format(question=sub.question))
        try:
            for part in split_message(f"{intro}\n\n{render(answer, core)}"):
                await bot.send_message(
                    sub.chat_id, part, parse_mode=ParseMode.HTML, disable_web_page_preview=True
                )
        except Forbidden:
            log.info("Không nhắn được cuộc trò chuyện đã chặn bot; bỏ yêu cầu báo tin")
        except TelegramError as exc:
            log.warning("Chưa gửi được câu trả lời đã đăng ký, sẽ thử lại lần nạp sau: %s", exc)
            continue
        await told(core.store, sub.question_id)
        count += 1
    if count:
        log.info("Đã báo câu trả lời mới cho %d người đã đăng ký", count)
    return count
