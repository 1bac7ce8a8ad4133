"""End to end: the real Application polling the fake Bot API, answering from a real SQLite file."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.core.formatting import NOT_FOUND
from bot.settings import Settings
from bot.store.database import Store
from bot.telegram.keyboards import EXAMPLES
from bot.telegram.texts import ASK_EMPTY, COMMANDS, FLOOD, NOT_TEXT, PERSONAL_DATA
from tests.helpers import updates as U
from tests.helpers.bot_runner import running_bot
from tests.helpers.conversation import reply_to, visible
from tests.helpers.fake_bot_api import Call, FakeBotApi, TelegramHtml
from tests.helpers.files import SEED_TITLE, make_settings, markdown, write

TIMEOUT = 10.0  # a guard against hangs only; nothing here is timed
CITATION = f"1. {SEED_TITLE} — 22/02/2023 — Hoàng Minh"
QUESTION = "Chính quyền số là gì?"
HELP_START = "<b>Cách hỏi</b>"
NO_WORDS_HINT = "Tôi chỉ hiểu câu hỏi viết bằng chữ"  # formatting.HINTS[Outcome.NO_WORDS]


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[FakeBotApi]:
    """The fake Bot API with the bot polling it for the duration of the block."""
    async with FakeBotApi() as fake, running_bot(settings, fake):
        yield fake


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[FakeBotApi]:
    async with serving(settings) as fake:
        yield fake


def buttons(call: Call) -> list[tuple[str, str]]:
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


def questions(settings: Settings) -> list[sqlite3.Row]:
    """Rows of the questions table, read straight from the bot's SQLite file."""
    with sqlite3.connect(settings.db_path) as db:
        db.row_factory = sqlite3.Row
        return db.execute("SELECT * FROM questions ORDER BY id").fetchall()


def quoted_id(call: Call) -> int | None:
    """The message id a sendMessage replies to (reply_parameters or the old field)."""
    reply = call.params.get("reply_parameters") or {}
    return reply.get("message_id") or call.params.get("reply_to_message_id")


def assert_answer(call: Call) -> None:
    """A full answer about the seed article: HTML, bold words, sources, vote buttons."""
    assert call.params["parse_mode"] == "HTML"
    text = call.params["text"]
    assert re.search(r"<b>[^<]*(?i:chính quyền số)[^<]*</b>", text), text
    assert "Nguồn:" in text and CITATION in text
    labels = [label for label, _ in buttons(call)]
    assert labels[:2] == ["👍", "👎"]


# --- private chats -------------------------------------------------------------------------


async def test_private_question_is_answered_in_html_with_sources_and_buttons(
    api: FakeBotApi,
) -> None:
    call = await reply_to(api, U.private_text(QUESTION))

    assert_answer(call)
    assert call.params["chat_id"] == U.USER_ID
    assert quoted_id(call) is None  # private replies do not quote
    assert "Xem thêm ▶" in [label for label, _ in buttons(call)]  # the article has more passages
    assert all(len(data.encode()) <= 64 for _, data in buttons(call))
    methods = [c.method for c in api.calls]
    typing = methods.index("sendChatAction")
    assert typing < methods.index("sendMessage")
    assert api.calls[typing].params == {"chat_id": U.USER_ID, "action": "typing"}


async def test_unaccented_question_finds_the_same_passage(api: FakeBotApi) -> None:
    accented = await reply_to(api, U.private_text("Chính quyền số là gì?"))
    unaccented = await reply_to(api, U.private_text("chinh quyen so la gi"))

    assert_answer(unaccented)
    assert visible(unaccented) == visible(accented)


async def test_not_found_is_polite_with_contact_line_and_no_passage(
    api: FakeBotApi, settings: Settings
) -> None:
    call = await reply_to(api, U.private_text("Giá vàng hôm nay bao nhiêu?"))

    text = visible(call)
    assert NOT_FOUND in text and settings.contact_line in text
    assert "Nguồn:" not in text and "<b>" not in call.params["text"]
    assert "Theo khái niệm chung" not in text  # no passage of the article is quoted
    assert "👍" not in [label for label, _ in buttons(call)]
    [row] = questions(settings)  # logged for the editors, with how close it came
    assert row["answered"] == 0
    assert row["confidence"] is None or 0 <= row["confidence"] < settings.min_confidence


async def test_html_in_the_question_is_escaped(api: FakeBotApi) -> None:
    call = await reply_to(api, U.private_text("<script></script> & <b>Chính quyền số</b> là gì?"))

    assert "<script>" not in call.params["text"]
    assert_answer(call)  # and the fake accepted it as valid Telegram HTML


async def test_article_text_with_html_characters_is_escaped(tmp_path: Path) -> None:
    knowledge = tmp_path / "kb_html"
    write(
        knowledge / "giay-phep.md",
        markdown(
            "Giấy phép A & B <tag> ở Hải Phòng",
            [
                "Hồ sơ cấp giấy phép xây dựng A & B <tag> nộp tại bộ phận một cửa của "
                "UBND quận, thời hạn giải quyết là 15 ngày làm việc.",
                "Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ là 75.000 đồng.",
            ],
            published="01/03/2024",
            author="Ban biên tập",
        ),
    )
    settings = make_settings(tmp_path, knowledge)
    async with serving(settings) as api:
        call = await reply_to(api, U.private_text("Hồ sơ giấy phép xây dựng nộp ở đâu?"))

    text = call.params["text"]
    assert "A &amp; B &lt;tag&gt;" in text and "<tag>" not in text
    assert "1. Giấy phép A &amp; B &lt;tag&gt; ở Hải Phòng — 01/03/2024" in text
    assert "Giấy phép A & B <tag> ở Hải Phòng" in visible(call)


async def test_very_long_question_is_cut_with_a_note(api: FakeBotApi, settings: Settings) -> None:
    long_question = (QUESTION + " ") * 250
    long_question = long_question[:5000]
    assert len(long_question) == 5000

    call = await reply_to(api, U.private_text(long_question))

    note = f"(Câu hỏi quá dài nên tôi chỉ đọc {settings.max_question_chars} ký tự đầu.)"
    assert visible(call).startswith(note)
    assert_answer(call)
    assert all(len(visible(c)) <= 4096 for c in api.calls_to("sendMessage"))
    assert len(questions(settings)[0]["question"]) <= settings.max_question_chars


async def test_sticker_gets_a_hint(api: FakeBotApi) -> None:
    call = await reply_to(api, U.sticker_message())

    assert call.params["text"] == NOT_TEXT
    assert not api.calls_to("sendChatAction")


async def test_photo_without_caption_gets_a_hint(api: FakeBotApi) -> None:
    call = await reply_to(api, U.photo_message())

    assert call.params["text"] == NOT_TEXT


async def test_photo_caption_is_read_as_the_question(api: FakeBotApi) -> None:
    call = await reply_to(api, U.photo_message(caption=QUESTION))

    assert_answer(call)


async def test_emoji_only_text_gets_a_hint_and_is_not_recorded(
    api: FakeBotApi, settings: Settings
) -> None:
    call = await reply_to(api, U.private_text("😀👍🎉"))

    assert NO_WORDS_HINT in visible(call)
    assert buttons(call) == []
    assert questions(settings) == []


async def test_edited_message_is_ignored(api: FakeBotApi) -> None:
    api.push_update(U.edited_message(QUESTION))
    call = await reply_to(api, U.private_text("chinh quyen so la gi"))

    assert api.sent_texts() == [call.params["text"]]
    assert len(api.calls_to("sendChatAction")) == 1


async def test_channel_post_is_ignored(api: FakeBotApi) -> None:
    api.push_update(U.channel_post(QUESTION))
    call = await reply_to(api, U.private_text("chinh quyen so la gi"))

    assert [c.params["chat_id"] for c in api.calls_to("sendMessage")] == [U.USER_ID]
    assert api.sent_texts() == [call.params["text"]]


async def test_messages_from_other_bots_are_ignored(api: FakeBotApi, settings: Settings) -> None:
    group, private = U.group_chat(), U.private_chat(U.OTHER_BOT["id"])
    api.push_update({"message": U.message(group, U.OTHER_BOT, f"@CqsHaiPhongBot {QUESTION}")})
    api.push_update({"message": U.message(private, U.OTHER_BOT, QUESTION)})
    api.push_update({"message": U.message(group, U.OTHER_BOT, f"/ask@CqsHaiPhongBot {QUESTION}")})
    call = await reply_to(api, U.private_text("chinh quyen so la gi"))

    assert api.sent_texts() == [call.params["text"]]
    assert [row["question"] for row in questions(settings)] == ["chinh quyen so la gi"]


async def test_forwarded_private_text_is_answered_like_any_text(api: FakeBotApi) -> None:
    # The handlers have no rule for forwards: in a private chat they are questions like any text.
    call = await reply_to(api, U.forwarded_private_text(QUESTION))

    assert_answer(call)


async def test_flood_limit_answers_politely(tmp_path: Path, knowledge_dir: Path) -> None:
    settings = make_settings(tmp_path, knowledge_dir, flood_limit=3)
    async with serving(settings) as api:
        answers = [await reply_to(api, U.private_text(QUESTION)) for _ in range(3)]
        flooded = await reply_to(api, U.private_text(QUESTION))
        other_user = await reply_to(api, U.private_text(QUESTION, user_id=U.USER_ID + 1))

    for call in answers:
        assert_answer(call)
    assert flooded.params["text"] == FLOOD
    assert len(api.calls_to("sendChatAction")) == 4  # none for the refused question
    assert_answer(other_user)  # the limit is per user
    assert len(questions(settings)) == 4


async def test_private_question_is_recorded_without_the_user_id(
    api: FakeBotApi, settings: Settings
) -> None:
    await reply_to(api, U.private_text(QUESTION))

    [row] = questions(settings)
    assert row["chat_type"] == "private"
    assert re.fullmatch(r"[0-9a-f]{32}", row["user_hash"])
    assert str(U.USER_ID) not in row["user_hash"]
    assert row["question"] == QUESTION
    assert row["top_score"] > 0 and row["answered"] == 1 and row["latency_ms"] > 0
    assert row["asked_at"]
    assert settings.min_confidence <= row["confidence"] <= 1  # answered: at the threshold or above


def stored_bytes(settings: Settings) -> bytes:
    """Everything SQLite wrote: the database file and its WAL."""
    files = sorted(settings.db_path.parent.glob(f"{settings.db_path.name}*"))
    return b"".join(path.read_bytes() for path in files)


async def test_personal_numbers_are_answered_never_stored_and_advised_once(
    api: FakeBotApi, settings: Settings
) -> None:
    first = await reply_to(
        api, U.private_text("Chính quyền số là gì? Số của tôi 031095012345, sđt 0912 345 678")
    )
    second = await reply_to(
        api, U.private_text("chinh quyen so la gi, so cua toi 031.095.012.345, sdt +84 912 345 678")
    )

    for call in (first, second):  # answered from the other words, with sources and buttons
        assert "Nguồn:" in visible(call) and CITATION in visible(call)
        assert [label for label, _ in buttons(call)][:2] == ["👍", "👎"]
    assert visible(first).count(PERSONAL_DATA) == 1
    assert PERSONAL_DATA not in visible(second)  # once per user, not at every question
    assert [row["question"] for row in questions(settings)] == [
        "Chính quyền số là gì? Số của tôi [số CCCD], sđt [số điện thoại]",
        "chinh quyen so la gi, so cua toi [số CCCD], sdt [số điện thoại]",
    ]
    written = stored_bytes(settings)
    for raw in ("031095012345", "031.095.012.345", "0912 345 678", "912 345 678"):
        assert raw.encode() not in written


async def test_a_name_typed_with_combining_accents_never_reaches_the_database(
    api: FakeBotApi, settings: Settings
) -> None:
    typed = unicodedata.normalize("NFD", "Tôi tên là Trần Thị Hằng. Chính quyền số là gì?")
    call = await reply_to(api, U.private_text(typed))

    assert "Nguồn:" in visible(call) and visible(call).count(PERSONAL_DATA) == 1
    assert [row["question"] for row in questions(settings)] == [
        "Tôi tên là [họ tên]. Chính quyền số là gì?"
    ]
    written = stored_bytes(settings)
    for name in ("Hằng", "Trần"):
        for form in ("NFC", "NFD"):
            assert unicodedata.normalize(form, name).encode() not in written


async def test_questions_stored_by_an_older_version_are_redacted_at_start(
    settings: Settings,
) -> None:
    store = await Store.open(settings.db_path)
    await store.db.execute(
        "INSERT INTO questions(asked_at, chat_type, question, answered)"
        " VALUES('2024-05-01T00:00:00+00:00', 'private', 'sđt 0912345678 đổi CCCD', 0)"
    )
    await store.db.commit()
    await store.close()

    async with serving(settings) as api:
        await reply_to(api, U.private_text(QUESTION))

    assert [row["question"] for row in questions(settings)] == [
        "sđt [số điện thoại] đổi CCCD",
        QUESTION,
    ]
    assert b"0912345678" not in stored_bytes(settings)


async def test_personal_data_advice_is_per_user_and_private_only(
    api: FakeBotApi, settings: Settings
) -> None:
    plain = await reply_to(api, U.private_text(QUESTION))
    group = await reply_to(api, U.group_text(f"@CqsHaiPhongBot {QUESTION} sđt 0912345678"))
    other = await reply_to(api, U.private_text(f"{QUESTION} 0912345678", user_id=U.USER_ID + 1))

    assert PERSONAL_DATA not in visible(plain)  # nothing personal, nothing to advise
    assert_answer(group)
    assert PERSONAL_DATA not in visible(group)  # a group answer does not lecture anyone
    assert PERSONAL_DATA in visible(other)
    assert [row["question"] for row in questions(settings)][1:] == [
        f"{QUESTION} sđt [số điện thoại]",
        f"{QUESTION} [số điện thoại]",
    ]


# --- commands ------------------------------------------------------------------------------


async def test_start_greets_with_three_example_buttons(api: FakeBotApi) -> None:
    call = await reply_to(api, U.private_text("/start"))

    assert call.params["parse_mode"] == "HTML"
    assert visible(call).startswith("Xin chào Lan!")
    assert "1 bài viết" in visible(call)
    assert buttons(call) == [(q, f"x:{i}:0") for i, q in enumerate(EXAMPLES)]
    assert len(EXAMPLES) == 3


async def test_start_deep_link_answers_the_topic(api: FakeBotApi, settings: Settings) -> None:
    call = await reply_to(api, U.private_text("/start chinh_quyen_so"))

    assert_answer(call)
    assert questions(settings)[0]["question"] == "chinh quyen so"


async def test_help_about_sources_and_unknown_command(api: FakeBotApi, settings: Settings) -> None:
    help_call = await reply_to(api, U.private_text("/help"))
    about = await reply_to(api, U.private_text("/about"))
    sources = await reply_to(api, U.private_text("/sources"))
    unknown = await reply_to(api, U.private_text("/foo"))

    assert help_call.params["text"].startswith(HELP_START)
    assert "@CqsHaiPhongBot" in help_call.params["text"]
    assert visible(about).startswith("Trợ lý hỏi đáp chính quyền số")
    assert settings.contact_line in visible(about) and "1 bài viết" in visible(about)
    assert visible(sources).startswith("Các bài viết trong kho tri thức (trang 1/1):")
    assert f"1. {SEED_TITLE} — 22/02/2023" in visible(sources)
    assert buttons(sources) == []  # one page only
    assert unknown.params["text"] == help_call.params["text"]


async def test_ask_command_in_private(api: FakeBotApi) -> None:
    hint = await reply_to(api, U.private_text("/ask"))
    answer = await reply_to(api, U.private_text(f"/ask {QUESTION}"))

    assert hint.params["text"] == ASK_EMPTY
    assert_answer(answer)


async def test_commands_are_registered_in_vietnamese(api: FakeBotApi) -> None:
    [call] = api.calls_to("setMyCommands")

    registered = {c["command"]: c["description"] for c in call.params["commands"]}
    assert set(registered) == {"start", "help", "ask", "sources", "about", "privacy", "forget"}
    assert registered == dict(COMMANDS)
    assert registered["help"] == "Hướng dẫn sử dụng"
    assert all(re.search(r"[àáảãạăâđêôơưíìóòúùýếềểệốồổộớờởợứừửữự]", d) for d in registered.values())


# --- groups --------------------------------------------------------------------------------


async def test_group_message_without_mention_is_ignored_and_not_stored(
    api: FakeBotApi, settings: Settings
) -> None:
    api.push_update(U.group_text("Chính quyền điện tử ở quận nào tốt nhất?"))
    asked = U.group_text(f"@CqsHaiPhongBot {QUESTION}")
    call = await reply_to(api, asked)

    assert api.sent_texts() == [call.params["text"]]
    rows = questions(settings)  # only the addressed message is in the SQLite file
    assert [(row["question"], row["chat_type"]) for row in rows] == [(QUESTION, "supergroup")]


@pytest.mark.parametrize("mention", ["@CqsHaiPhongBot", "@cqshaiphongbot", "@CQSHAIPHONGBOT"])
async def test_group_mention_is_answered_quoting_the_question(
    api: FakeBotApi, settings: Settings, mention: str
) -> None:
    asked = U.group_text(f"{mention} {QUESTION}")
    call = await reply_to(api, asked)

    assert_answer(call)
    assert call.params["chat_id"] == U.GROUP_ID
    assert quoted_id(call) == asked["message"]["message_id"]
    assert [row["question"] for row in questions(settings)] == [QUESTION]  # mention removed


async def test_group_mention_in_the_middle_of_the_text(api: FakeBotApi, settings: Settings) -> None:
    call = await reply_to(api, U.group_text("Cho hỏi @CqsHaiPhongBot: chính quyền số là gì?"))

    assert_answer(call)
    assert questions(settings)[0]["question"] == "Cho hỏi chính quyền số là gì?"


async def test_group_mention_of_someone_else_is_ignored(api: FakeBotApi) -> None:
    api.push_update(U.group_text(f"@someone {QUESTION}"))
    call = await reply_to(api, U.group_text(f"@CqsHaiPhongBot {QUESTION}"))

    assert api.sent_texts() == [call.params["text"]]


async def test_group_reply_to_the_bot_is_answered(api: FakeBotApi) -> None:
    mine = U.bot_message("Bạn cần hỏi gì thêm?", chat=U.group_chat())
    api.push_update({"message": mine})  # so the fake knows the bot's message
    asked = U.group_text(QUESTION, reply_to=mine)
    call = await reply_to(api, asked)

    assert_answer(call)
    assert quoted_id(call) == asked["message"]["message_id"]


async def test_group_photo_caption_mentioning_the_bot_is_answered(
    api: FakeBotApi, settings: Settings
) -> None:
    api.push_update(U.photo_message(caption="Ảnh hồ sơ của mình", chat=U.group_chat()))
    asked = U.photo_message(caption=f"@CqsHaiPhongBot {QUESTION}", chat=U.group_chat())
    call = await reply_to(api, asked)

    assert_answer(call)
    assert quoted_id(call) == asked["message"]["message_id"]
    assert [row["question"] for row in questions(settings)] == [QUESTION]  # the other ignored


async def test_group_reply_to_someone_else_is_ignored(api: FakeBotApi) -> None:
    theirs = U.group_text("Mình cũng đang thắc mắc", user_id=U.USER_ID + 7)["message"]
    api.push_update(U.group_text(QUESTION, reply_to=theirs))
    call = await reply_to(api, U.group_text(f"@CqsHaiPhongBot {QUESTION}"))

    assert api.sent_texts() == [call.params["text"]]


@pytest.mark.parametrize("command", ["/ask@CqsHaiPhongBot", "/ask", "/ask@cqshaiphongbot"])
async def test_group_ask_command_is_answered(api: FakeBotApi, command: str) -> None:
    asked = U.group_text(f"{command} {QUESTION}")
    call = await reply_to(api, asked)

    assert_answer(call)
    assert quoted_id(call) == asked["message"]["message_id"]


async def test_group_commands_for_another_bot_are_ignored(api: FakeBotApi) -> None:
    api.push_update(U.group_text(f"/ask@OtherBot {QUESTION}"))
    api.push_update(U.group_text("/help@OtherBot"))
    api.push_update(U.group_text("/foo@OtherBot"))
    call = await reply_to(api, U.group_text(f"/ask@CqsHaiPhongBot {QUESTION}"))

    assert api.sent_texts() == [call.params["text"]]


async def test_group_unknown_commands_get_help_only_when_they_name_the_bot(api: FakeBotApi) -> None:
    api.push_update(U.group_text("/foo"))  # may be meant for another bot in the group
    call = await reply_to(api, U.group_text("/foo@CqsHaiPhongBot"))

    assert api.sent_texts() == [call.params["text"]]
    assert "/ask" in call.params["text"]


async def test_group_ask_alone_gets_a_hint(api: FakeBotApi) -> None:
    asked = U.group_text("/ask@CqsHaiPhongBot")
    call = await reply_to(api, asked)

    assert call.params["text"] == ASK_EMPTY
    assert quoted_id(call) == asked["message"]["message_id"]


# --- inline mode ---------------------------------------------------------------------------


async def test_inline_query_lists_passages_with_the_article_title(api: FakeBotApi) -> None:
    api.push_update(U.inline_query("chính quyền số"))
    [call] = await api.wait_for("answerInlineQuery", 1, timeout=TIMEOUT)

    results = call.params["results"]
    assert results and all(r["title"] == SEED_TITLE for r in results)
    content = results[0]["input_message_content"]
    assert content["parse_mode"] == "HTML"
    TelegramHtml().parse(content["message_text"])  # valid Telegram HTML
    assert content["message_text"].endswith(CITATION)
    assert len({r["id"] for r in results}) == len(results)


async def test_off_topic_inline_query_gets_no_results(api: FakeBotApi) -> None:
    api.push_update(U.inline_query("giá vàng hôm nay"))
    api.push_update(U.inline_query(""))
    calls = await api.wait_for("answerInlineQuery", 2, timeout=TIMEOUT)

    assert [c.params["results"] for c in calls] == [[], []]
    assert not api.calls_to("sendMessage")
