"""`python -m bot run` as a real subprocess: start it, read its output, post to its webhook."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.helpers.bot_runner import TOKEN
from tests.helpers.fake_bot_api import FakeBotApi
from tests.helpers.files import REPO_ROOT, SETTINGS_ENV

START = 60.0  # guard: the first start-up ingests knowledge/ and loads underthesea
WAIT = 20.0


@dataclass
class Finished:
    code: int
    output: str  # stdout + stderr


class BotProcess:
    """One `python -m bot run`; always reaped, killed if a test fails half-way.

    A thread collects its output line by line, so a test can wait for a log line.
    """

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
        )
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()

    def wait_for_lines(self, text: str, count: int = 1, timeout: float = START) -> list[str]:
        """The first `count` output lines containing `text`; AssertionError on timeout."""
        found = lambda: [line for line in self.lines if text in line]  # noqa: E731
        with self._changed:
            if not self._changed.wait_for(lambda: len(found()) >= count, timeout):
                raise AssertionError(f"no {count}× {text!r} in output: {''.join(self.lines)}")
            return found()[:count]

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def finish(self, timeout: float = WAIT) -> Finished:
        self.proc.wait(timeout=timeout)
        self._reader.join(timeout=WAIT)
        return Finished(self.proc.returncode, "".join(self.lines))


def launcher(folder: Path) -> tuple[Callable[..., BotProcess], list[BotProcess]]:
    """start(**settings) → a bot run in `folder` (which holds knowledge/), and all started."""
    started: list[BotProcess] = []

    def start(**settings: str | None) -> BotProcess:
        env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_ENV}
        env |= {"PYTHONPATH": str(REPO_ROOT), "BOT_DB_PATH": str(folder / "data" / "bot.db")}
        env |= {k: v for k, v in settings.items() if v is not None}
        started.append(BotProcess(folder, env))
        return started[-1]

    return start, started


def reap(started: list[BotProcess]) -> None:
    """Kill and reap whatever a test left running."""
    for bot in started:
        if bot.proc.poll() is None:
            bot.proc.kill()
            bot.finish()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def post_update(url: str, update: dict[str, Any], secret: str | None) -> int:
    """POST an update to the bot's webhook as Telegram would; returns the HTTP status.

    The listener starts just after setWebhook, so a refused connection is retried (guarded).
    """
    headers = {"Content-Type": "application/json"}
    headers |= {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    request = urllib.request.Request(url, json.dumps(update).encode(), headers, method="POST")
    deadline = time.monotonic() + WAIT
    while True:
        try:
            with urllib.request.urlopen(request, timeout=WAIT) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except urllib.error.URLError as error:
            if not isinstance(error.reason, ConnectionRefusedError) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def polling(api: FakeBotApi) -> dict[str, str]:
    """The environment of a bot process that long-polls `api`."""
    return {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": api.base_url}
