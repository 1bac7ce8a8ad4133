"""One language for the people the CLI talks to: help, usage errors and settings in Vietnamese."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import __version__
from bot.cli.main import main, program_name
from bot.settings import SettingsError, load_settings
from tests.helpers.cli import child_env, run_bot
from tests.helpers.files import REPO_ROOT, SEED_KNOWLEDGE

COMMANDS = ("ingest", "ask", "chat", "run", "eval", "stats", "check", "purge")
# argparse's and pydantic's own English, which must never reach a user.
ENGLISH = (
    "usage:",
    "positional arguments",
    "options:",
    "show this help message",
    "error:",
    "the following arguments are required",
    "invalid choice",
    "unrecognized arguments",
    "Input should",
    "Value error",
)


def assert_vietnamese(text: str) -> None:
    for phrase in ENGLISH:
        assert phrase not in text, phrase


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(SEED_KNOWLEDGE, tmp_path / "knowledge")
    return tmp_path


def test_help_lists_every_command_in_vietnamese(workdir: Path) -> None:
    run = run_bot(workdir, child_env(workdir / "bot.sqlite3"), "--help")

    assert run.code == 0 and run.err == ""
    assert run.out.startswith("Cách dùng: python -m bot ")
    assert "Trợ lý hỏi đáp chính quyền số" in run.out and "--version" in run.out
    listed = {line.split()[0] for line in run.out.splitlines() if line.startswith("    ")}
    assert set(COMMANDS) <= listed
    assert "in hướng dẫn này rồi thoát" in run.out and "Mã thoát:" in run.out
    assert_vietnamese(run.out)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_help_is_vietnamese(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    assert out.startswith(f"Cách dùng: python -m bot {command}")
    assert "tùy chọn:" in out
    assert_vietnamese(out)


def test_the_console_script_names_itself_egov_bot(workdir: Path) -> None:
    script = Path(sys.executable).with_name("egov-bot")
    if not script.exists():
        pytest.skip("egov-bot is not installed in this environment (pip install -e .)")
    env = child_env(workdir / "bot.sqlite3")
    done = subprocess.run([script, "--help"], cwd=workdir, env=env, capture_output=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.decode().startswith("Cách dùng: egov-bot ")


def test_version(workdir: Path) -> None:
    run = run_bot(workdir, child_env(workdir / "bot.sqlite3"), "--version")
    assert (run.code, run.out) == (0, f"egov-bot {__version__}\n")


@pytest.mark.parametrize(
    ("argv0", "prog"),
    [
        (str(REPO_ROOT / "bot" / "__main__.py"), "python -m bot"),
        ("/usr/local/bin/egov-bot", "egov-bot"),
        ("C:\\venv\\Scripts\\egov-bot.exe", "egov-bot"),
        ("/usr/bin/pytest", "python -m bot"),
    ],
)
def test_program_name_follows_how_it_was_started(argv0: str, prog: str) -> None:
    assert program_name(argv0.replace("\\", "/")) == prog


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "thiếu tham số bắt buộc: LỆNH"),
        (["hoi"], "tham số LỆNH: lựa chọn không hợp lệ: 'hoi' (chọn một trong: 'ingest'"),
        (["ask"], "thiếu tham số bắt buộc: CÂU_HỎI"),
        (["ask", "một", "hai"], "không hiểu tham số: hai"),
        (
            ["ask", "--top-k", "ba", "q"],
            "tham số --top-k: giá trị 'ba' không hợp lệ: cần số nguyên",
        ),
        (["ask", "--top-k", "11", "q"], "tham số --top-k: lựa chọn không hợp lệ: 11"),
        (["ask", "--top-k"], "tham số --top-k: cần một giá trị"),
        (["stats", "--since", "0"], "tham số --since: cần số ngày từ 1 đến 3650"),
    ],
)
def test_usage_errors_are_vietnamese_with_exit_2(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as usage:
        main(argv)
    err = capsys.readouterr().err
    assert usage.value.code == 2
    usage_line, message = err.strip().splitlines()[0], err.strip().splitlines()[-1]
    assert usage_line.startswith("Cách dùng: python -m bot")
    assert message.startswith("python -m bot") and ": lỗi: " in message
    assert expected in message
    assert_vietnamese(err)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("BOT_TOP_K", "ba", "BOT_TOP_K: cần một số nguyên"),
        ("BOT_TOP_K", "2.5", "BOT_TOP_K: cần một số nguyên"),
        ("BOT_TOP_K", "0", "BOT_TOP_K: phải lớn hơn hoặc bằng 1"),
        ("bot_top_k", "11", "BOT_TOP_K: phải nhỏ hơn hoặc bằng 10"),
        ("BM25_K1", "0", "BM25_K1: phải lớn hơn 0"),
        ("BM25_B", "một nửa", "BM25_B: cần một số"),
        ("BOT_RELOAD_SECONDS", "1e9", "BOT_RELOAD_SECONDS: phải nhỏ hơn hoặc bằng 86400"),
        ("ADMIN_USER_IDS", "12,lan", "ADMIN_USER_IDS: cần các số id Telegram"),
        ("WEBHOOK_SECRET", "có dấu", "WEBHOOK_SECRET: chỉ dùng A-Z"),
        ("BOT_ABBREVIATIONS_FILE", "khong-co.tsv", "BOT_ABBREVIATIONS_FILE: không có tệp"),
        ("BOT_SHORTHAND_FILE", "khong-co.tsv", "BOT_SHORTHAND_FILE: không có tệp"),
    ],
)
def test_settings_errors_are_vietnamese_and_name_the_key(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith("Cấu hình không hợp lệ — ")
    assert expected in message and "\n" not in message
    assert_vietnamese(message)


def test_a_setting_given_by_field_name_is_still_named_by_its_key() -> None:
    with pytest.raises(SettingsError, match="BOT_RETENTION_DAYS: phải lớn hơn hoặc bằng 1"):
        load_settings(retention_days=0)
