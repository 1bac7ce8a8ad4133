"""Run `python -m bot` as a real child process, the way a user or a script would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.files import REPO_ROOT, SETTINGS_ENV

# A guard against a hung child (e.g. a leaked SQLite thread), not a performance assertion.
HANG_GUARD_SECONDS = 60


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def child_env(db_path: Path, **extra: str) -> dict[str, str]:
    """The parent's environment minus bot settings, with the repository importable."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_ENV}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    env["BOT_DB_PATH"] = str(db_path)
    env.update(extra)
    return env


def run_bot(
    cwd: Path,
    env: dict[str, str],
    *args: str,
    stdin: bytes | None = None,
    prefix: Sequence[str] = (),
) -> Run:
    """`python -m bot ARGS` in `cwd` (after `prefix`, e.g. setpriv); output decoded as UTF-8."""
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=HANG_GUARD_SECONDS,
        check=False,
    )
    return Run(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))
