"""`python -m bot` on a pseudo-terminal: keys typed as a person types them, the screen read back."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time
from pathlib import Path

from tests.helpers.cli import HANG_GUARD_SECONDS

# Colours, cursor moves and mode switches readline and the answers write; \r of the tty's \r\n.
CONTROL_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r")
UP_ARROW, CTRL_C, CTRL_D = b"\x1b[A", b"\x03", b"\x04"


class Terminal:
    """A child process whose stdin, stdout and stderr are one pty of `columns` columns."""

    def __init__(self, cwd: Path, env: dict[str, str], *args: str, columns: int = 80) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the pty is its controlling terminal, so ^C is SIGINT
            os.chdir(cwd)
            os.execve(sys.executable, [sys.executable, "-m", "bot", *args], env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        self.raw = b""

    @property
    def screen(self) -> str:
        """Everything written so far, without control sequences."""
        return CONTROL_RE.sub("", self.raw.decode("utf-8", errors="replace"))

    def type(self, keys: bytes | str) -> None:
        os.write(self.fd, keys.encode() if isinstance(keys, str) else keys)

    def wait_for(self, text: str, count: int = 1, timeout: float = HANG_GUARD_SECONDS) -> str:
        """Read until `text` has appeared `count` times; the screen, or AssertionError."""
        deadline = time.monotonic() + timeout
        while self.screen.count(text) < count and time.monotonic() < deadline:
            if not self._read(0.1):
                break
        assert self.screen.count(text) >= count, f"{text!r} not shown:\n{self.screen}"
        return self.screen

    def exit_code(self, timeout: float) -> int:
        """The child's exit code, or AssertionError if it is still running after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._read(0.1)
                return os.waitstatus_to_exitcode(status)
            self._read(0.05)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        raise AssertionError(f"still running after {timeout} s:\n{self.screen}")

    def _read(self, seconds: float) -> bool:
        """Take what the child wrote within `seconds`; False once the pty is closed."""
        ready, _, _ = select.select([self.fd], [], [], seconds)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child exited and closed its side
            return False
        self.raw += chunk
        return bool(chunk)

    def close(self) -> None:
        os.close(self.fd)
