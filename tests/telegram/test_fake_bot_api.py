"""The fake Bot API server (tests/helpers) against a real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
import time
import urllib.request
from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, EndPointNotFound, NetworkError, RetryAfter, TimedOut
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.helpers import updates
from tests.helpers.fake_bot_api import FakeBotApi


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.base_url) as client:
        yield client


# PTB strips "Bad Request: " from descriptions and str.capitalize()s the rest: match with (?i).
def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


async def test_get_me_and_send_message_reply(api: FakeBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    asked = api.push_update(updates.private_text("Làm căn cước ở đâu?"))["message"]

    sent = await bot.send_message(
        asked["chat"]["id"],
        "<b>Căn cước</b>: Công an phường 😀",
        parse_mode="HTML",
        reply_parameters=ReplyParameters(asked["message_id"]),
        reply_markup=keyboard("more:1"),
    )

    assert (me.id, me.username, me.first_name) == (777000111, "CqsHaiPhongBot", "Trợ lý CQS")
    assert sent.text == "Căn cước: Công an phường 😀"  # tags stripped, as Telegram returns it
    assert sent.from_user.id == me.id and sent.message_id > asked["message_id"]
    assert sent.reply_to_message.text == "Làm căn cước ở đâu?"
    assert sent.reply_markup == keyboard("more:1")
    call = api.calls_to("sendMessage")[0]
    assert call.token == api.token
    # PTB posts form fields: strings raw, everything else JSON-encoded; the fake decodes them.
    assert call.params["chat_id"] == updates.USER_ID
    assert call.params["reply_parameters"] == {"message_id": asked["message_id"]}
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "more:1"
    assert api.sent_texts() == ["<b>Căn cước</b>: Công an phường 😀"]


@pytest.mark.parametrize(
    "html",
    ["<b>đậm", "<div>khối</div>", "a < b", "AT&T", "<span>ẩn</span>", "<b><i>x</b></i>", "x<br/>"],
)
async def test_html_that_telegram_rejects(bot: Bot, html: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(1, html, parse_mode="HTML")


async def test_html_that_telegram_accepts(bot: Bot) -> None:
    html = (
        '<a href="https://dichvucong.gov.vn/?a=1&b=2">Cổng DVC</a> &lt;3 &amp; &#128512; '
        '<span class="tg-spoiler">x</span> <pre><code class="language-py">1 > 0</code></pre>'
    )
    sent = await bot.send_message(1, html, parse_mode="HTML")
    assert sent.text == "Cổng DVC <3 & 😀 x 1 > 0"


async def test_limits(bot: Bot) -> None:
    assert (await bot.send_message(1, "ư" * 4096)).text == "ư" * 4096
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(1, "ư" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(1, "<b> </b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):  # 33 chars but 66 bytes
        await bot.send_message(1, "Chọn", reply_markup=keyboard("ok", "ư" * 33))


async def test_limits_count_utf16_units_as_telegram_does(api: FakeBotApi, bot: Bot) -> None:
    """An emoji outside the BMP is two units: 2048 fit in a message, 2049 do not."""
    assert (await bot.send_message(1, "😀" * 2048)).text == "😀" * 2048
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(1, "😀" * 2049)
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(1, "AgACAgIAAxkBAAI", caption="😀" * 513)
    query = api.push_update(updates.inline_query("căn cước"))["inline_query"]["id"]
    article = InlineQueryResultArticle(
        "1", "Căn cước", InputTextMessageContent("<b>Căn cước</b> " + "😀" * 2047, "HTML")
    )
    with pytest.raises(BadRequest, match=r"(?i)MESSAGE_TOO_LONG"):
        await bot.answer_inline_query(query, [article])
    pressed = api.push_update(updates.callback_query("v:1:1"))["callback_query"]["id"]
    with pytest.raises(BadRequest, match=r"(?i)MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(pressed, "😀" * 101)
    assert await bot.answer_callback_query(pressed, "😀" * 100)


async def test_set_webhook_refuses_a_secret_telegram_refuses(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)secret token"):
        await bot.set_webhook("https://bot.example.gov.vn/tg", secret_token="có dấu")
    assert await bot.set_webhook("https://bot.example.gov.vn/tg", secret_token="Ab_9-" * 50)


async def test_injected_faults(api: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # RetryAfter.retry_after as timedelta, no warning
    api.fail_next("sendMessage", status=429, retry_after=3)
    api.fail_next("sendMessage", status=500)
    api.delay_next("getMe", 0.3)

    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(1, "a")
    with pytest.raises(NetworkError) as server_error:
        await bot.send_message(1, "b")
    started = time.monotonic()
    await bot.get_me()

    assert flood.value.retry_after == dt.timedelta(seconds=3)
    assert type(server_error.value) is NetworkError  # not BadRequest (a NetworkError subclass)
    assert str(server_error.value) == "Internal Server Error"
    assert time.monotonic() - started >= 0.3
    assert (await bot.send_message(1, "c")).text == "c"  # the queue is used up


async def test_outages_drop_hang_and_hold(api: FakeBotApi, bot: Bot) -> None:
    api.outage("sendMessage", 502, count=1)
    api.outage("sendMessage", "drop", count=1)
    api.outage("sendMessage", "hang", count=1)

    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(1, "a")
    with pytest.raises(NetworkError) as dropped:
        await bot.send_message(1, "b")
    with pytest.raises(TimedOut):
        await bot.send_message(1, "c", read_timeout=0.3)
    api.hold("sendMessage")
    held = asyncio.create_task(bot.send_message(1, "d"))
    await api.wait_for("sendMessage", 4)
    await asyncio.sleep(0)  # the held call is not answered while held
    assert not held.done()
    api.release("sendMessage")

    assert (await held).text == "d"
    assert type(dropped.value) is NetworkError
    assert [c.params["text"] for c in api.dropped] == ["b", "c"]  # hung up on: never run
    assert [m.get("text") for m in api.messages.values()] == ["d"]


async def test_a_held_call_whose_client_gives_up_is_not_run(api: FakeBotApi, bot: Bot) -> None:
    api.hold("sendMessage")
    with pytest.raises(TimedOut):
        await bot.send_message(1, "gone", read_timeout=0.3)
    await asyncio.to_thread(api.wait_for_sync, "sendMessage", 1)
    while not api.dropped:
        await asyncio.sleep(0.01)
    api.release("sendMessage")

    assert [c.params["text"] for c in api.dropped] == ["gone"]
    assert api.messages == {}


async def test_unknown_method_and_wait_for_timeout(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})
    with pytest.raises(AssertionError, match=r"sendMessage.*sendTelepathy"):
        await api.wait_for("sendMessage", timeout=0.05)


async def test_edits_and_callback_answers(api: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(1, "Chọn thủ tục", reply_markup=keyboard("a", "b"))
    pressed = api.push_update(updates.callback_query("a", sent.to_dict()))["callback_query"]

    edited = await bot.edit_message_text("Đã chọn: a", chat_id=1, message_id=sent.message_id)
    await bot.answer_callback_query(pressed["id"])

    assert edited.text == "Đã chọn: a" and edited.reply_markup is None  # no markup: keyboard gone
    assert edited.edit_date is not None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Đã chọn: a", chat_id=1, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(pressed["id"])
    asked = api.push_update(updates.private_text("Xin chào"))["message"]
    with pytest.raises(BadRequest, match=r"(?i)can't be edited"):
        await bot.edit_message_text(
            "x", chat_id=asked["chat"]["id"], message_id=asked["message_id"]
        )


async def test_application_echo_via_polling(api: FakeBotApi) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(f"Bạn hỏi: {update.message.text}")

    app = ApplicationBuilder().token(api.token).base_url(api.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        api.push_update(updates.private_text("Thủ tục khai sinh?"))
        api.push_update(updates.group_text("Cấp lại sổ đỏ", chat_id=-1001111))
        calls = await api.wait_for("sendMessage", count=2)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

    texts = {(c.params["chat_id"], c.params["text"]) for c in calls}
    assert texts == {
        (updates.USER_ID, "Bạn hỏi: Thủ tục khai sinh?"),
        (-1001111, "Bạn hỏi: Cấp lại sổ đỏ"),
    }
    assert api.calls_to("deleteWebhook") and api.calls_to("getUpdates")
    assert not api.updates  # the updater confirmed what it fetched


async def test_plain_http_client_from_a_thread(api: FakeBotApi) -> None:
    def post_json() -> dict:
        request = urllib.request.Request(
            f"{api.base_url}123:ABC/sendMessage",
            data=json.dumps({"chat_id": 5, "text": "123"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.load(response)

    answer = await asyncio.to_thread(post_json)
    calls = await asyncio.to_thread(api.wait_for_sync, "sendMessage")

    assert answer["ok"] and answer["result"]["text"] == "123"
    assert calls[0].token == "123:ABC" and calls[0].params == {"chat_id": 5, "text": "123"}


async def test_a_subprocess_can_use_it(api: FakeBotApi) -> None:
    code = (
        "import asyncio, os, telegram\n"
        "async def main():\n"
        "    async with telegram.Bot('42:SUB', base_url=os.environ['TELEGRAM_BASE_URL']) as bot:\n"
        "        await bot.send_message(7, 'Từ tiến trình con')\n"
        "asyncio.run(main())\n"
    )
    env = {**os.environ, "TELEGRAM_BASE_URL": api.base_url}
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", code, env=env)
    assert await asyncio.wait_for(child.wait(), timeout=60) == 0
    assert api.sent_texts(chat_id=7) == ["Từ tiến trình con"]
    assert {c.token for c in api.calls} == {"42:SUB"}


def test_update_builders_count_entities_in_utf16() -> None:
    update = updates.private_text("/hoi@CqsHaiPhongBot 😀 hỏi @lan_nguyen nhé")
    msg = update["message"]
    assert msg["entities"] == [
        {"type": "bot_command", "offset": 0, "length": 19},
        {"type": "mention", "offset": 27, "length": 11},  # 😀 counts 2 UTF-16 units
    ]
    assert "update_id" not in update and msg["from"]["first_name"] == "Lan"
    assert updates.sticker_message()["message"]["sticker"]["emoji"] == "👍"
    assert updates.channel_post("Thông báo")["channel_post"]["sender_chat"]["type"] == "channel"
