"""What citizens can ask about their data: /privacy explains it, /forget deletes it."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.store.privacy import forget_user
from bot.store.records import hash_user
from bot.telegram import texts
from bot.telegram.handlers import core_of


async def on_privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What is stored, for how long, and how to delete it."""
    if update.effective_message:
        days = core_of(context).settings.retention_days
        await update.effective_message.reply_html(texts.PRIVACY.format(days=days))


async def on_forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete every question, answer and vote of the asking user, then say what went."""
    message, user, core = update.effective_message, update.effective_user, core_of(context)
    if message is None or user is None:
        return
    result = await forget_user(core.store, hash_user(user.id, core.salt))
    await message.reply_text(texts.FORGOTTEN.format(questions=result.questions, votes=result.votes))
