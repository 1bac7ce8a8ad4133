"""Run the real Telegram Application in-process against the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.ext import Application

from bot.settings import Settings
from bot.telegram.app import _post_init, _post_shutdown, build_application
from tests.helpers.fake_bot_api import FakeBotApi

TOKEN = "123456789:AAHtestTokenValue_abcdefghijklmnopqrstu"


@asynccontextmanager
async def running_bot(settings: Settings, api: FakeBotApi) -> AsyncIterator[Application]:
    """The same wiring as `python -m bot run`, polling the fake server until the block ends."""
    settings = settings.model_copy(update={"telegram_base_url": api.base_url})
    app = build_application(settings, TOKEN)
    await app.initialize()
    await _post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await _post_shutdown(app)
        await app.shutdown()
