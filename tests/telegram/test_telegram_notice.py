"""/notice end to end: one line above every answer, set and removed by admins only, kept
across restarts and shown in /about."""

from __future__ import annotations

from pathlib import Path

from bot.core.formatting import NOT_FOUND
from bot.settings import Settings
from bot.telegram import texts
from tests.helpers import updates as U
from tests.helpers.bot_runner import running_bot
from tests.helpers.conversation import reply_to, visible
from tests.helpers.fake_bot_api import FakeBotApi
from tests.helpers.files import make_settings

QUESTION = "Chính quyền số là gì?"
NOTICE = "Cổng dịch vụ công bảo trì đến 22h <hôm nay> & mai"
OTHER = U.USER_ID + 7  # not an admin


def admin_settings(tmp_path: Path, knowledge_dir: Path) -> Settings:
    return make_settings(
        tmp_path, knowledge_dir, admin_user_ids=frozenset({U.USER_ID}), reload_seconds=0
    )


async def test_the_notice_opens_every_answer_and_about_and_survives_a_restart(
    tmp_path: Path, knowledge_dir: Path
) -> None:
    settings = admin_settings(tmp_path, knowledge_dir)
    async with FakeBotApi() as api:
        async with running_bot(settings, api):
            done = await reply_to(api, U.private_text(f"/notice {NOTICE}"))
            answer = await reply_to(api, U.private_text(QUESTION, user_id=OTHER))
            missing = await reply_to(api, U.private_text("Giá vàng hôm nay?", user_id=OTHER))
        async with running_bot(settings, api):
            again = await reply_to(api, U.private_text(QUESTION, user_id=OTHER))
            about = await reply_to(api, U.private_text("/about", user_id=OTHER))
            hello = await reply_to(api, U.private_text("chào bạn", user_id=OTHER))
            off = await reply_to(api, U.private_text("/notice off"))
            after = await reply_to(api, U.private_text(QUESTION, user_id=OTHER))

    assert visible(done).endswith(f"📢 {NOTICE}")
    for call in (answer, missing, again):
        assert visible(call).startswith(f"📢 {NOTICE}\n\n"), visible(call)
        assert "&lt;hôm nay&gt; &amp; mai" in call.params["text"]  # escaped, Telegram took it
    assert NOT_FOUND in visible(missing)
    assert f"Thông báo: {NOTICE}" in visible(about)
    assert "📢" not in visible(hello)  # small talk is no answer
    assert off.params["text"] == texts.NOTICE_OFF
    assert "📢" not in visible(after)


async def test_only_admins_can_set_it_and_a_long_one_is_refused(
    tmp_path: Path, knowledge_dir: Path
) -> None:
    settings = admin_settings(tmp_path, knowledge_dir)
    async with FakeBotApi() as api, running_bot(settings, api):
        forged = await reply_to(api, U.private_text(f"/notice {NOTICE}", user_id=OTHER))
        usage = await reply_to(api, U.private_text("/notice"))
        long = await reply_to(api, U.private_text("/notice " + "x" * 201))
        answer = await reply_to(api, U.private_text(QUESTION, user_id=OTHER))

    assert "📢" not in visible(forged) and "thông báo" not in visible(forged).lower()
    assert "Chưa có thông báo nào" in visible(usage)
    assert "201 ký tự" in visible(long)
    assert "📢" not in visible(answer)
