"""`ask` and `chat`: questions answered as the bot would write them."""

from __future__ import annotations

import argparse
import io
import json
import sys

from bot.cli.common import EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, opened, say
from bot.cli.terminal import enable_line_editing, for_terminal, read_question, save_history
from bot.core.answer import Answer, Outcome
from bot.core.followup import Context, context_of
from bot.core.formatting import PLAIN, TERMINAL, render_answer
from bot.engine import KnowledgeBase
from bot.settings import Settings


def answer_json(answer: Answer, message: str | None = None) -> dict:
    """The documented JSON shape of one answer."""
    payload: dict = {
        "question": answer.question,
        "answered": answer.answered,
        "confidence": round(answer.confidence, 4),
        "small_talk": answer.outcome is Outcome.SMALL_TALK,
        "unclear": answer.unclear,
        "unsure": answer.unsure,
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
    if answer.understood:
        payload["understood"] = answer.understood
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
    # Small talk is not a failed search: it got the reply it asked for.
    return EXIT_OK if answer.answered or answer.outcome is Outcome.SMALL_TALK else EXIT_PARTIAL


async def _ask_stream(kb: KnowledgeBase, top_k: int | None) -> int:
    """One question a line in, one JSON object a line out; the index loaded once."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")
    for line in sys.stdin:
        answer = await kb.ask(line, top_k)
        message = None if answer.answered else render_answer(answer, kb.settings.contact_line)
        print(json.dumps(answer_json(answer, message), ensure_ascii=False), flush=True)
    return EXIT_OK


QUIT_WORDS = {"thoát", "thoat", "exit", "quit"}


async def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """Questions typed at a terminal until 'thoát', Ctrl-D (exit 0) or Ctrl-C (exit 130)."""
    async with opened(settings) as kb:
        history = enable_line_editing()
        say("Hỏi tôi về chính quyền số, dịch vụ công… (gõ 'thoát', Ctrl-D hoặc Ctrl-C để kết thúc)")
        try:
            return await _chat_turns(kb, args.top_k, settings)
        finally:
            save_history(history)


async def _chat_turns(kb: KnowledgeBase, top_k: int | None, settings: Settings) -> int:
    """Ask and answer until the user leaves; the exit code says how they left.

    Each question is read as a possible follow-up of the one before, as in a private chat.
    """
    earlier: Context | None = None
    while True:
        print()
        try:
            # Read on the loop's own (main) thread: only there can Ctrl-C interrupt the read,
            # and nothing else runs meanwhile, so blocking the loop costs nothing.
            question = read_question("Bạn hỏi: ")
        except KeyboardInterrupt:
            print()  # the shell prompt starts on a line of its own
            return EXIT_INTERRUPTED
        if question is None:
            print()
            return EXIT_OK
        if question.strip().lower() in QUIT_WORDS:
            return EXIT_OK
        answer = await kb.ask(question, top_k, context=earlier)
        print(for_terminal(_render(answer, settings)), flush=True)
        if answer.outcome in (Outcome.ANSWERED, Outcome.NOT_FOUND):
            topic = answer.hits[0].citation.title if answer.answered else None
            earlier = context_of(answer.question, answer.follows, topic)
