"""FAQ files end to end on the command line: file → automatic ingest → `python -m bot ask`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.formatting import NOT_FOUND, SOURCES
from tests.helpers.cli import child_env, run_bot
from tests.helpers.files import FAQ_DIR, FAQ_SERVICES_TITLE, SEED_KNOWLEDGE

PASSWORD = "Quên mật khẩu tài khoản dịch vụ công thì lấy lại thế nào?"
FIRST_SENTENCE = 'Trên trang đăng nhập, bấm "Quên mật khẩu" và nhập số điện thoại đã đăng ký.'


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A checkout whose knowledge/ holds the seed article and the two test FAQ files."""
    work = tmp_path / "work"
    shutil.copytree(SEED_KNOWLEDGE, work / "knowledge")
    for path in FAQ_DIR.glob("*.md"):
        shutil.copy(path, work / "knowledge")
    return work


def db_option(workdir: Path) -> list[str]:
    """In-process runs must never touch the per-user database of whoever runs the tests."""
    return ["--db", str(workdir / "data" / "bot.sqlite3")]


@pytest.mark.parametrize("question", ["Tôi quên mật khẩu dịch vụ công", "quen mat khau dvc"])
def test_ask_answers_a_paraphrase_from_the_pair_and_cites_the_faq(
    workdir: Path, question: str
) -> None:
    run = run_bot(workdir, child_env(workdir / "data" / "bot.sqlite3"), "ask", question)

    assert run.code == 0, run.out + run.err
    assert "Traceback" not in run.err
    assert run.out.startswith(f"Về: {PASSWORD}\n\n{FIRST_SENTENCE}")
    sources = run.out.split(f"{SOURCES}\n", 1)[1]
    assert sources.startswith(f"1. {FAQ_SERVICES_TITLE} — 01/07/2024")


def test_ask_json_gives_the_faq_file_and_a_confidence_above_the_threshold(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(workdir)
    assert main(["ask", "--json", "quen mat khau tai khoan dich vu cong", *db_option(workdir)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["answered"] and payload["confidence"] >= 0.4
    top = payload["results"][0]
    assert top["title"] == FAQ_SERVICES_TITLE
    assert top["source"] == str((workdir / "knowledge" / "hoi-dap-dich-vu-cong.md").resolve())
    assert top["text"].startswith(FIRST_SENTENCE)


def test_ask_says_not_found_when_no_pair_answers(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(workdir)
    assert main(["ask", "Mất giấy phép lái xe thì làm sao?", *db_option(workdir)]) == 1
    out = capsys.readouterr().out
    assert NOT_FOUND in out and "Về:" not in out and SOURCES not in out
