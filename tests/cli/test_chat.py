"""`chat` at a (pseudo-)terminal: history on the arrow keys, Ctrl-C, answers fitted to width."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.terminal import wrap_line, wrap_text
from bot.core.formatting import SOURCES
from tests.helpers.cli import child_env, run_bot
from tests.helpers.files import SEED_KNOWLEDGE, SEED_TITLE
from tests.helpers.terminal import CTRL_C, CTRL_D, UP_ARROW, Terminal

QUESTION = "chính quyền số là gì"
DEFINITION = "Chính quyền số là"
PROMPT = "Bạn hỏi: "
HINT = "Bạn chưa nhập câu hỏi"
# Ctrl-C must end the session at once, not after the next Enter; generous for a busy machine.
PROMPT_EXIT_SECONDS = 5
HUMAN_PAUSE_SECONDS = 0.5


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(SEED_KNOWLEDGE, tmp_path / "knowledge")
    return tmp_path


@pytest.fixture
def env(workdir: Path) -> dict[str, str]:
    # TERM so readline knows the keys; the history goes to the test's folder, not ~/.local.
    return child_env(workdir / "bot.sqlite3", TERM="xterm", XDG_DATA_HOME=str(workdir / "xdg"))


@pytest.fixture
def chat(workdir: Path, env: dict[str, str]) -> Iterator[Terminal]:
    run_bot(workdir, env, "ingest")  # built beforehand, so the session starts at once
    terminal = Terminal(workdir, env, "chat", columns=40)
    yield terminal
    terminal.close()


def answer_after(screen: str, nth: int) -> str:
    """The text between the nth echoed question and the next prompt."""
    turns = screen.split(PROMPT)
    return turns[nth].split("\n", 1)[1].strip("\n")


def test_arrow_up_recalls_the_previous_question(chat: Terminal, workdir: Path) -> None:
    chat.wait_for(PROMPT)
    chat.type(QUESTION + "\r")
    chat.wait_for(PROMPT, count=2)
    chat.type(UP_ARROW + b"\r")  # only the recalled question, nothing typed
    screen = chat.wait_for(SOURCES, count=2)

    assert HINT not in screen  # not an empty question
    assert screen.count(DEFINITION) == 2  # the same question answered again
    chat.wait_for(PROMPT, count=3)
    chat.type(CTRL_D)
    assert chat.exit_code(PROMPT_EXIT_SECONDS) == 0
    history = workdir / "xdg" / "egov-bot" / "chat_history"
    assert QUESTION in history.read_text(encoding="utf-8")


def test_ctrl_c_at_the_prompt_ends_at_once_with_130(chat: Terminal) -> None:
    chat.wait_for(PROMPT)
    # A person's pause. CPython's readline loop looks at signals only when its select() is
    # interrupted, so a ^C landing between drawing the prompt and that select() would wait for
    # the next key; a test typing within microseconds of the prompt would hit that race.
    time.sleep(HUMAN_PAUSE_SECONDS)
    started = time.monotonic()
    chat.type(CTRL_C)

    assert chat.exit_code(PROMPT_EXIT_SECONDS) == 130
    assert time.monotonic() - started < PROMPT_EXIT_SECONDS
    assert "Traceback" not in chat.screen


def test_answers_wrap_at_word_boundaries_to_the_terminal_width(
    chat: Terminal, workdir: Path, env: dict[str, str]
) -> None:
    chat.wait_for(PROMPT)
    chat.type(QUESTION + "\r")
    screen = chat.wait_for(PROMPT, count=2)
    chat.type("thoát\r")
    assert chat.exit_code(PROMPT_EXIT_SECONDS) == 0

    wrapped = answer_after(screen, 1)
    plain = run_bot(workdir, env, "ask", QUESTION).out.strip()  # a pipe: never wrapped
    assert all(len(line) <= 40 for line in wrapped.splitlines())
    assert len(wrapped.splitlines()) > len(plain.splitlines())
    assert wrapped.split() == plain.split()  # same words, none cut in two
    assert re.search(rf"^1\. {SEED_TITLE.split()[0]}", wrapped, re.M)  # the list mark kept


def test_piped_chat_reads_lines_without_a_terminal(workdir: Path, env: dict[str, str]) -> None:
    run = run_bot(workdir, env, "chat", stdin=f"{QUESTION}\n".encode())

    assert run.code == 0 and DEFINITION in run.out
    assert "\x1b" not in run.out  # no readline, no colours, no wrapping in a pipe
    assert not (workdir / "xdg").exists()  # nothing remembered from a pipe


@pytest.mark.parametrize(
    ("line", "width", "expected"),
    [
        ("một hai ba bốn năm", 10, ["một hai ba", "bốn năm"]),
        (
            "xem https://dichvucong.gov.vn/a/b nhé",
            12,
            ["xem", "https://dichvucong.gov.vn/a/b", "nhé"],
        ),
        ("1. Tiêu đề bài — 22/02/2023", 14, ["1. Tiêu đề bài", "   —", "   22/02/2023"]),
        ("• một hai ba bốn", 10, ["• một hai", "  ba bốn"]),
        ("\x1b[1mđậm\x1b[0m chữ thường", 9, ["\x1b[1mđậm\x1b[0m chữ", "thường"]),
    ],
)
def test_lines_break_between_words_links_whole_list_text_indented(
    line: str, width: int, expected: list[str]
) -> None:
    assert wrap_line(line, width) == expected


def test_paragraphs_stay_apart_and_a_tiny_width_is_left_alone() -> None:
    text = "đoạn một có vài chữ để xuống dòng\n\nđoạn hai"
    assert wrap_text(text, 20) == "đoạn một có vài chữ\nđể xuống dòng\n\nđoạn hai"
    assert wrap_text(text, 5) == text
