"""Wire the Telegram Application: handlers, commands, the knowledge base, polling or webhook."""

from __future__ import annotations

import asyncio
import errno
import logging
import secrets
from urllib.parse import urlsplit

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core.text import TextPipeline
from bot.editors.reloading import Reloader
from bot.engine import KnowledgeBase
from bot.settings import Settings, SettingsError
from bot.sources.ingest import EmptyKnowledge, needs_refresh, refresh_folder, stored_fallback
from bot.sources.knowledge import folder_problem
from bot.store.database import Store
from bot.store.inbox import InboxDb
from bot.store.privacy import redact_stored_questions
from bot.store.records import load_notice, user_salt
from bot.telegram import admin_commands, faq_commands, faults, handlers, inline, privacy_commands
from bot.telegram.callbacks import on_button, on_sources
from bot.telegram.delivery import BOT_POOL_SIZE, ReconnectingRequest
from bot.telegram.flood import FloodGuard
from bot.telegram.inbox import InboxQueue, on_handled, open_inbox
from bot.telegram.redaction import RedactingFormatter
from bot.telegram.startup import api_address, bind_problem, check_listen, wait_for_telegram
from bot.telegram.texts import ADMIN_COMMANDS, COMMANDS

log = logging.getLogger(__name__)
NEW = filters.UpdateType.MESSAGE  # edited messages and channel posts are ignored
PRIVATE, GROUPS = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
PURGE_EVERY_SECONDS, FIRST_PURGE_SECONDS = 24 * 3600, 60
# Getting going after getMe worked (deleteWebhook/setWebhook): a few quick retries, then exit 1
# and let the service manager restart (start-up then waits for Telegram again).
UPDATER_BOOTSTRAP_RETRIES = 3
EXIT_OK, EXIT_TELEGRAM_FAILED = 0, 1
PRIVACY_ON = (
    "Chế độ riêng tư trong nhóm: BẬT — trong nhóm bot chỉ nhận lệnh, tin trả lời bot và "
    "(tuỳ ứng dụng) tin nhắc tên bot"
)
PRIVACY_OFF = (
    "Chế độ riêng tư trong nhóm: TẮT — bot nhận mọi tin trong nhóm nhưng bỏ qua và không lưu "
    "tin không gửi cho bot (bật lại: @BotFather → /setprivacy)"
)
GENERATED_SECRET = (
    "WEBHOOK_SECRET chưa đặt: bot tự tạo một khoá bí mật ngẫu nhiên cho lần chạy này và đăng ký "
    "với Telegram; yêu cầu không kèm đúng X-Telegram-Bot-Api-Secret-Token bị từ chối (403)"
)


class StartupFailureFilter(logging.Filter):
    """PTB logs a failed start-up with a traceback; run_bot reports it in one clear line.

    A rejected token is dropped (SettingsError says it), other start-up errors keep their line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and "(Bootstrap" in record.getMessage():
            if isinstance(record.exc_info[1], InvalidToken):
                return False
            record.exc_info, record.exc_text = None, None
        return True


def configure_logging(token: str, level: str = "INFO") -> None:
    """Logs at `level` without the token; httpx's per-request lines (URLs hold it) silenced."""
    logging.basicConfig()
    logging.getLogger().setLevel(level)
    formatter = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", [token])
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)
        handler.addFilter(StartupFailureFilter())
        handler.addFilter(faults.RepeatFilter())
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def add_handlers(app: Application) -> None:
    """Routing table: broken updates, then commands, text by chat type, then the rest."""
    app.add_handler(TypeHandler(Update, faults.on_any_update), group=-2)
    app.add_handler(CommandHandler("start", handlers.on_start, filters=NEW))
    app.add_handler(CommandHandler("help", handlers.on_help, filters=NEW))
    app.add_handler(CommandHandler("ask", handlers.on_ask, filters=NEW))
    app.add_handler(CommandHandler("about", handlers.on_about, filters=NEW))
    app.add_handler(CommandHandler("sources", on_sources, filters=NEW))
    app.add_handler(CommandHandler("privacy", privacy_commands.on_privacy, filters=NEW))
    app.add_handler(CommandHandler("forget", privacy_commands.on_forget, filters=NEW))
    # Admin commands exist only for admins, in private: anyone else gets the unknown-command help.
    admins = NEW & PRIVATE & filters.User(user_id=app.bot_data["settings"].admin_user_ids)
    app.add_handler(CommandHandler("reload", admin_commands.on_reload, filters=admins))
    app.add_handler(CommandHandler("stats", admin_commands.on_stats, filters=admins))
    app.add_handler(CommandHandler("notice", admin_commands.on_notice, filters=admins))
    app.add_handler(CommandHandler("unanswered", faq_commands.on_unanswered, filters=admins))
    app.add_handler(CommandHandler("faq", faq_commands.on_faq, filters=admins))
    # An editor's answer after picking a group: saved before the text is read as a question.
    editor_text = admins & filters.TEXT & ~filters.COMMAND
    app.add_handler(MessageHandler(editor_text, faq_commands.on_editor_text), group=-1)
    app.add_handler(MessageHandler(NEW & filters.COMMAND, handlers.on_unknown_command))
    private_text = NEW & PRIVATE & (filters.TEXT | filters.CAPTION)
    app.add_handler(MessageHandler(private_text, handlers.on_private_text))
    group_text = NEW & GROUPS & (filters.TEXT | filters.CAPTION)
    app.add_handler(MessageHandler(group_text, handlers.on_group_text))
    app.add_handler(MessageHandler(NEW & PRIVATE, handlers.on_not_text))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(InlineQueryHandler(inline.on_inline_query))
    app.add_error_handler(faults.on_error)
    # After every handler of the update (errors included): it is answered, the inbox lets go.
    app.add_handler(TypeHandler(Update, on_handled), group=1)


def build_application(settings: Settings, token: str) -> Application:
    builder = (
        ApplicationBuilder()
        .token(token)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(64)
        .update_queue(InboxQueue())
        # Two connections: at shutdown PTB confirms the last batch while the cancelled long
        # poll may still hold one (on a loaded machine: a pool timeout and a traceback).
        .get_updates_request(faults.UpdatesRequest(connection_pool_size=2))
        .request(ReconnectingRequest(connection_pool_size=BOT_POOL_SIZE))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url)
    app = builder.build()
    app.bot_data["settings"] = settings
    app.bot_data["failures"] = faults.FailureLog()
    add_handlers(app)
    return app


async def _refresh_knowledge(store: Store, pipeline: TextPipeline, settings: Settings) -> None:
    """Refresh from the knowledge folder; an empty knowledge base stops start-up (exit 2)."""
    folder, words = settings.knowledge_dir, settings.max_passage_words
    problem = folder_problem(folder)
    if problem is None and await needs_refresh(store, pipeline, folder, words):
        report = await refresh_folder(store, pipeline, folder, words)
        log.info("Kho tri thức đã cập nhật: %s", report.summary())
    try:
        warning = await stored_fallback(store, problem)
    except EmptyKnowledge:
        # Every citizen would get "not found": better not to start, and say why.
        raise SettingsError(
            f"Kho tri thức trống: {problem}. Đặt KNOWLEDGE_DIR là thư mục bài viết"
        ) from None
    if warning:
        log.warning("%s", warning)


async def _open_core(store: Store, settings: Settings) -> handlers.Core:
    """Check the DB, refresh the knowledge, load the index: what every handler needs."""
    await store.check_integrity()  # a damaged file stops start-up (exit 2), not a question later
    if redacted := await redact_stored_questions(store):
        log.info("Đã che dữ liệu cá nhân trong %d câu hỏi lưu từ trước", redacted)
    pipeline = TextPipeline(
        abbreviations_file=settings.abbreviations_file, shorthand_file=settings.shorthand_file
    )
    # The key file first: an unreadable one stops start-up before anything is hashed.
    configured = settings.user_hash_salt.get_secret_value() if settings.user_hash_salt else None
    salt = user_salt(store, configured)
    await _refresh_knowledge(store, pipeline, settings)
    kb = await KnowledgeBase.open(store, pipeline, settings)
    flood, reloader = FloodGuard(settings.flood_limit), Reloader(kb)
    notice = await load_notice(store)
    return handlers.Core(kb, store, settings, salt, flood, reloader, notice)


async def _post_init(app: Application) -> None:
    """Open the knowledge base (refreshing it from knowledge/ if stale) and register commands."""
    settings: Settings = app.bot_data["settings"]
    store = await Store.open(settings.db_path)
    try:
        app.bot_data["core"] = await _open_core(store, settings)
    except BaseException:
        # Whatever failed (a damaged DB, a bad knowledge folder, the key file), the connection's
        # thread would keep the process alive after the error line: a supervisor would see it
        # "running".
        await store.close()
        raise
    schedule_jobs(app, settings)
    await register_commands(app, settings)
    core = app.bot_data["core"]
    await open_inbox(app, InboxDb(store), core.salt, core.delivery)
    log.info(PRIVACY_OFF if app.bot.bot.can_read_all_group_messages else PRIVACY_ON)
    passages = len(app.bot_data["core"].kb.loaded.index)
    log.info("Bot @%s sẵn sàng với %d đoạn văn", app.bot.username, passages)


def schedule_jobs(app: Application, settings: Settings) -> None:
    """The knowledge watch (unless BOT_RELOAD_SECONDS is 0) and the daily retention purge."""
    jobs = app.job_queue
    if jobs is None:  # python-telegram-bot installed without its job-queue extra
        log.warning("Không có JobQueue: không theo dõi knowledge/ và không tự xoá dữ liệu cũ")
        return
    if settings.reload_seconds > 0:
        every = settings.reload_seconds
        # A second run overlapping a long reload returns at once (Reloader.poll sees the lock);
        # allowing it keeps APScheduler from warning "maximum number of running instances".
        jobs.run_repeating(
            admin_commands.watch_job,
            interval=every,
            first=every,
            name="watch",
            job_kwargs={"max_instances": 2},
        )
    jobs.run_repeating(
        admin_commands.purge_job, PURGE_EVERY_SECONDS, first=FIRST_PURGE_SECONDS, name="purge"
    )


async def register_commands(app: Application, settings: Settings) -> None:
    """Everyone's command menu; admins also see theirs, in their private chat only."""
    await app.bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])
    admin_menu = [BotCommand(name, text) for name, text in COMMANDS + ADMIN_COMMANDS]
    for admin in settings.admin_user_ids:
        try:
            await app.bot.set_my_commands(admin_menu, scope=BotCommandScopeChat(admin))
        except TelegramError as exc:  # an admin who never opened a chat with the bot
            log.warning("Không đặt được menu quản trị cho %s: %s", admin, exc)


async def _post_shutdown(app: Application) -> None:
    faults.log_summary(app.bot_data["failures"])
    core = app.bot_data.get("core")
    if core is not None:
        await core.store.close()


def webhook_secret(settings: Settings) -> str:
    """WEBHOOK_SECRET, or a random one for this run: without it any POST would be believed."""
    if settings.webhook_secret:
        return settings.webhook_secret.get_secret_value()
    log.warning(GENERATED_SECRET)
    # token_urlsafe's alphabet (A-Z a-z 0-9 _ -) is the one Telegram accepts for secret_token.
    return secrets.token_urlsafe(32)


def serve(app: Application, settings: Settings) -> None:
    """PTB's run_webhook or run_polling: they reuse the current event loop and close it."""
    if settings.webhook_url:
        app.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=webhook_secret(settings),
            allowed_updates=Update.ALL_TYPES,
            bootstrap_retries=UPDATER_BOOTSTRAP_RETRIES,
        )
    else:
        app.run_polling(
            allowed_updates=Update.ALL_TYPES, bootstrap_retries=UPDATER_BOOTSTRAP_RETRIES
        )


def _check_webhook_port(settings: Settings) -> None:
    """A port in use or not allowed stops start-up in one line, before Telegram is told."""
    try:
        check_listen(settings.webhook_listen, settings.webhook_port)
    except OSError as exc:
        raise SettingsError(
            bind_problem(settings.webhook_listen, settings.webhook_port, exc)
        ) from None


def run_bot(settings: Settings) -> int:
    """Wait for Telegram, then serve until SIGINT/SIGTERM; returns the process exit code."""
    token = settings.bot_token()
    configure_logging(token, settings.log_level)
    app = build_application(settings, token)
    address = api_address(settings.telegram_base_url)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        if settings.webhook_url:
            _check_webhook_port(settings)
        if not loop.run_until_complete(wait_for_telegram(app, address)):
            return EXIT_OK
        serve(app, settings)
    except OSError as exc:
        if not settings.webhook_url or exc.errno != errno.EADDRINUSE:
            raise
        # Taken by another program between the check and the start: the same one line.
        listen, port = settings.webhook_listen, settings.webhook_port
        raise SettingsError(bind_problem(listen, port, exc)) from None
    except InvalidToken:
        raise SettingsError(
            f"Telegram ({address}) từ chối TELEGRAM_BOT_TOKEN "
            "(token không hợp lệ hoặc đã bị thu hồi; kiểm tra với @BotFather)"
        ) from None
    except (NetworkError, TelegramError) as exc:
        log.error("Không kết nối được Telegram tại %s: %s", address, exc)
        return EXIT_TELEGRAM_FAILED
    finally:
        if not loop.is_closed():  # run_polling/run_webhook close it themselves
            loop.close()
    return EXIT_OK
