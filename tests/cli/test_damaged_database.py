"""A damaged database file is said in one line with exit code 2, never read as empty."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core.text import TextPipeline
from tests.helpers.cli import child_env, run_bot
from tests.helpers.damage import garbage_file, overwrite_table, truncate, used_database

DAMAGED = "tệp cơ sở dữ liệu bị hỏng"
NOT_SQLITE = "tệp không phải cơ sở dữ liệu SQLite"


@pytest.fixture
async def used_db(tmp_path: Path, knowledge_dir: Path, pipeline: TextPipeline) -> Path:
    path = tmp_path / "data" / "bot.sqlite3"
    path.parent.mkdir()
    await used_database(path, knowledge_dir, pipeline)
    return path


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("command", ["purge", "stats", "check"])
def test_a_truncated_database_is_reported_not_read_as_empty(
    used_db: Path, tmp_path: Path, command: str
) -> None:
    truncate(used_db)
    done = run_bot(tmp_path, child_env(used_db), command)

    assert done.code == 2, done
    assert DAMAGED in one_line(done.err) and str(used_db) in done.err
    assert "Đã xoá" not in done.out


@pytest.mark.parametrize("damage", [truncate, lambda p: overwrite_table(p, "passages")])
def test_purge_of_a_damaged_file_deletes_nothing_and_says_so(
    used_db: Path, tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    damage(used_db)
    done = run_bot(tmp_path, child_env(used_db), "purge", "--days", "1")

    assert done.code == 2, done
    assert DAMAGED in one_line(done.err)
    assert "bản sao lưu" in done.err  # what to do about it


def test_purge_of_garbage_bytes_names_the_file(tmp_path: Path) -> None:
    path = garbage_file(tmp_path / "bot.sqlite3")
    done = run_bot(tmp_path, child_env(path), "purge")

    assert done.code == 2
    assert NOT_SQLITE in one_line(done.err) and str(path) in done.err
