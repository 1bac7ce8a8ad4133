"""What the inbox keeps of an update: no names, personal numbers replaced, mentions still found."""

from __future__ import annotations

import json
import unicodedata

from telegram import Bot, Update

from bot.telegram.addressing import addressed_question
from bot.telegram.kept_update import kept_update
from tests.helpers import updates as U

BOT = Bot("123:abc")


def kept(update: dict) -> Update:
    """As the inbox writes and replays it: PTB's dict, reduced, through JSON, back to PTB."""
    raw = Update.de_json({"update_id": 5, **update}, BOT).to_dict()
    return Update.de_json(json.loads(json.dumps(kept_update(raw))), BOT)


def test_a_mention_after_a_redacted_number_is_still_found_and_stripped() -> None:
    text = f"Số của tôi 031095012345 😀, @{U.BOT_USERNAME} cấp lại CCCD thế nào?"
    update = kept(U.group_text(text, first_name="Nguyễn Văn An"))
    message = update.effective_message

    assert message.text == f"Số của tôi [số CCCD] 😀, @{U.BOT_USERNAME} cấp lại CCCD thế nào?"
    question = addressed_question(message, U.BOT_USERNAME, U.BOT_ID)
    assert question == "Số của tôi [số CCCD] 😀, cấp lại CCCD thế nào?"


def test_a_name_typed_with_combining_accents_is_replaced_and_the_mention_still_found() -> None:
    said = f"Chào @{U.BOT_USERNAME}, tôi tên là Nguyễn Thị Hằng, hỏi cấp lại thẻ căn cước"
    typed = unicodedata.normalize("NFD", said)
    update = kept(U.group_text(typed))
    message = update.effective_message

    assert "Hằng" not in unicodedata.normalize(
        "NFC", json.dumps(message.to_dict(), ensure_ascii=False)
    )
    assert message.text == f"Chào @{U.BOT_USERNAME}, tôi tên là [họ tên], hỏi cấp lại thẻ căn cước"
    composed = kept(U.group_text(said)).effective_message
    question = addressed_question(message, U.BOT_USERNAME, U.BOT_ID)
    assert question == addressed_question(composed, U.BOT_USERNAME, U.BOT_ID)
    assert question is not None and "tôi tên là [họ tên]" in question and "@" not in question


def test_names_forwards_and_usernames_are_not_kept() -> None:
    update = U.forwarded_private_text("sđt 0912 345 678, hỏi làm hộ chiếu", origin_name="Minh")
    update["message"]["from"]["username"] = "lan_hp"
    text = json.dumps(kept_update({"update_id": 5, **update}), ensure_ascii=False)

    for personal in ("Lan", "Minh", "lan_hp", "0912 345 678", "forward"):
        assert personal not in text
    assert kept(update).effective_message.text == "sđt [số điện thoại], hỏi làm hộ chiếu"
    assert kept(update).effective_chat.id == U.USER_ID  # the answer still finds its chat
