"""A first run anywhere: the shipped articles, the per-user database, and a knowledge folder that
is missing, empty, gone or replaced — each said in one line, never a silent "not found"."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers.cli import Run, child_env, run_bot
from tests.helpers.files import SEED_KNOWLEDGE, SEED_TITLE, markdown, write

QUESTION = "Chính quyền số là gì?"
DEFINITION = "Chính quyền số là hoạt động"
EMPTY = "Kho tri thức trống"


def assert_one_clean_line(run: Run) -> str:
    assert "Traceback" not in run.err
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    return lines[0]


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working directory with no knowledge/ in it, like a user's home."""
    folder = tmp_path / "somewhere"
    folder.mkdir()
    return folder


def test_from_any_folder_it_answers_from_the_shipped_articles(
    elsewhere: Path, tmp_path: Path
) -> None:
    run = run_bot(elsewhere, child_env(tmp_path / "db.sqlite3"), "ask", QUESTION)

    assert run.code == 0
    assert DEFINITION in run.out and SEED_TITLE in run.out
    assert "1 bài, 8 đoạn" in assert_one_clean_line(run)


def test_the_default_database_is_in_the_per_user_data_folder(
    elsewhere: Path, tmp_path: Path
) -> None:
    env = child_env(tmp_path / "unused.sqlite3", XDG_DATA_HOME=str(tmp_path / "xdg"))
    del env["BOT_DB_PATH"]
    run = run_bot(elsewhere, env, "ask", QUESTION)

    assert run.code == 0
    assert (tmp_path / "xdg" / "egov-bot" / "bot.sqlite3").is_file()
    assert not (elsewhere / "data").exists()


def test_a_missing_knowledge_folder_with_an_empty_database_is_one_clear_line(
    elsewhere: Path, tmp_path: Path
) -> None:
    env = child_env(tmp_path / "db.sqlite3", KNOWLEDGE_DIR=str(tmp_path / "nowhere"))
    run = run_bot(elsewhere, env, "ask", QUESTION)

    assert run.code == 2
    line = assert_one_clean_line(run)
    assert line.startswith(EMPTY) and str(tmp_path / "nowhere") in line
    assert run.out == ""


def test_an_empty_knowledge_folder_is_said_not_answered_with_not_found(
    elsewhere: Path, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    write(tmp_path / "empty" / "notes.docx", b"not an article")
    env = child_env(tmp_path / "db.sqlite3", KNOWLEDGE_DIR=str(tmp_path / "empty"))
    run = run_bot(elsewhere, env, "ask", QUESTION)

    assert run.code == 2
    line = assert_one_clean_line(run)
    assert line.startswith(EMPTY) and "không có bài viết nào" in line


def test_a_vanished_knowledge_folder_is_said_and_the_stored_articles_still_answer(
    elsewhere: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "kb"
    shutil.copytree(SEED_KNOWLEDGE, folder)
    env = child_env(tmp_path / "db.sqlite3", KNOWLEDGE_DIR=str(folder))
    assert run_bot(elsewhere, env, "ask", QUESTION).code == 0
    shutil.rmtree(folder)

    run = run_bot(elsewhere, env, "ask", QUESTION)

    assert run.code == 0 and DEFINITION in run.out
    line = assert_one_clean_line(run)
    assert line.startswith("Lưu ý: không có thư mục kho tri thức") and "1 bài" in line


def test_another_knowledge_folder_replaces_the_former_ones_articles(
    elsewhere: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db.sqlite3"
    first = child_env(db, KNOWLEDGE_DIR=str(SEED_KNOWLEDGE))
    assert run_bot(elsewhere, first, "ask", QUESTION).code == 0
    other = tmp_path / "other"
    body = "Hộ chiếu phổ thông được cấp tại cơ quan quản lý xuất nhập cảnh.\n"
    write(other / "ho-chieu.md", markdown("Cấp hộ chiếu phổ thông", [body]))

    run = run_bot(elsewhere, child_env(db, KNOWLEDGE_DIR=str(other)), "ask", "--json", QUESTION)

    assert "1 bài" in assert_one_clean_line(run)  # the refresh line: only the new folder's one
    assert SEED_TITLE not in run.out
