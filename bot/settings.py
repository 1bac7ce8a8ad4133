"""All configuration in one typed object, read from the environment and `.env`."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from platformdirs import user_data_path
from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

APP_NAME = "egov-bot"
WEBHOOK_PORTS = (443, 80, 88, 8443)
DEFAULT_CONTACT = (
    "Bạn có thể liên hệ Trung tâm Phục vụ hành chính công thành phố (giờ hành chính, "
    "thứ Hai–thứ Sáu) hoặc tra cứu tại Cổng Dịch vụ công quốc gia https://dichvucong.gov.vn"
)


# BotFather tokens look like "123456789:AAH…" (bot id, colon, 35-ish url-safe characters).
TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def default_db_path() -> Path:
    """The per-user data folder (~/.local/share/egov-bot on Linux), not the working directory."""
    return user_data_path(APP_NAME, appauthor=False) / "bot.sqlite3"


def default_knowledge_dir() -> Path:
    """./knowledge when there is one (a checkout, a city's own folder), else the shipped ones."""
    local = Path("knowledge")
    if local.is_dir():
        return local
    spec = importlib.util.find_spec("bot.shipped_knowledge")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    # Run from a source tree without installing: the articles sit beside the package.
    return Path(__file__).resolve().parents[1] / "knowledge"


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class SettingsError(Exception):
    """Settings that fail validation, summarised in one readable line."""


class Settings(BaseSettings):
    """Every setting the bot reads; `.env.example` documents each key."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        populate_by_name=True,
    )

    db_path: Path = Field(default_factory=default_db_path, validation_alias=_env("BOT_DB_PATH"))
    knowledge_dir: Path = Field(
        default_factory=default_knowledge_dir, validation_alias=_env("KNOWLEDGE_DIR")
    )
    abbreviations_file: Path | None = Field(None, validation_alias=_env("BOT_ABBREVIATIONS_FILE"))
    shorthand_file: Path | None = Field(None, validation_alias=_env("BOT_SHORTHAND_FILE"))
    actions_file: Path | None = Field(None, validation_alias=_env("BOT_ACTIONS_FILE"))
    top_k: int = Field(3, ge=1, le=10, validation_alias=_env("BOT_TOP_K"))
    bm25_k1: float = Field(0.5, gt=0, validation_alias=_env("BM25_K1"))
    bm25_b: float = Field(0.75, ge=0, le=1, validation_alias=_env("BM25_B"))
    bm25_epsilon: float = Field(0.25, ge=0, validation_alias=_env("BM25_EPSILON"))
    title_weight: int = Field(1, ge=0, le=10, validation_alias=_env("BOT_TITLE_WEIGHT"))
    article_weight: float = Field(0.5, ge=0, le=10, validation_alias=_env("BOT_ARTICLE_WEIGHT"))
    max_passage_words: int = Field(
        120, ge=20, le=1000, validation_alias=_env("BOT_MAX_PASSAGE_WORDS")
    )
    min_confidence: float = Field(0.36, ge=0, le=1, validation_alias=_env("BOT_MIN_CONFIDENCE"))
    suggest_confidence: float = Field(
        0.15, ge=0, le=1, validation_alias=_env("BOT_SUGGEST_CONFIDENCE")
    )
    sure_confidence: float = Field(0.65, ge=0, le=1, validation_alias=_env("BOT_SURE_CONFIDENCE"))
    max_question_chars: int = Field(
        500, ge=20, le=4000, validation_alias=_env("BOT_MAX_QUESTION_CHARS")
    )
    contact_line: str = Field(DEFAULT_CONTACT, min_length=1, validation_alias=_env("BOT_CONTACT"))

    telegram_bot_token: SecretStr | None = Field(None, validation_alias=_env("TELEGRAM_BOT_TOKEN"))
    telegram_base_url: str | None = Field(None, validation_alias=_env("TELEGRAM_BASE_URL"))
    admin_user_ids: Annotated[frozenset[int], NoDecode] = Field(
        frozenset(), validation_alias=_env("ADMIN_USER_IDS")
    )
    webhook_url: str | None = Field(None, validation_alias=_env("WEBHOOK_URL"))
    webhook_port: int = Field(8443, ge=1, le=65535, validation_alias=_env("WEBHOOK_PORT"))
    webhook_listen: str = Field("0.0.0.0", validation_alias=_env("WEBHOOK_LISTEN"))
    webhook_secret: SecretStr | None = Field(None, validation_alias=_env("WEBHOOK_SECRET"))
    flood_limit: int = Field(10, ge=1, le=1000, validation_alias=_env("BOT_FLOOD_LIMIT"))
    followup_minutes: float = Field(
        10, ge=0, le=1440, validation_alias=_env("BOT_FOLLOWUP_MINUTES")
    )
    user_hash_salt: SecretStr | None = Field(None, validation_alias=_env("BOT_USER_SALT"))
    retention_days: int = Field(90, ge=1, le=3650, validation_alias=_env("BOT_RETENTION_DAYS"))
    delivery_minutes: float = Field(
        15, gt=0, le=1440, validation_alias=_env("BOT_DELIVERY_MINUTES")
    )
    reload_seconds: float = Field(10, ge=0, le=86400, validation_alias=_env("BOT_RELOAD_SECONDS"))
    log_level: str = Field("INFO", validation_alias=_env("BOT_LOG_LEVEL"))

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [v for v in re.split(r"[,\s]+", value.strip()) if v]
            if not all(v.lstrip("-").isdigit() for v in parts):
                raise ValueError("cần các số id Telegram cách nhau bởi dấu phẩy")
            return frozenset(int(v) for v in parts)
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram accepts 1-256 characters of A-Z, a-z, 0-9, _ and - as secret_token.
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("chỉ dùng A-Z, a-z, 0-9, _ và -, tối đa 256 ký tự")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_telegram_can_call(cls, value: str | None) -> str | None:
        # Telegram refuses other webhooks; a bot restarted in a loop by systemd would not fix it.
        if value is None:
            return value
        url = urlsplit(value.strip())
        if url.scheme != "https" or not url.hostname:
            raise ValueError("cần một địa chỉ https://… (Telegram chỉ gọi webhook qua HTTPS)")
        if (url.port or 443) not in WEBHOOK_PORTS:
            raise ValueError("Telegram chỉ gọi webhook ở cổng 443, 80, 88 hoặc 8443")
        return value.strip()

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"một trong {', '.join(LOG_LEVELS)}")
        return level

    @model_validator(mode="after")
    def _tables_exist(self) -> Settings:
        tables = (
            ("BOT_ABBREVIATIONS_FILE", self.abbreviations_file),
            ("BOT_SHORTHAND_FILE", self.shorthand_file),
            ("BOT_ACTIONS_FILE", self.actions_file),
        )
        for key, path in tables:
            if path is None:
                continue
            if not path.is_file():
                raise ValueError(f"{key}: không có tệp {path}")
            _readable_table(key, path)
        return self

    def bot_token(self) -> str:
        """The Telegram token, or SettingsError when it is missing or malformed."""
        token = (
            self.telegram_bot_token.get_secret_value().strip() if self.telegram_bot_token else ""
        )
        if not token:
            raise SettingsError(
                "Thiếu TELEGRAM_BOT_TOKEN: tạo bot với @BotFather rồi đặt token vào .env"
            )
        if not TOKEN_RE.match(token):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN sai định dạng (cần dạng 123456789:AA…, lấy từ @BotFather)"
            )
        return token


def _readable_table(key: str, path: Path) -> None:
    """An editor's table must be UTF-8 text: read at start-up, it would fail there otherwise."""
    try:
        path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{key}: tệp {path} không phải văn bản UTF-8") from None
    except OSError as exc:
        raise ValueError(f"{key}: không đọc được tệp {path} ({exc.strerror})") from None


def load_settings(**overrides: object) -> Settings:
    """Settings from env/.env with CLI overrides; raises SettingsError with a one-line reason."""
    try:
        given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
        return Settings(**given)
    except ValidationError as exc:
        problems = "; ".join(_problem(err) for err in exc.errors())
        raise SettingsError(f"Cấu hình không hợp lệ — {problems}") from None


# pydantic's own messages are English; these say the same by error type, with its limits.
ERROR_TEXTS = {
    "int_parsing": "cần một số nguyên",
    "int_from_float": "cần một số nguyên",
    "int_type": "cần một số nguyên",
    "float_parsing": "cần một số (dấu chấm thập phân, ví dụ 0.5)",
    "float_type": "cần một số",
    "bool_parsing": "cần true/false (hoặc 1/0, yes/no, on/off)",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge:g}",
    "greater_than": "phải lớn hơn {gt:g}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le:g}",
    "less_than": "phải nhỏ hơn {lt:g}",
    "string_too_short": "cần ít nhất {min_length} ký tự",
    "string_too_long": "tối đa {max_length} ký tự",
    "missing": "chưa được đặt",
    "path_type": "cần một đường dẫn tệp",
}
URL_TEXT = "cần một địa chỉ URL hợp lệ (dạng https://…)"
UNKNOWN_TEXT = "giá trị không hợp lệ"


def env_key(name: object) -> str:
    """The environment variable of a field, whether pydantic names it by field or alias."""
    for field_name, field in Settings.model_fields.items():
        choices = getattr(field.validation_alias, "choices", [field_name])
        if name == field_name or name in choices:
            return str(choices[0])
    return str(name)


def error_text(err: ErrorDetails) -> str:
    """One pydantic error in Vietnamese, chosen by its type; our ValueErrors already are."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    if kind.startswith("url"):
        return URL_TEXT
    return ERROR_TEXTS.get(kind, UNKNOWN_TEXT).format(**ctx)


def _problem(err: ErrorDetails) -> str:
    """'BOT_TOP_K: phải lớn hơn hoặc bằng 1'; model-wide checks name their key themselves."""
    text = error_text(err)
    return f"{env_key(err['loc'][0])}: {text}" if err["loc"] else text
