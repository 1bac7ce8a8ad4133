"""Command line: the parser and the dispatch; each command family lives in its own module."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from bot.cli.answering import cmd_ask, cmd_chat
from bot.cli.common import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, say
from bot.cli.editors import EDITOR_COMMANDS, add_editor_commands
from bot.cli.evaluating import cmd_eval
from bot.cli.ingesting import cmd_ingest
from bot.evaluation.beir import DatasetError
from bot.settings import Settings, SettingsError, load_settings

RunBot = Callable[[Settings], int]


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


COMMANDS = {"ingest": cmd_ingest, "ask": cmd_ask, "chat": cmd_chat, "eval": cmd_eval}
COMMANDS |= EDITOR_COMMANDS  # stats, check, purge


def main(argv: list[str] | None = None, run_bot: RunBot | None = None) -> int:
    """Parse, run one command, return its exit code; `run` needs a `run_bot` from the caller.

    The Telegram front end is handed in (by `bot.__main__`) because no layer may import it.
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(db_path=getattr(args, "db", None))
        if args.command == "run":
            if run_bot is None:
                say("Lệnh run cần chạy qua `python -m bot run` hoặc `egov-bot run`")
                return EXIT_USAGE
            return run_bot(settings)
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
