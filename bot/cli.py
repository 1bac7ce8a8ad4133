"""Command line: ingest, ask, chat and eval on top of the answering core."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.answer import Answer, Outcome
from bot.cli_editors import EDITOR_COMMANDS, add_editor_commands
from bot.engine import KnowledgeBase, load_index
from bot.evaluation import DatasetError, Metrics, evaluate_baseline, evaluate_pipeline, load_dataset
from bot.formatting import PLAIN, TERMINAL, render_answer
from bot.ingest import ingest, needs_refresh
from bot.settings import Settings, SettingsError, load_settings
from bot.store import Store
from bot.text import TextPipeline

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@asynccontextmanager
async def opened(settings: Settings, refresh: bool = True) -> AsyncIterator[KnowledgeBase]:
    """A ready knowledge base; builds or refreshes the DB from knowledge/ when it is stale."""
    store = await Store.open(settings.db_path)
    try:
        pipeline = TextPipeline(abbreviations_file=settings.abbreviations_file)
        stale = await needs_refresh(
            store, pipeline, settings.knowledge_dir, settings.max_passage_words
        )
        if refresh and stale:
            await refresh_from_folder(store, pipeline, settings)
        yield await KnowledgeBase.open(store, pipeline, settings)
    finally:
        await store.close()


async def refresh_from_folder(store: Store, pipeline: TextPipeline, settings: Settings) -> None:
    """The one-line progress report of an automatic refresh."""
    folder = settings.knowledge_dir
    print(f"Đang cập nhật kho tri thức từ {folder}/ …", end=" ", file=sys.stderr, flush=True)
    report = await ingest(store, pipeline, [folder], False, settings.max_passage_words)
    articles, passages = await store.counts()
    say(f"xong: {articles} bài, {passages} đoạn ({report.seconds:.1f} s)")
    for error in report.errors:
        say(f"  bỏ qua {error}")


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
    sys.stdin.reconfigure(errors="replace")  # type: ignore[attr-defined]
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


async def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    paths = args.paths or [settings.knowledge_dir]
    store = await Store.open(settings.db_path)
    try:
        pipeline = TextPipeline(abbreviations_file=settings.abbreviations_file)
        report = await ingest(store, pipeline, paths, None, settings.max_passage_words)
        # Build and persist the index now, so the next start-up only loads it.
        await load_index(store, pipeline, settings)
        articles, passages = await store.counts()
    finally:
        await store.close()
    for error in report.errors:
        say(f"Lỗi: {error}")
    print(f"{report.summary()}. Kho tri thức: {articles} bài, {passages} đoạn → {settings.db_path}")
    return EXIT_OK if report.ok else EXIT_PARTIAL


def _metrics_table(rows: list[Metrics], folded: bool) -> str:
    head = f"{'':18} {'Acc@1':>7} {'R@5':>7} {'R@10':>7} {'MRR@10':>7}"
    lines = [f"Câu hỏi {'bỏ dấu' if folded else 'có dấu'} ({rows[0].queries} câu)", head]
    lines += [
        f"{m.name:18} {m.acc1:7.3f} {m.recall5:7.3f} {m.recall10:7.3f} {m.mrr10:7.3f}" for m in rows
    ]
    return "\n".join(lines)


async def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    dataset = load_dataset(args.dataset)
    pipeline = TextPipeline(abbreviations_file=settings.abbreviations_file)
    rows = [evaluate_pipeline(dataset, pipeline, settings.bm25, settings.title_weight, args.fold)]
    if not args.no_baseline:
        rows.append(evaluate_baseline(dataset, args.fold))
    print(_metrics_table(rows, args.fold))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ing = sub.add_parser(
        "ingest", help="nạp bài viết từ tệp, thư mục (mặc định knowledge/) hoặc trang web"
    )
    # Text, not Path: Path("https://a/b") would collapse the "//" of a web address.
    ing.add_argument(
        "paths",
        nargs="*",
        metavar="PATH|URL",
        help="tệp .md/.txt/.html, thư mục, hoặc địa chỉ http(s) của trang web, RSS/Atom, sitemap",
    )
    ask = sub.add_parser("ask", help="hỏi một câu; '-' đọc mỗi dòng một câu từ stdin")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    chat = sub.add_parser("chat", help="hỏi đáp trong terminal")
    for p in (ask, chat):
        p.add_argument("--top-k", type=int, choices=range(1, 11), metavar="K")
    for p in (ing, ask, chat):
        p.add_argument("--db", type=Path, help="tệp SQLite (mặc định BOT_DB_PATH)")
    run = sub.add_parser("run", help="chạy bot Telegram (polling, hoặc webhook khi có WEBHOOK_URL)")
    run.add_argument("--db", type=Path, help="tệp SQLite (mặc định BOT_DB_PATH)")
    ev = sub.add_parser("eval", help="đo chất lượng trên bộ dữ liệu kiểu BEIR")
    ev.add_argument("dataset", type=Path)
    ev.add_argument("--fold", action="store_true", help="bỏ dấu tiếng Việt khỏi câu hỏi")
    ev.add_argument("--no-baseline", action="store_true", help="không chạy rank-bm25 thuần")
    add_editor_commands(sub)
    return parser


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.telegram_app import run_bot  # the core CLI never needs Telegram

    return run_bot(settings)


COMMANDS = {"ingest": cmd_ingest, "ask": cmd_ask, "chat": cmd_chat, "eval": cmd_eval}
COMMANDS |= EDITOR_COMMANDS  # stats, check, purge


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m bot` and the console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(db_path=getattr(args, "db", None))
        if args.command == "run":
            return cmd_run(args, settings)
        return asyncio.run(COMMANDS[args.command](args, settings))
    except (SettingsError, DatasetError) as exc:
        say(str(exc))
        return EXIT_USAGE
    except sqlite3.DatabaseError as exc:
        say(f"Không mở được cơ sở dữ liệu {settings.db_path}: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader (e.g. `| head`) left early; silence the final flush as well.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
