"""Small talk on the command line: a friendly reply, exit code 0, and its JSON shape."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.formatting import NOT_FOUND, SMALL_TALK_INTRO, SMALL_TALK_OPENINGS
from bot.core.small_talk import Talk
from tests.helpers.cli import child_env, run_bot
from tests.helpers.files import SEED_KNOWLEDGE

DEFINITION = "Chính quyền số là hoạt động"
GREETING_AND_QUESTION = "Chào bạn, cho mình hỏi chính quyền số là gì?"


@pytest.fixture
def db(tmp_path: Path, knowledge_dir: Path) -> Path:
    """The DB path for in-process runs; cwd is tmp_path, so knowledge/ is the default folder."""
    assert knowledge_dir == tmp_path / "knowledge"
    return tmp_path / "data" / "bot.sqlite3"


@pytest.mark.parametrize(
    ("message", "kind"),
    [("chào bạn", Talk.GREETING), ("cam on ban", Talk.THANKS), ("??", Talk.PING)],
)
def test_ask_small_talk_is_a_friendly_reply_and_exit_0(
    db: Path, capsys: pytest.CaptureFixture[str], message: str, kind: Talk
) -> None:
    assert main(["ask", message, "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == f"{SMALL_TALK_OPENINGS[kind]} {SMALL_TALK_INTRO}"
    assert NOT_FOUND not in out


def test_ask_json_small_talk_shape(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "Thanks!", "--db", str(db)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload == {
        "question": "Thanks!",
        "answered": False,
        "confidence": 0.0,
        "small_talk": True,
        "unclear": False,
        "unsure": False,
        "results": [],
        "message": f"{SMALL_TALK_OPENINGS[Talk.THANKS]} {SMALL_TALK_INTRO}",
    }


def test_ask_json_greeting_with_a_question_is_answered(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "--json", GREETING_AND_QUESTION, "--db", str(db)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["answered"] is True and payload["small_talk"] is False
    assert DEFINITION in payload["results"][0]["text"]


def test_ask_dash_marks_small_talk_lines(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"xin chào\n{GREETING_AND_QUESTION}\n👍\n"))
    assert main(["ask", "-", "--db", str(db)]) == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["small_talk"] for a in answers] == [True, False, True]
    assert [a["answered"] for a in answers] == [False, True, False]
    assert answers[2]["message"].startswith(SMALL_TALK_OPENINGS[Talk.ACK])


def test_piped_chat_answers_small_talk_and_goes_on(tmp_path: Path) -> None:
    work = tmp_path / "work"
    shutil.copytree(SEED_KNOWLEDGE, work / "knowledge")
    env = child_env(work / "data" / "bot.sqlite3")
    stdin = f"xin chào\n{GREETING_AND_QUESTION}\ntạm biệt\nthoát\n".encode()
    run = run_bot(work, env, "chat", stdin=stdin)

    assert run.code == 0 and "Traceback" not in run.err
    assert run.out.count(SMALL_TALK_INTRO) == 2
    assert SMALL_TALK_OPENINGS[Talk.GREETING] in run.out
    assert SMALL_TALK_OPENINGS[Talk.GOODBYE] in run.out
    assert DEFINITION in run.out
