"""A child Python process that announces when it reached a point, so a test can SIGKILL it there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers.cli import HANG_GUARD_SECONDS, child_env

READY = "READY"  # the line the child's script prints at the point where it is to be killed


class Child:
    """A running `python -c SCRIPT`; `wait_ready` returns what it printed after READY."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc

    def wait_ready(self) -> list[str]:
        """Lines after READY on the same line (e.g. pids); fails with its output if it ended."""
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith(READY):
                return line.split()[1:]
        self.proc.wait(timeout=HANG_GUARD_SECONDS)
        assert self.proc.stderr is not None
        raise AssertionError(f"child ended ({self.proc.returncode}): {self.proc.stderr.read()}")

    def kill(self) -> None:
        """SIGKILL: no handler, no finally, no atexit runs, like the OOM killer or `kill -9`."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=HANG_GUARD_SECONDS)


@contextmanager
def child_python(script: str, cwd: Path, db_path: Path, *args: str) -> Iterator[Child]:
    """Run `script` (dedented) with the repository importable; always reaped."""
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=cwd,
        env=child_env(db_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        yield Child(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=HANG_GUARD_SECONDS)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
