"""The key of the hashed user ids lives outside the database: a leaked DB alone must not let
anyone recompute who asked (Telegram ids are small numbers, quick to try one by one).

It is BOT_USER_SALT when set, else a file beside the database (`bot.sqlite3` → `bot.key`),
created on first use with mode 0600. Databases from before kept it in `meta`: migration
`move_user_salt_to_key_file` writes it to that file and deletes it, so old hashes stay valid.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from pathlib import Path

import aiosqlite

from bot.settings import SettingsError

log = logging.getLogger(__name__)
LEGACY_META_KEY = "user_hash_salt"  # where databases before migration 9 kept it
KEY_MODE = 0o600


def key_path(db_path: Path) -> Path:
    """The key file of a database: same folder, same name, `.key` suffix."""
    return db_path.with_suffix(".key")


def read_key(path: Path) -> str | None:
    """The key in `path`, None when there is no file; SettingsError when it is unusable."""
    try:
        value = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"Không đọc được tệp khoá mã hoá người dùng {path}: {exc}") from None
    if not value:
        raise SettingsError(f"Tệp khoá mã hoá người dùng {path} trống (khôi phục từ bản sao lưu)")
    if os.stat(path).st_mode & 0o077:
        log.warning("Tệp khoá %s đọc được bởi người khác: đặt lại quyền 0600", path)
        with contextlib.suppress(OSError):
            os.chmod(path, KEY_MODE)
    return value


def write_key(path: Path, value: str, *, replace: bool = False) -> str:
    """Create the key file (0600, fsynced); without `replace` an existing file wins (a race)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_MODE)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(value + "\n")
            out.flush()
            os.fsync(out.fileno())
        _same_owner_as_folder(temporary)
        if replace:
            os.replace(temporary, path)
            return value
        try:
            os.link(temporary, path)  # atomic create-if-absent: two first starts agree
        except FileExistsError:
            return read_key(path) or value
        return value
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _same_owner_as_folder(path: Path) -> None:
    """Run as root (an editor's `ingest`), hand the file to the bot's user, who owns the folder."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        folder = os.stat(path.parent)
        with contextlib.suppress(OSError):
            os.chown(path, folder.st_uid, folder.st_gid)


def file_salt(db_path: Path) -> str:
    """The key file's salt, generated on first use."""
    path = key_path(db_path)
    return read_key(path) or write_key(path, secrets.token_hex(16))


async def move_salt_to_key_file(db: aiosqlite.Connection, db_path: Path) -> None:
    """Migration hook: the salt kept in `meta` goes to the key file before the row is deleted.

    The database's salt wins over an existing key file: its rows were hashed with it (a file
    left by another database at this path is kept as `.key.old`).
    """
    async with db.execute("SELECT value FROM meta WHERE key = ?", (LEGACY_META_KEY,)) as cur:
        row = await cur.fetchone()
    if row is None:
        return
    path, legacy = key_path(db_path), str(row[0])
    existing = read_key(path)
    if existing == legacy:
        return
    if existing is not None:
        os.replace(path, path.with_suffix(".key.old"))
        log.warning("Tệp khoá %s khác khoá trong CSDL: giữ bản cũ là %s.old", path, path.name)
    write_key(path, legacy, replace=True)
    log.info("Đã chuyển khoá mã hoá người dùng từ CSDL sang tệp %s (quyền 0600)", path)
