"""Inline buttons end to end: the real Application polling the fake Bot API, a real SQLite file.

Votes, "Xem thêm" paging, example questions from /start and /sources paging; the buttons keep
working after a restart because everything they refer to lives in the database.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.formatting import SOURCES as SOURCES_HEADING
from bot.settings import Settings
from bot.store.records import hash_user
from bot.store.salt import key_path
from bot.telegram import texts
from bot.telegram.keyboards import (
    EXAMPLE,
    EXAMPLES,
    MAX_NUMBER,
    MORE,
    SOURCES,
    VOTE,
    answer_keyboard,
    decode,
    encode,
    examples_keyboard,
    sources_keyboard,
)
from tests.helpers import updates as U
from tests.helpers.bot_runner import TOKEN, running_bot
from tests.helpers.conversation import ask, bot_message, buttons, press, wait_call
from tests.helpers.fake_bot_api import FakeBotApi
from tests.helpers.files import SEED_TITLE, make_settings, markdown, write

JSON = dict[str, Any]
QUESTION = "Chính quyền số là gì?"
WAIT = 15.0  # a guard against hangs, never a performance expectation


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as fake:
        yield fake


# ---------------------------------------------------------------- helpers


def rows(db_path: Path, sql: str, *args: Any) -> list[tuple]:
    with sqlite3.connect(db_path) as db:
        return db.execute(sql, args).fetchall()


def check_all_callback_data(api: FakeBotApi) -> int:
    """Every keyboard the bot sent or edited in: callback_data ≤ 64 bytes and decodable."""
    seen = 0
    for call in api.calls_to("sendMessage") + api.calls_to("editMessageText"):
        markup = call.params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button["callback_data"]
                assert 1 <= len(data.encode()) <= 64, data
                assert decode(data) is not None, data
                seen += 1
    return seen


def no_error_replies(api: FakeBotApi) -> None:
    assert texts.ERROR not in api.sent_texts()


# ---------------------------------------------------------------- votes


async def test_votes_change_and_every_press_is_answered(settings: Settings, api: FakeBotApi):
    async with running_bot(settings, api):
        answer = await ask(api, QUESTION)
        keys = buttons(answer)
        up, down = keys["👍"], keys["👎"]
        question_id = decode(up).ref

        first = await press(api, up, answer)
        second = await press(api, down, answer)
        other_user = await press(api, up, answer, user_id=U.USER_ID + 1)
        await press(api, down, answer)  # the same vote again changes nothing

    assert first.params["text"] == texts.VOTE_THANKS[1]
    assert second.params["text"] == texts.VOTE_THANKS[-1]
    assert other_user.params["text"] == texts.VOTE_THANKS[1]
    assert not api.open_queries  # every press got its answerCallbackQuery

    db = settings.db_path
    [(asked,)] = rows(db, "SELECT question FROM questions WHERE id = ?", question_id)
    assert asked == QUESTION
    salt = key_path(db).read_text().strip()
    votes = dict(rows(db, "SELECT user_hash, vote FROM votes WHERE question_id = ?", question_id))
    assert votes == {hash_user(U.USER_ID, salt): -1, hash_user(U.USER_ID + 1, salt): 1}
    assert str(U.USER_ID) not in json.dumps(rows(db, "SELECT * FROM votes"))
    no_error_replies(api)
    check_all_callback_data(api)


# ---------------------------------------------------------------- "Xem thêm"


async def further_passages(app: Any, db: Path, question_id: int) -> list[str]:
    """Texts of the stored passages the answer itself does not use, in their ranked order."""
    [(question, ids)] = rows(
        db,
        "SELECT q.question, a.passage_ids FROM questions q JOIN answers a"
        " ON a.question_id = q.id WHERE q.id = ?",
        question_id,
    )
    answer = await app.bot_data["core"].kb.ask(question)
    shown = {hit.passage_id for hit in answer.hits}
    text = dict(rows(db, "SELECT id, text FROM passages"))
    return [text[pid] for pid in json.loads(ids) if pid not in shown]


async def test_more_pages_through_further_passages_and_back(settings: Settings, api: FakeBotApi):
    async with running_bot(settings, api) as app:
        answer = await ask(api, QUESTION)
        question_id = decode(buttons(answer)["👍"]).ref
        further = await further_passages(app, settings.db_path, question_id)
        assert len(further) > 3, "the seed article should give more than one extra page"

        pages, message, ack = [], answer, None
        while "Xem thêm ▶" in buttons(message):
            data = buttons(message)["Xem thêm ▶"]
            edits = len(api.calls_to("editMessageText"))
            ack = await press(api, data, message)
            await api.wait_for("editMessageText", edits + 1, timeout=WAIT)
            message = bot_message(api, U.USER_ID, answer["message_id"])
            pages.append(message)
        assert ack is not None and "text" not in ack.params  # a silent acknowledgement

        back = await press(api, buttons(pages[0])["◀ Quay lại"], pages[0])
        await wait_call(api, "editMessageText", reply_markup=answer["reply_markup"])
        restored = bot_message(api, U.USER_ID, answer["message_id"])

    assert [decode(buttons(p)["◀ Quay lại"]) for p in pages] == [
        (MORE, question_id, n) for n in range(len(pages))
    ]
    shown_on_pages = []
    for n, page in enumerate(pages, start=2):
        assert page["text"].startswith(f"Thêm thông tin liên quan (trang {n})")
        assert SEED_TITLE in page["text"]  # every passage comes with its citation
        assert buttons(page)["👍"] == buttons(answer)["👍"]  # still votable while paging
        shown_on_pages += [p for p in further if p in page["text"]]
    # Every further passage exactly once, in ranked order, the best one first.
    assert shown_on_pages == further
    assert further[0] in pages[0]["text"]
    assert "text" not in back.params
    assert restored["text"] == answer["text"] and restored["reply_markup"] == answer["reply_markup"]
    assert restored["text"].count(SOURCES_HEADING) == 1
    no_error_replies(api)
    assert check_all_callback_data(api) > 0


async def test_pressing_the_same_page_twice_and_past_the_end(settings: Settings, api: FakeBotApi):
    async with running_bot(settings, api):
        answer = await ask(api, QUESTION)
        more = buttons(answer)["Xem thêm ▶"]
        question_id = decode(more).ref
        await press(api, more, answer)
        await api.wait_for("editMessageText", 1, timeout=WAIT)
        # Telegram refuses an edit to identical content; a double press must not be an error.
        again = await press(api, more, answer)
        await api.wait_for("editMessageText", 2, timeout=WAIT)
        past_end = await press(api, encode(MORE, question_id, 50), answer)

    assert "text" not in again.params
    assert past_end.params["text"] == texts.NO_MORE
    assert len(api.calls_to("editMessageText")) == 2  # nothing edited for the empty page
    assert len(api.sent_texts()) == 1  # only the answer: no error message
    assert not api.open_queries


# ---------------------------------------------------------------- restart


async def test_old_buttons_work_after_a_restart(settings: Settings, api: FakeBotApi):
    async with running_bot(settings, api):
        answer = await ask(api, QUESTION)
    keys = buttons(answer)
    question_id = decode(keys["👍"]).ref

    async with running_bot(settings, api):  # a new Application on the same database file
        vote = await press(api, keys["👎"], answer)
        more = await press(api, keys["Xem thêm ▶"], answer)
        edit = await wait_call(api, "editMessageText", message_id=answer["message_id"])
        page = bot_message(api, U.USER_ID, answer["message_id"])

    assert vote.params["text"] == texts.VOTE_THANKS[-1]
    salt = key_path(settings.db_path).read_text().strip()
    assert rows(settings.db_path, "SELECT question_id, user_hash, vote FROM votes") == [
        (question_id, hash_user(U.USER_ID, salt), -1)
    ]
    assert "text" not in more.params
    assert edit.params["chat_id"] == U.USER_ID
    assert page["text"].startswith("Thêm thông tin liên quan (trang 2)")
    assert buttons(page)["◀ Quay lại"] == encode(MORE, question_id, 0)
    assert len(api.sent_texts()) == 1  # the restart did not answer the old question again
    no_error_replies(api)


# ---------------------------------------------------------------- tampered data


TAMPERED = [
    "",
    "hello",
    "v:1",
    "v:1:1:1",
    "q:1:1",
    "v:abc:1",
    "v:1:2",
    "v:1:0",
    "v:999999:1",
    "m:999999:1",
    "m:-1:1",
    "x:99:0",
    "x:-1:0",
    "s:-1:0",
    f"m:{10**30}:1",
    f"v:{2**63}:1",
    "m:1:" + "9" * 40,
    "x" * 64,
    "v:1:1 OR 1=1",
]


async def test_tampered_or_unknown_data_answers_expired(
    settings: Settings, api: FakeBotApi, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.ERROR)
    async with running_bot(settings, api):
        answer = await ask(api, QUESTION)
        assert decode(buttons(answer)["👍"]).ref == 1  # "v:1:…" above is this real answer
        acks = [await press(api, data, answer) for data in TAMPERED]
        after = await ask(api, "dịch vụ công trực tuyến mức độ 4")
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]

    assert [a.params.get("text") for a in acks] == [texts.EXPIRED] * len(TAMPERED)
    assert not api.calls_to("editMessageText")
    assert rows(settings.db_path, "SELECT COUNT(*) FROM votes") == [(0,)]
    assert errors == []
    assert buttons(after)  # still serving
    assert not api.open_queries
    no_error_replies(api)


# ---------------------------------------------------------------- /start examples


async def test_example_buttons_from_start_answer_the_example(settings: Settings, api: FakeBotApi):
    async with running_bot(settings, api):
        greeting = await ask(api, "/start")
        keys = buttons(greeting)
        acks, answers = [], []
        for n, example in enumerate(EXAMPLES):
            sent = len(api.sent_texts())
            acks.append(await press(api, keys[example], greeting))
            await api.wait_for("sendMessage", sent + 1, timeout=WAIT)
            answers.append(bot_message(api, U.USER_ID))
            assert decode(keys[example]) == (EXAMPLE, n, 0)
        typed = [await ask(api, example, user_id=U.USER_ID + 1) for example in EXAMPLES]

    assert list(keys) == list(EXAMPLES)
    assert all("text" not in a.params for a in acks)
    assert [a["text"] for a in answers] == [t["text"] for t in typed]
    assert [list(buttons(a)) for a in answers] == [list(buttons(t)) for t in typed]
    assert "👍" in buttons(answers[0])  # the first example is answered, with its buttons
    no_error_replies(api)
    check_all_callback_data(api)


# ---------------------------------------------------------------- /sources paging


@pytest.fixture
def twelve_articles(tmp_path: Path) -> Settings:
    """A knowledge folder of 12 small articles, article 12 the newest."""
    folder = tmp_path / "twelve"
    for n in range(1, 13):
        body = [f"Bài số {n} nói về thủ tục hành chính số {n} tại phường {n}."]
        meta = {"url": f"https://example.gov.vn/bai-{n}", "published": f"2024-01-{n:02d}"}
        write(folder / f"bai-{n:02d}.md", markdown(f"Bài viết {n:02d}", body, **meta))
    return make_settings(tmp_path, folder)


async def test_sources_pages_through_twelve_articles(twelve_articles: Settings, api: FakeBotApi):
    async with running_bot(twelve_articles, api):
        first = await ask(api, "/sources")
        mid = first["message_id"]
        await press(api, buttons(first)["Sau ▶"], first)
        await wait_call(api, "editMessageText", message_id=mid)
        second = bot_message(api, U.USER_ID, mid)
        await press(api, buttons(second)["◀ Trước"], second)
        await api.wait_for("editMessageText", 2, timeout=WAIT)
        back = bot_message(api, U.USER_ID, mid)
        # A page number past the end shows the last page, with buttons that make sense.
        await press(api, encode(SOURCES, 7), back)
        await api.wait_for("editMessageText", 3, timeout=WAIT)
        clamped = bot_message(api, U.USER_ID, mid)

    def titles(message: JSON) -> list[str]:
        return [line.split(". ", 1)[1].split(" — ")[0] for line in message["text"].splitlines()[1:]]

    assert first["text"].splitlines()[0].endswith("(trang 1/2):")
    assert titles(first) == [f"Bài viết {n:02d}" for n in range(12, 2, -1)]
    assert "1. Bài viết 12 — 12/01/2024" in first["text"]
    assert list(buttons(first)) == ["Sau ▶"]
    assert second["text"].splitlines()[0].endswith("(trang 2/2):")
    assert titles(second) == ["Bài viết 02", "Bài viết 01"]
    assert "11. Bài viết 02" in second["text"]
    assert buttons(second) == {"◀ Trước": encode(SOURCES, 0)}
    assert back["text"] == first["text"] and buttons(back) == buttons(first)
    assert clamped["text"] == second["text"] and buttons(clamped) == buttons(second)
    assert not api.open_queries
    no_error_replies(api)
    check_all_callback_data(api)


# ---------------------------------------------------------------- callback data size


def test_callback_data_fits_64_bytes_at_the_extremes():
    keyboards = [
        answer_keyboard(MAX_NUMBER, MAX_NUMBER - 1, True),
        examples_keyboard(),
        sources_keyboard(MAX_NUMBER - 1, True),
    ]
    datas = [b.callback_data for k in keyboards if k for row in k.inline_keyboard for b in row]
    assert datas and all(len(str(d).encode()) <= 64 for d in datas)
    assert all(decode(str(d)) is not None for d in datas)
    assert decode(encode(VOTE, MAX_NUMBER + 1, 1)) is None
