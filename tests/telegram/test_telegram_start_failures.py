"""`python -m bot run` that cannot start: one clear line, exit code 2, and the process ends.

A hang here is what a supervisor cannot see: the process looks alive but never polls.
And what must not stop it: broken symlinks in the knowledge folder.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.core.text import TextPipeline
from bot.settings import Settings
from tests.helpers import updates as U
from tests.helpers.bot_runner import TOKEN, running_bot
from tests.helpers.cli import Run, child_env, run_bot
from tests.helpers.conversation import is_answer, replies
from tests.helpers.damage import garbage_file, overwrite_table, truncate, used_database
from tests.helpers.fake_bot_api import FakeBotApi
from tests.helpers.files import open_kb


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi(token=TOKEN) as fake:
        yield fake


def start(api: FakeBotApi, cwd: Path, db: Path, knowledge: Path, **extra: str) -> Run:
    """Run the bot until it exits by itself (the helper's guard fails a hung one)."""
    settings = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": api.base_url}
    return run_bot(cwd, child_env(db, KNOWLEDGE_DIR=str(knowledge), **settings, **extra), "run")


def the_line(done: Run) -> str:
    """The one line on stderr; no traceback, never the token."""
    lines = [line for line in done.err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.err, done.err
    assert TOKEN.split(":")[1] not in done.err
    return lines[0]


def test_a_file_of_garbage_bytes_stops_start_up(
    api: FakeBotApi, tmp_path: Path, knowledge_dir: Path
) -> None:
    db = garbage_file(tmp_path / "bot.sqlite3")
    done = start(api, tmp_path, db, knowledge_dir)

    assert done.code == 2
    assert "không phải cơ sở dữ liệu SQLite" in the_line(done)
    assert not api.calls_to("getUpdates")


DAMAGES: dict[str, Callable[[Path], None]] = {
    "truncated": truncate,
    "questions page overwritten": lambda path: overwrite_table(path, "questions"),
    "passages page overwritten": lambda path: overwrite_table(path, "passages"),
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
async def test_a_damaged_real_database_stops_start_up(
    api: FakeBotApi,
    tmp_path: Path,
    knowledge_dir: Path,
    pipeline: TextPipeline,
    damage: Callable[[Path], None],
) -> None:
    db = tmp_path / "data" / "bot.sqlite3"
    db.parent.mkdir()
    await used_database(db, knowledge_dir, pipeline)
    damage(db)
    done = start(api, tmp_path, db, knowledge_dir)

    assert done.code == 2
    line = the_line(done)
    assert "bị hỏng" in line and str(db) in line and "bản sao lưu" in line
    assert not api.calls_to("getUpdates")


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 another program listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield int(other.getsockname()[1])


def test_a_webhook_port_in_use_is_one_line_before_telegram_is_told(
    api: FakeBotApi, tmp_path: Path, knowledge_dir: Path, busy_port: int
) -> None:
    webhook = {
        "WEBHOOK_URL": "https://bot.example.gov.vn/tg",
        "WEBHOOK_PORT": str(busy_port),
        "WEBHOOK_LISTEN": "127.0.0.1",
    }
    done = start(api, tmp_path, tmp_path / "bot.sqlite3", knowledge_dir, **webhook)

    assert done.code == 2
    line = the_line(done)
    assert f"cổng webhook 127.0.0.1:{busy_port}" in line and "đang được" in line
    assert not api.calls_to("setWebhook")  # Telegram still delivers wherever it did before


async def test_broken_symlinks_in_knowledge_do_not_stop_a_restart(
    api: FakeBotApi, tmp_path: Path, settings: Settings, pipeline: TextPipeline
) -> None:
    async with open_kb(settings, pipeline):  # the bot ran before the links broke
        pass
    (settings.knowledge_dir / "da-xoa.md").symlink_to(tmp_path / "khong-con.md")
    (settings.knowledge_dir / "vong.md").symlink_to(settings.knowledge_dir / "vong.md")

    async with running_bot(settings, api):
        api.push_update(U.private_text("Chính quyền số là gì?"))
        [answer] = await replies(api, U.USER_ID, 1)

    assert is_answer(answer)
