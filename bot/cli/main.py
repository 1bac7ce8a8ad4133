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

from bot import __version__
from bot.cli.answering import cmd_ask, cmd_chat
from bot.cli.common import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, say
from bot.cli.editors import EDITOR_COMMANDS, add_editor_commands
from bot.cli.evaluating import cmd_eval, kb_size
from bot.cli.ingesting import cmd_ingest
from bot.cli.parsing import VietnameseParser
from bot.evaluation.beir import DatasetError
from bot.settings import Settings, SettingsError, load_settings

RunBot = Callable[[Settings], int]


# Line breaks are kept as written (RawDescriptionHelpFormatter), so lines stay under 80.
DESCRIPTION = """Trợ lý hỏi đáp chính quyền số: trả lời câu hỏi của người dân về dịch vụ công,
hồ sơ, căn cước… bằng các bài viết tin cậy trong kho tri thức, có trích dẫn nguồn."""
EPILOG = """Mã thoát: 0 thành công; 1 ask không tìm thấy câu trả lời, ingest bỏ qua tệp lỗi
hoặc check thấy vấn đề; 2 dùng sai lệnh hoặc cấu hình sai; 130 bị ngắt (Ctrl-C).
Xem thêm: %(prog)s LỆNH --help"""
DB_HELP = "tệp SQLite (mặc định BOT_DB_PATH)"


RESTORE = " (chép lại bản sao lưu vào chỗ tệp này, hoặc chuyển tệp đi để tạo cơ sở dữ liệu mới)"
# SQLite's own messages are English; the ones a user meets with a wrong or busy file.
SQLITE_REASONS = {
    "file is not a database": "tệp không phải cơ sở dữ liệu SQLite" + RESTORE,
    "database disk image is malformed": "tệp cơ sở dữ liệu bị hỏng" + RESTORE,
    "database is locked": "cơ sở dữ liệu đang bị một tiến trình khác khoá",
    "unable to open database file": "không mở được tệp",
    "attempt to write a readonly database": "cơ sở dữ liệu chỉ cho đọc",
}
LEVEL_NAMES = {"WARNING": "Cảnh báo", "ERROR": "Lỗi", "CRITICAL": "Lỗi nghiêm trọng"}


class LogFormatter(logging.Formatter):
    """Library warnings a CLI user may see, with the level named in Vietnamese."""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)  # other handlers keep the original
        record.levelname = LEVEL_NAMES.get(record.levelname, record.levelname)
        return super().format(record)


def _log_to_stderr() -> None:
    """Warnings and errors on stderr in our format; a test runner's own handlers are left alone."""
    logging.basicConfig(level=logging.WARNING)
    # underthesea calls basicConfig when imported, so the plain stderr handler may be its one.
    for handler in logging.getLogger().handlers:
        if type(handler) is logging.StreamHandler:
            handler.setFormatter(LogFormatter("%(levelname)s %(name)s: %(message)s"))


def sqlite_reason(exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    return SQLITE_REASONS.get(text.lower(), text)


def program_name(argv0: str) -> str:
    """How the user started us: `egov-bot` (the console script) or `python -m bot`."""
    name = Path(argv0).stem  # "egov-bot.exe" on Windows is still egov-bot
    return name if name.startswith("egov-bot") else "python -m bot"


def build_parser(prog: str = "python -m bot") -> argparse.ArgumentParser:
    parser = VietnameseParser(prog=prog, description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument(
        "--version", action="version", version=f"egov-bot {__version__}", help="in phiên bản"
    )
    sub = parser.add_subparsers(dest="command", required=True, title="lệnh", metavar="LỆNH")
    _add_answer_commands(sub)
    run = sub.add_parser("run", help="chạy bot Telegram (polling, hoặc webhook khi có WEBHOOK_URL)")
    run.add_argument("--db", type=Path, metavar="TỆP", help=DB_HELP)
    ev = sub.add_parser("eval", help="đo chất lượng trên bộ dữ liệu kiểu BEIR")
    ev.add_argument(
        "datasets",
        type=Path,
        nargs="+",
        metavar="BỘ_DỮ_LIỆU",
        help="thư mục BEIR (corpus, queries, qrels); có thể nhiều thư mục",
    )
    typed = ev.add_mutually_exclusive_group()
    typed.add_argument("--fold", action="store_true", help="bỏ dấu tiếng Việt khỏi câu hỏi")
    typed.add_argument(
        "--chat",
        action="store_true",
        help="viết câu hỏi như nhắn tin: bỏ dấu, viết tắt (ko, dc, j…), một phần tư chữ hoa",
    )
    ev.add_argument("--no-baseline", action="store_true", help="không chạy rank-bm25 thuần")
    ev.add_argument(
        "--honesty",
        action="store_true",
        help="chia đôi kho: đúng khi có bài, trung thực khi không có, theo từng ngưỡng",
    )
    ev.add_argument(
        "--off-topic",
        type=Path,
        nargs="+",
        metavar="TỆP",
        help="câu hỏi ngoài chủ đề, mỗi dòng một câu; tệp đầu vào bảng và --fit, "
        "các tệp sau là danh sách để riêng, chỉ được đếm",
    )
    ev.add_argument(
        "--kb-size",
        type=kb_size,
        metavar="N",
        help="với --honesty: kho nhỏ N bài (tối đa 40 kho) thay cho nửa bộ dữ liệu",
    )
    ev.add_argument("--plot", type=Path, metavar="TỆP.png", help="vẽ đường đúng–trung thực")
    ev.add_argument(
        "--fit", action="store_true", help="khớp lại mô hình độ tin cậy trên các bộ dữ liệu"
    )
    add_editor_commands(sub)
    return parser


def _add_answer_commands(sub: argparse._SubParsersAction) -> None:
    """ingest, ask and chat: the commands that fill or read the knowledge base."""
    ing = sub.add_parser(
        "ingest", help="nạp bài viết từ tệp, thư mục (mặc định knowledge/) hoặc trang web"
    )
    # Text, not Path: Path("https://a/b") would collapse the "//" of a web address.
    ing.add_argument(
        "paths",
        nargs="*",
        metavar="ĐƯỜNG_DẪN|URL",
        help="tệp .md/.txt/.html, thư mục, hoặc địa chỉ http(s) của trang web, RSS/Atom, sitemap",
    )
    ask = sub.add_parser("ask", help="hỏi một câu; '-' đọc mỗi dòng một câu từ stdin")
    ask.add_argument("question", metavar="CÂU_HỎI", help="câu hỏi, hoặc - để đọc từ stdin")
    ask.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    chat = sub.add_parser("chat", help="hỏi đáp trong terminal (Ctrl-D hoặc 'thoát' để dừng)")
    for p in (ask, chat):
        p.add_argument(
            "--top-k",
            type=int,
            choices=range(1, 11),
            metavar="K",
            help="số nguồn trích dẫn, 1–10 (mặc định BOT_TOP_K)",
        )
    for p in (ing, ask, chat):
        p.add_argument("--db", type=Path, metavar="TỆP", help=DB_HELP)


COMMANDS = {"ingest": cmd_ingest, "ask": cmd_ask, "chat": cmd_chat, "eval": cmd_eval}
COMMANDS |= EDITOR_COMMANDS  # stats, check, purge


def main(argv: list[str] | None = None, run_bot: RunBot | None = None) -> int:
    """Parse, run one command, return its exit code; `run` needs a `run_bot` from the caller.

    The Telegram front end is handed in (by `bot.__main__`) because no layer may import it.
    """
    args = build_parser(program_name(sys.argv[0])).parse_args(argv)
    _log_to_stderr()
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
        say(f"Không mở được cơ sở dữ liệu {settings.db_path}: {sqlite_reason(exc)}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader (e.g. `| head`) left early; silence the final flush as well.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
