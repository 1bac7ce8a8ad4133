"""`ask` and `chat`: questions answered as the bot would write them."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys

from bot.cli.common import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, opened, say
from bot.core.answer import Answer, Outcome
from bot.core.formatting import PLAIN, TERMINAL, render_answer
from bot.engine import KnowledgeBase
from bot.settings import Settings


def answer_json(answer: Answer, message: str | None = None) -> dict:
    """The documented JSON shape of one answer."""
    payload: dict = {
        "question": answer.question,
        "answered": answer.answered,
        "results": [
            {
                "rank": h.rank,
                "score": round(h.score, 4),
                "title": h.citation.title,
                "url": h.citation.url,
                "date": h.citation.date,
                "author": h.citation.author,
                "text": h.text,
                "source": h.citation.source,
            }
            for h in answer.hits
        ],
    }
    if message:
        payload["message"] = message
    return payload


def _render(answer: Answer, settings: Settings) -> str:
    markup = TERMINAL if sys.stdout.isatty() else PLAIN
    return render_answer(answer, settings.contact_line, markup, settings.max_question_chars)


async def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    async with opened(settings) as kb:
        if args.question == "-":
            return await _ask_stream(kb, args.top_k)
        answer = await kb.ask(args.question, args.top_k)
        if args.json:
            message = None if answer.answered else _render(answer, settings)
            print(json.dumps(answer_json(answer, message), ensure_ascii=False, indent=2))
        else:
            print(_render(answer, settings))
    if answer.outcome in (Outcome.EMPTY, Outcome.NO_WORDS):
        return EXIT_USAGE
    return EXIT_OK if answer.answered else EXIT_PARTIAL


async def _ask_stream(kb: KnowledgeBase, top_k: int | None) -> int:
    """One question a line in, one JSON object a line out; the index loaded once."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")
    for line in sys.stdin:
        answer = await kb.ask(line, top_k)
        message = None if answer.answered else render_answer(answer, kb.settings.contact_line)
        print(json.dumps(answer_json(answer, message), ensure_ascii=False), flush=True)
    return EXIT_OK


async def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    async with opened(settings) as kb:
        say("Hỏi tôi về chính quyền số, dịch vụ công… (gõ 'thoát' hoặc Ctrl-D để kết thúc)")
        while True:
            try:
                question = await asyncio.to_thread(input, "\nBạn hỏi: ")
            except EOFError:
                return EXIT_OK
            if question.strip().lower() in {"thoát", "thoat", "exit", "quit"}:
                return EXIT_OK
            print(_render(await kb.ask(question, args.top_k), settings))
