"""What `chat` does for a person at a terminal: line editing, history, Ctrl-C, wrapped answers."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import sys
import threading
from pathlib import Path

HISTORY_LINES = 500
ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")
# "• title", "1. title", "- item": continuation lines are indented under the text, not the mark.
LIST_MARK_RE = re.compile(r"^(\s*(?:[•*-]|\d+[.)])\s+)")
MIN_WIDTH = 20  # narrower than this, wrapping helps nobody


def history_file() -> Path:
    """~/.local/share/egov-bot/chat_history (or under $XDG_DATA_HOME): the user's own data."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "egov-bot" / "chat_history"


def enable_line_editing() -> Path | None:
    """Arrow keys and history for input() when a person types; the history file, or None."""
    if not sys.stdin.isatty():
        return None  # piped questions: plain reading, nothing remembered
    try:
        import readline  # importing it is what makes input() edit lines
    except ImportError:  # Windows without pyreadline: input() still works, unedited
        return None
    readline.set_history_length(HISTORY_LINES)
    path = history_file()
    with contextlib.suppress(OSError):  # first chat, or an unreadable file: no history yet
        readline.read_history_file(path)
    return path


def save_history(path: Path | None) -> None:
    """Keep the last questions for the next chat; a failure to write costs only the history."""
    if path is None:
        return
    import readline

    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        readline.write_history_file(path)


def read_question(prompt: str) -> str | None:
    """One line from the user, None at end of input; Ctrl-C raises KeyboardInterrupt at once.

    asyncio.run turns SIGINT into cancelling its task, which only lands once input() returns;
    Python's default handler interrupts the read itself.
    """
    if threading.current_thread() is not threading.main_thread():
        return _read(prompt)  # signal handlers can only be set from the main thread
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return _read(prompt)
    finally:
        signal.signal(signal.SIGINT, previous)


def _read(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None


def visible_len(text: str) -> int:
    return len(ANSI_RE.sub("", text))


def wrap_line(line: str, width: int) -> list[str]:
    """Greedy wrap at spaces; a word (a link) longer than the width stays whole on its line."""
    mark = LIST_MARK_RE.match(line)
    indent = " " * visible_len(mark.group(1)) if mark else ""
    first, *words = line.split(" ")
    lines: list[str] = []
    current, length = first, visible_len(first)
    for word in words:
        size = visible_len(word)
        if length + 1 + size > width and current.strip():
            lines.append(current)
            current, length = indent + word, len(indent) + size
        else:
            current, length = f"{current} {word}", length + 1 + size
    return [*lines, current]


def wrap_text(text: str, width: int) -> str:
    """Every line of `text` wrapped to `width`; blank lines and short lines left as they are."""
    if width < MIN_WIDTH:
        return text
    return "\n".join(part for line in text.split("\n") for part in wrap_line(line, width))


def for_terminal(text: str) -> str:
    """`text` wrapped to the terminal's width when stdout is one; unchanged in a pipe or file."""
    if not sys.stdout.isatty():
        return text
    return wrap_text(text, shutil.get_terminal_size().columns)
