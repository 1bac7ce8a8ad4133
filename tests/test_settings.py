"""Settings: every key documented, validated at start-up with readable messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.actions import ActionReader, table_lines
from bot.core.text import TextPipeline
from bot.settings import Settings, SettingsError, load_settings

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / ".env.example"


def env_names() -> set[str]:
    """The environment variable of every setting (the first alias of each field)."""
    names = set()
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        names.add(alias.choices[0] if alias is not None else "")  # type: ignore[union-attr]
    return names


def test_env_example_lists_every_setting_with_a_comment() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    documented = set(re.findall(r"^([A-Z0-9_]+)=", text, flags=re.M))
    assert env_names() == documented
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^[A-Z0-9_]+=", line):
            above = [ln for ln in lines[:i] if ln.strip()][-1]
            assert above.startswith("#") or re.match(r"^[A-Z0-9_]+=", above), line


def test_env_example_loads_as_valid_settings() -> None:
    settings = Settings(_env_file=EXAMPLE)  # type: ignore[call-arg]
    assert settings.telegram_bot_token is None  # empty means unset
    assert settings.flood_limit == 10


def test_admin_ids_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_USER_IDS", "12, 34 56")
    assert load_settings().admin_user_ids == frozenset({12, 34, 56})


@pytest.mark.parametrize(
    ("token", "expected"),
    [(None, "Thiếu TELEGRAM_BOT_TOKEN"), ("abc", "sai định dạng"), ("123:short", "sai định dạng")],
)
def test_bad_tokens_get_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, token: str | None, expected: str
) -> None:
    if token:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    with pytest.raises(SettingsError, match=expected) as caught:
        load_settings().bot_token()
    assert "\n" not in str(caught.value)
    if token:
        assert token not in str(caught.value)


def test_a_good_token_is_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    token = "123456789:AAHtestTokenValue_abcdefghijklmnopqrstu"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    settings = load_settings()
    assert settings.bot_token() == token
    assert token not in repr(settings)


def test_webhook_secret_charset_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_SECRET", "has space!")
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET"):
        load_settings()


def test_log_level_is_case_insensitive_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().log_level == "INFO"
    monkeypatch.setenv("BOT_LOG_LEVEL", " warning ")
    assert load_settings().log_level == "WARNING"
    monkeypatch.setenv("BOT_LOG_LEVEL", "LOUD")
    with pytest.raises(SettingsError, match=r"BOT_LOG_LEVEL.*DEBUG, INFO"):
        load_settings()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://bot.example.gov.vn/tg", "https"),
        ("bot.example.gov.vn/tg", "https"),
        ("https://bot.example.gov.vn:8080/tg", "8443"),
    ],
)
def test_a_webhook_telegram_would_refuse_stops_at_start_up(url: str, reason: str) -> None:
    with pytest.raises(SettingsError, match=reason) as caught:
        load_settings(webhook_url=url, _env_file=None)
    assert "WEBHOOK_URL" in str(caught.value) or "webhook_url" in str(caught.value)


def test_a_webhook_on_a_port_telegram_calls_is_accepted() -> None:
    settings = load_settings(webhook_url="https://bot.example.gov.vn:8443/tg", _env_file=None)
    assert settings.webhook_url == "https://bot.example.gov.vn:8443/tg"


def test_the_shorthand_file_reaches_the_pipeline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli.common import pipeline_for

    extra = tmp_path / "short.tsv"
    extra.write_text("hsơ\thồ sơ\n", encoding="utf-8")
    monkeypatch.setenv("BOT_SHORTHAND_FILE", str(extra))
    pipeline = pipeline_for(Settings(_env_file=None))  # type: ignore[call-arg]
    assert pipeline.spell_out("HSƠ") == ("hồ", "sơ")


@pytest.mark.parametrize(
    "key", ["BOT_ABBREVIATIONS_FILE", "BOT_SHORTHAND_FILE", "BOT_ACTIONS_FILE"]
)
def test_an_editors_table_that_is_not_utf8_stops_at_start_up_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    table = tmp_path / "table.tsv"
    table.write_bytes("hủy\tthu hồi\n".encode("cp1258", errors="replace") + b"\xe9\n")
    monkeypatch.setenv(key, str(table))
    with pytest.raises(SettingsError) as refused:
        load_settings(_env_file=None)
    assert str(refused.value).count("\n") == 0
    assert key in str(refused.value) and "UTF-8" in str(refused.value)


def test_the_actions_file_is_read_beside_the_shipped_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = tmp_path / "actions.tsv"
    extra.write_text("nhập hộ\tnhập khẩu\n", encoding="utf-8")
    monkeypatch.setenv("BOT_ACTIONS_FILE", str(extra))
    settings = load_settings(_env_file=None)
    reader = ActionReader(TextPipeline(), table_lines(settings.actions_file))
    assert reader.read("nhập khẩu cho con", True) == {"nhập hộ"}
    assert reader.read("hủy đăng ký", True) == {"hủy"}
