"""Admin and privacy commands end to end: the real Application polling the fake Bot API.

/privacy and /forget for everyone; /stats and /reload for admins only, in private; the watch
job that reloads knowledge/ by itself, and the daily retention purge.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.core.formatting import NOT_FOUND
from bot.editors.reports import local_day
from bot.settings import Settings
from bot.store.database import Store
from bot.store.records import hash_user
from bot.telegram import texts
from tests.helpers import updates as U
from tests.helpers.bot_runner import running_bot
from tests.helpers.conversation import ask, buttons, press, reply_to, visible
from tests.helpers.fake_bot_api import Call, FakeBotApi
from tests.helpers.files import SEED_TITLE, make_settings, markdown, write
from tests.helpers.questions import log_question

JSON = dict[str, Any]
TIMEOUT = 10.0  # a guard against hangs only; nothing here is timed
PNG_MAGIC = "89504e470d0a1a0a"
ADMIN_NAMES = {name for name, _ in texts.ADMIN_COMMANDS}
QUESTION = "Chính quyền số là gì?"
GOLD = ("Giá vàng hôm nay bao nhiêu?", "gia vang hom nay")
NEW_TITLE = "Đổi giấy phép lái xe trực tuyến"
NEW_QUESTION = "Đổi giấy phép lái xe trực tuyến thế nào?"
FEE_QUESTION = "Lệ phí đổi giấy phép lái xe là bao nhiêu?"


def licence_article(fee: str = "135.000") -> str:
    """A Markdown article on a topic the seed article does not cover."""
    return markdown(
        NEW_TITLE,
        [
            "Người dân đổi giấy phép lái xe trực tuyến trên Cổng Dịch vụ công quốc gia, "
            "không cần đến trụ sở Sở Giao thông vận tải.",
            f"Lệ phí đổi giấy phép lái xe là {fee} đồng, nộp trực tuyến khi đăng ký hồ sơ.",
        ],
    )


def admin_settings(tmp_path: Path, knowledge_dir: Path, **overrides: Any) -> Settings:
    """USER_ID is the admin; no watch job unless asked for, so reloads happen on command."""
    values = {"admin_user_ids": frozenset({U.USER_ID}), "reload_seconds": 0} | overrides
    return make_settings(tmp_path, knowledge_dir, **values)


@asynccontextmanager
async def bot(settings: Settings) -> AsyncIterator[tuple[FakeBotApi, Application]]:
    """The fake Bot API and the real Application polling it, for the block's duration."""
    async with FakeBotApi() as api, running_bot(settings, api) as app:
        yield api, app


async def replies(api: FakeBotApi, update: JSON, count: int) -> list[Call]:
    """Push one update and return the next `count` sendMessage calls."""
    before = len(api.calls_to("sendMessage"))
    api.push_update(update)
    return (await api.wait_for("sendMessage", before + count, timeout=TIMEOUT))[before:]


def sql(settings: Settings, query: str, *args: Any) -> list[tuple]:
    """Rows straight from the bot's SQLite file."""
    with sqlite3.connect(settings.db_path) as db:
        return db.execute(query, args).fetchall()


def menu(api: FakeBotApi, scope: JSON) -> set[str]:
    """Command names registered with setMyCommands for `scope` (no language code)."""
    key = json.dumps([scope, ""], sort_keys=True)  # FakeBotApi's key for (scope, language)
    return {c["command"] for c in api.commands.get(key, [])}


def assert_cites(call: Call, title: str) -> None:
    """An answer (HTML, sources) that cites `title` first."""
    assert call.params["parse_mode"] == "HTML"
    text = visible(call)
    assert "Nguồn:" in text and f"1. {title}" in text, text


async def answer_citing(api: FakeBotApi, question: str, title: str, expected: str) -> Call:
    """Ask until the answer cites `title` and contains `expected` (the watch job is async)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        call = await reply_to(api, U.private_text(question))
        text = visible(call)
        if f"1. {title}" in text and expected in text:
            return call
        assert time.monotonic() < deadline, f"never answered from {title!r}: {text}"
        await asyncio.sleep(0.1)


# --- /privacy and /forget ------------------------------------------------------------------


async def test_privacy_says_what_is_stored_for_how_long_and_how_to_delete(
    tmp_path: Path, knowledge_dir: Path
) -> None:
    settings = make_settings(tmp_path, knowledge_dir, retention_days=30)
    async with bot(settings) as (api, _):
        call = await reply_to(api, U.private_text("/privacy"))

    assert call.params["parse_mode"] == "HTML"
    text = visible(call)
    assert text.startswith("Dữ liệu tôi lưu về bạn")
    assert "Câu hỏi bạn gửi" in text and "👍/👎" in text
    assert "số điện thoại, email, biển số xe và họ tên trong câu hỏi được che" in text
    assert "sau 30 ngày" in text and "90 ngày" not in text
    assert "/forget" in text


async def test_forget_deletes_the_users_questions_and_votes_only(settings: Settings) -> None:
    other = U.USER_ID + 1
    async with bot(settings) as (api, app):
        answer = await ask(api, QUESTION)
        await ask(api, GOLD[0])
        vote = await press(api, buttons(answer)["👎"], answer)
        await ask(api, QUESTION, user_id=other)
        forgot = await reply_to(api, U.private_text("/forget"))
        again = await press(api, buttons(answer)["👍"], answer)  # an old button
        salt = app.bot_data["core"].salt

    assert vote.params["text"] == texts.VOTE_THANKS[-1]
    assert forgot.params["text"] == texts.FORGOTTEN.format(questions=2, votes=1)
    assert "2 câu hỏi (cùng các câu trả lời) và 1 lượt đánh giá" in forgot.params["text"]
    mine, theirs = hash_user(U.USER_ID, salt), hash_user(other, salt)
    assert sql(settings, "SELECT user_hash, question FROM questions") == [(theirs, QUESTION)]
    assert sql(settings, "SELECT COUNT(*) FROM votes") == [(0,)]
    assert sql(settings, "SELECT COUNT(*) FROM answers") == [(1,)]  # the other user's
    assert not sql(settings, "SELECT 1 FROM questions WHERE user_hash = ?", mine)
    assert again.params["text"] == texts.EXPIRED  # "old buttons no longer work", as promised


# --- who sees the admin commands -----------------------------------------------------------


async def test_admin_commands_do_not_exist_for_other_users(
    tmp_path: Path, knowledge_dir: Path
) -> None:
    admin = U.USER_ID + 1
    settings = make_settings(tmp_path, knowledge_dir, admin_user_ids=frozenset({admin}))
    async with bot(settings) as (api, _):
        help_text = (await reply_to(api, U.private_text("/help"))).params["text"]
        private = [await reply_to(api, U.private_text(cmd)) for cmd in ("/stats", "/reload")]
        for cmd in ("/stats", "/reload", "/stats 7"):
            api.push_update(U.group_text(cmd))  # a non-admin in a group
            api.push_update(U.group_text(cmd, user_id=admin))  # admin commands are private-only
        sentinel = await reply_to(api, U.group_text(f"@CqsHaiPhongBot {QUESTION}"))
    # Leaving the block waited for every pending update: all replies are recorded by now.

    group_sends = [c for c in api.calls_to("sendMessage") if c.params["chat_id"] == U.GROUP_ID]
    assert group_sends == [sentinel]
    assert not api.calls_to("sendPhoto")
    assert [c.params["text"] for c in private] == [help_text, help_text]
    assert sql(settings, "SELECT question FROM questions") == [(QUESTION,)]  # commands not logged
    assert not menu(api, {"type": "default"}) & ADMIN_NAMES
    assert menu(api, {"type": "default"}) == {name for name, _ in texts.COMMANDS}
    assert not menu(api, {"type": "chat", "chat_id": U.USER_ID})


async def test_admin_gets_a_chat_scoped_menu_with_stats_and_reload(
    tmp_path: Path, knowledge_dir: Path
) -> None:
    async with bot(admin_settings(tmp_path, knowledge_dir)) as (api, _):
        pass

    everyone = {name for name, _ in texts.COMMANDS}
    assert menu(api, {"type": "default"}) == everyone
    assert menu(api, {"type": "chat", "chat_id": U.USER_ID}) == everyone | ADMIN_NAMES


# --- /stats --------------------------------------------------------------------------------


async def test_stats_reports_counts_rate_grouped_unanswered_and_a_chart(
    tmp_path: Path, knowledge_dir: Path
) -> None:
    settings = admin_settings(tmp_path, knowledge_dir)
    html_question = "Thuế <đất> & nhà ở bao nhiêu?"
    async with bot(settings) as (api, _):
        await ask(api, QUESTION)
        for question in (*GOLD, html_question):
            await ask(api, question, user_id=U.USER_ID + 1)
        stats = await reply_to(api, U.private_text("/stats"))
        [photo] = await api.wait_for("sendPhoto", 1, timeout=TIMEOUT)
        week = await reply_to(api, U.private_text("/stats 7"))
        week_photo = (await api.wait_for("sendPhoto", 2, timeout=TIMEOUT))[1]

    assert sql(settings, "SELECT answered FROM questions ORDER BY id") == [(1,), (0,), (0,), (0,)]
    assert stats.params["parse_mode"] == "HTML"
    assert "&lt;đất&gt; &amp;" in stats.params["text"]  # escaped, and the fake accepted it
    text = visible(stats)
    assert text.startswith("📊 Thống kê 30 ngày")
    assert "Câu hỏi: 4, trả lời được: 1 (25%)" in text
    logged = [
        (local_day(at), ok) for at, ok in sql(settings, "SELECT asked_at, answered FROM questions")
    ]
    for day, n in Counter(day for day, _ in logged).items():  # one day, unless run at midnight
        ok = sum(answered for d, answered in logged if d == day)
        assert f"{day:%d/%m}: {n} câu, trả lời {ok / n * 100:.0f}%" in text
    assert "Câu hỏi chưa trả lời được (gộp theo cách hỏi):" in text
    [gold] = [line for line in text.splitlines() if line.startswith("• 2×")]
    assert all(wording in gold for wording in GOLD)
    assert f"• 1× {html_question}" in text
    assert f"1 lần: {SEED_TITLE}" in text  # the answered question cited the seed article
    # The chart follows the text, as a PNG upload with its caption.
    assert api.calls.index(photo) > api.calls.index(stats)
    assert photo.params["chat_id"] == U.USER_ID
    assert photo.params["photo"]["head"] == PNG_MAGIC and photo.params["photo"]["size"] > 1000
    assert photo.params["caption"] == texts.STATS_PLOT_CAPTION.format(days=30)
    assert visible(week).startswith("📊 Thống kê 7 ngày")
    assert week_photo.params["caption"] == texts.STATS_PLOT_CAPTION.format(days=7)


async def test_stats_shows_near_misses_of_the_bots_threshold(
    tmp_path: Path, knowledge_dir: Path
) -> None:
    settings = admin_settings(tmp_path, knowledge_dir, min_confidence=0.5)  # band [0.35, 0.65)
    store = await Store.open(settings.db_path)
    now = datetime.now(UTC)
    for text, answered, confidence in [
        ("đổi thẻ căn cước", True, 0.52),
        ("giá vàng hôm nay", False, 0.41),
        ("gia vang hom nay", False, 0.2),
        ("nộp thuế đất", False, None),  # an old row: no confidence, never a near miss
    ]:
        await log_question(store, text, now, answered=answered, confidence=confidence)
    await store.close()
    async with bot(settings) as (api, _):
        await ask(api, QUESTION)  # a real question: its confidence is stored too
        stats = await reply_to(api, U.private_text("/stats"))

    [(confidence,)] = sql(settings, "SELECT confidence FROM questions WHERE question = ?", QUESTION)
    assert 0.5 <= confidence <= 1
    text = visible(stats)
    assert "Sát ngưỡng (BOT_MIN_CONFIDENCE 0.5, biên ±0.15):" in text
    assert "• 0.52 đổi thẻ căn cước" in text and "• 0.41 giá vàng hôm nay" in text
    [gold] = [line for line in text.splitlines() if line.startswith("• 2×")]
    assert gold.endswith(" — 1 câu sát ngưỡng")
    assert "nộp thuế đất —" not in text


async def test_stats_on_an_empty_database_and_with_bad_days(
    tmp_path: Path, knowledge_dir: Path
) -> None:
    async with bot(admin_settings(tmp_path, knowledge_dir)) as (api, _):
        empty = await reply_to(api, U.private_text("/stats"))
        bad = [await reply_to(api, U.private_text(f"/stats {d}")) for d in ("abc", "0", "366")]
    # Leaving the block waited for every pending update: a chart would have been sent by now.

    assert "Chưa có câu hỏi nào trong thời gian này." in visible(empty)
    assert [c.params["text"] for c in bad] == [texts.STATS_USAGE] * 3
    assert visible(bad[0]) == "Dùng: /stats hoặc /stats SỐ_NGÀY (1–365)."
    assert not api.calls_to("sendPhoto")


# --- /reload and the watch job -------------------------------------------------------------


async def test_reload_loads_a_new_article_and_answers_from_it(
    tmp_path: Path, knowledge_dir: Path
) -> None:
    settings = admin_settings(tmp_path, knowledge_dir)
    async with bot(settings) as (api, _):
        before = await reply_to(api, U.private_text(NEW_QUESTION))
        write(knowledge_dir / "doi-gplx.md", licence_article())
        started, done = await replies(api, U.private_text("/reload"), 2)
        after = await reply_to(api, U.private_text(NEW_QUESTION))

    assert NOT_FOUND in visible(before)
    assert started.params["text"] == texts.RELOAD_STARTED
    assert done.params["parse_mode"] == "HTML"
    [(total,)] = sql(settings, "SELECT COUNT(*) FROM passages")
    [(new,)] = sql(
        settings,
        "SELECT COUNT(*) FROM passages p JOIN articles a ON a.id = p.article_id WHERE a.title = ?",
        NEW_TITLE,
    )
    text = visible(done)
    assert text.startswith("✅ Đã nạp lại: 1 tệp mới, 0 cập nhật, 1 không đổi, 0 gỡ bỏ;")
    assert f"; {new} đoạn được tách từ" in text
    assert f"Chỉ mục đang phục vụ: {total} đoạn, chỉ mục mới đã thay chỉ mục cũ." in text
    assert texts.RELOAD_FILE_ERRORS not in text
    assert_cites(after, NEW_TITLE)
    assert "không cần đến trụ sở Sở Giao thông vận tải" in visible(after)


async def test_reload_lists_broken_files_escaped_and_still_loads_the_good_one(
    tmp_path: Path, knowledge_dir: Path
) -> None:
    settings = admin_settings(tmp_path, knowledge_dir)
    broken = ["hong.md", "tin <b> & bài.md"]  # unescaped, either name breaks Telegram's HTML
    async with bot(settings) as (api, _):
        write(knowledge_dir / "doi-gplx.md", licence_article())
        for name in broken:
            write(knowledge_dir / name, b"---\ntitle: x\n---\n\nGi\xe1 v\xe0ng\n")  # cp1258
        _, done = await replies(api, U.private_text("/reload"), 2)
        after = await reply_to(api, U.private_text(NEW_QUESTION))

    raw, text = done.params["text"], visible(done)
    assert "1 tệp mới" in text and f"\n{texts.RELOAD_FILE_ERRORS}\n" in text
    assert "tin &lt;b&gt; &amp; bài.md" in raw and "<b>" not in raw
    errors = text.split(f"{texts.RELOAD_FILE_ERRORS}\n", 1)[1].splitlines()
    assert [line.endswith(": không đọc được: không phải UTF-8") for line in errors] == [True] * 2
    assert sorted(Path(line.removeprefix("• ").split(": ")[0]).name for line in errors) == broken
    assert_cites(after, NEW_TITLE)


async def test_watch_job_picks_up_new_and_edited_files_without_a_command(
    tmp_path: Path, knowledge_dir: Path
) -> None:
    settings = admin_settings(tmp_path, knowledge_dir, reload_seconds=0.3, flood_limit=1000)
    async with bot(settings) as (api, app):
        assert app.job_queue is not None and app.job_queue.get_jobs_by_name("watch")
        before = await reply_to(api, U.private_text(NEW_QUESTION))
        write(knowledge_dir / "doi-gplx.md", licence_article("135.000"))
        added = await answer_citing(api, FEE_QUESTION, NEW_TITLE, "135.000 đồng")
        write(knowledge_dir / "doi-gplx.md", licence_article("150.000"))
        edited = await answer_citing(api, FEE_QUESTION, NEW_TITLE, "150.000 đồng")
        seed = await reply_to(api, U.private_text(QUESTION))

    assert NOT_FOUND in visible(before)
    assert_cites(added, NEW_TITLE)
    assert "150.000" not in visible(added) and "135.000" not in visible(edited)
    assert_cites(seed, SEED_TITLE)  # the seed article is still served
    assert texts.RELOAD_STARTED not in api.sent_texts()  # nothing was said to anyone
    assert sql(settings, "SELECT COUNT(*) FROM articles") == [(2,)]


# --- daily purge ---------------------------------------------------------------------------


def age_rows(settings: Settings, stamp: str) -> None:
    """Make the seed question and every vote look as old as `stamp`."""
    with sqlite3.connect(settings.db_path) as db:
        db.execute("UPDATE questions SET asked_at = ? WHERE question = ?", (stamp, QUESTION))
        db.execute("UPDATE votes SET voted_at = ?", (stamp,))


async def test_purge_job_deletes_what_is_older_than_the_retention(
    tmp_path: Path, knowledge_dir: Path
) -> None:
    settings = admin_settings(tmp_path, knowledge_dir, retention_days=30)
    old = (datetime.now(UTC) - timedelta(days=31)).isoformat()
    async with bot(settings) as (api, app):
        jobs = app.job_queue
        assert jobs is not None and not jobs.get_jobs_by_name("watch")  # BOT_RELOAD_SECONDS=0
        [purge] = jobs.get_jobs_by_name("purge")
        stale = await ask(api, QUESTION)
        await press(api, buttons(stale)["👍"], stale)
        await ask(api, GOLD[0])
        # In a thread: a blocking write on the bot's event loop would wait for a lock that the
        # bot (its inbox clearing the answered update) can only release on that loop.
        await asyncio.to_thread(age_rows, settings, old)
        await purge.run(app)
        expired = await press(api, buttons(stale)["👎"], stale)

    assert sql(settings, "SELECT question FROM questions") == [(GOLD[0],)]
    assert sql(settings, "SELECT COUNT(*) FROM answers") == [(1,)]
    assert sql(settings, "SELECT COUNT(*) FROM votes") == [(0,)]
    assert expired.params["text"] == texts.EXPIRED
