"""Retention purge and /forget: old rows and one user's rows go, everything else stays."""

from __future__ import annotations

import asyncio
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest

from bot.cli.main import main
from bot.settings import Settings, SettingsError, load_settings
from bot.store.database import Store
from bot.store.privacy import (
    REDACTION_KEY,
    ForgetResult,
    forget_user,
    purge_older_than,
    redact_stored_questions,
)
from tests.helpers.questions import NOW, count_rows, log_question, vote


async def remaining_questions(store: Store) -> list[str]:
    async with store.db.execute("SELECT question FROM questions ORDER BY id") as cur:
        return [row[0] async for row in cur]


async def votes_of(store: Store) -> set[tuple[str, str]]:
    """(question text, voter) of every stored vote."""
    query = "SELECT q.question, v.user_hash FROM votes v JOIN questions q ON q.id = v.question_id"
    async with store.db.execute(query) as cur:
        return {(row[0], row[1]) async for row in cur}


async def test_question_is_stored_without_the_personal_data_it_held(store: Store) -> None:
    await log_question(store, "CCCD 031095012345 của tôi, sđt 0912 345 678, hỏi cấp lại", NOW)

    assert await remaining_questions(store) == [
        "CCCD [số CCCD] của tôi, sđt [số điện thoại], hỏi cấp lại"
    ]


async def test_questions_stored_before_redaction_are_redacted_once(store: Store) -> None:
    await log_question(store, "đổi CCCD", NOW)
    await store.db.execute(  # as an older version of the bot stored it
        "UPDATE questions SET question = 'Tôi tên là Nguyễn Văn An, email an@x.vn, đổi CCCD'"
    )
    await store.db.commit()

    assert await redact_stored_questions(store) == 1
    assert await remaining_questions(store) == ["Tôi tên là [họ tên], email [email], đổi CCCD"]
    assert await redact_stored_questions(store) == 0  # done once, not at every start


async def test_a_name_typed_with_combining_accents_is_not_stored(store: Store) -> None:
    # Some keyboards send "ễ" as "e" and two combining marks; the log keeps the composed text.
    typed = unicodedata.normalize("NFD", "Tôi tên là Nguyễn Văn An, đổi CCCD ở đâu")
    await log_question(store, typed, NOW)
    await log_question(store, "đổi CCCD", NOW)
    await store.db.execute(  # as the version before this one stored it
        "UPDATE questions SET question = ? WHERE question = 'đổi CCCD'", (typed,)
    )
    await store.set_meta(REDACTION_KEY, "1")  # commits the update with it

    assert await redact_stored_questions(store) == 1
    assert await remaining_questions(store) == ["Tôi tên là [họ tên], đổi CCCD ở đâu"] * 2


async def test_forgotten_questions_are_not_left_readable_in_the_database_file(
    store: Store,
) -> None:
    secret = "hỏi về thủ tục ly hôn đơn phương ở phường Lạch Tray"
    await log_question(store, secret, NOW, user="citizen")
    await log_question(store, "đổi giấy phép lái xe", NOW, user="someone-else")

    await forget_user(store, "citizen")
    await store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    on_disk = store.path.read_bytes()
    assert secret.encode() not in on_disk
    assert "đổi giấy phép lái xe".encode() in on_disk


async def test_purge_removes_only_rows_older_than_the_retention(store: Store) -> None:
    old = await log_question(store, "cũ", NOW - timedelta(days=100), passages=[1, 2], shown=1)
    edge = await log_question(store, "vừa đủ", NOW - timedelta(days=89, hours=23))
    new = await log_question(store, "mới", NOW - timedelta(days=3), passages=[3])
    await vote(store, old, "a", -1, NOW - timedelta(days=99))
    await vote(store, new, "a", 1, NOW - timedelta(days=2))
    await vote(store, edge, "b", 1, NOW - timedelta(days=91))  # a stale vote on a kept question

    result = await purge_older_than(store, 90, now=NOW)

    assert (result.questions, result.answers, result.votes) == (1, 1, 2)
    assert result.cutoff == NOW - timedelta(days=90)
    assert await remaining_questions(store) == ["vừa đủ", "mới"]
    assert await count_rows(store, "answers") == 2
    assert await votes_of(store) == {("mới", "a")}


async def test_purge_twice_deletes_nothing_more(store: Store) -> None:
    await log_question(store, "cũ", NOW - timedelta(days=400))
    await purge_older_than(store, 90, now=NOW)

    again = await purge_older_than(store, 90, now=NOW)

    assert (again.questions, again.answers, again.votes) == (0, 0, 0)


async def test_purge_refuses_a_retention_below_one_day(store: Store) -> None:
    with pytest.raises(ValueError):
        await purge_older_than(store, 0, now=NOW)


async def test_forget_removes_everything_of_one_user_only(store: Store) -> None:
    mine = await log_question(store, "của tôi", NOW, passages=[1], user="me")
    await log_question(store, "của tôi nữa", NOW - timedelta(days=1), user="me")
    theirs = await log_question(store, "của người khác", NOW, passages=[2], user="other")
    await vote(store, theirs, "me", -1, NOW)  # my vote on someone else's answer
    await vote(store, mine, "other", 1, NOW)  # their vote on my question goes with it
    await vote(store, theirs, "other", 1, NOW)

    result = await forget_user(store, "me")

    assert result == ForgetResult(questions=2, answers=2, votes=2)
    assert await remaining_questions(store) == ["của người khác"]
    assert await count_rows(store, "answers") == 1
    assert await votes_of(store) == {("của người khác", "other")}


async def test_forgetting_an_unknown_user_changes_nothing(store: Store) -> None:
    await log_question(store, "câu hỏi", NOW, user="someone")

    assert await forget_user(store, "nobody") == ForgetResult(0, 0, 0)
    assert await count_rows(store, "questions") == 1


def test_retention_defaults_to_90_days_and_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_settings().retention_days == 90
    monkeypatch.setenv("BOT_RETENTION_DAYS", "30")
    assert load_settings().retention_days == 30
    monkeypatch.setenv("BOT_RETENTION_DAYS", "0")
    with pytest.raises(SettingsError, match="BOT_RETENTION_DAYS"):
        load_settings()


# --- python -m bot purge ----------------------------------------------------------------------


def fill_ages(settings: Settings, ages_in_days: list[int]) -> None:
    """One question (with a vote) per age, relative to the real clock the command uses."""

    async def fill() -> None:
        store = await Store.open(settings.db_path)
        now = datetime.now(UTC)
        for age in ages_in_days:
            qid = await log_question(store, f"{age} ngày", now - timedelta(days=age))
            await vote(store, qid, "voter", 1, now - timedelta(days=age))
        await store.close()

    asyncio.run(fill())


def test_purge_command_uses_the_retention_setting(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    fill_ages(settings, [1, 20, 40, 200])
    monkeypatch.setenv("BOT_RETENTION_DAYS", "30")

    code = main(["purge", "--db", str(settings.db_path)])

    out = capsys.readouterr().out
    assert code == 0
    assert "Đã xoá 2 câu hỏi, 2 câu trả lời và 2 lượt đánh giá cũ hơn 30 ngày" in out


def test_purge_command_days_option_overrides_the_setting(
    settings: Settings, capsys: pytest.CaptureFixture
) -> None:
    fill_ages(settings, [1, 20, 40, 200])

    code = main(["purge", "--db", str(settings.db_path), "--days", "10"])

    assert code == 0
    assert "Đã xoá 3 câu hỏi" in capsys.readouterr().out


def test_purge_command_rejects_zero_days(settings: Settings, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["purge", "--db", str(settings.db_path), "--days", "0"])

    assert exit_info.value.code == 2
    assert "cần số ngày từ 1 đến 3650" in capsys.readouterr().err
