"""Tokenizing workers end with their parent, even one killed with SIGKILL mid-way."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.helpers.cli import HANG_GUARD_SECONDS
from tests.helpers.killable import READY, child_python

# The child tokenizes a large batch on two worker processes and, once the first results come
# back (the workers are running), prints their pids and stops in the middle of the batch.
TOKENIZING = f"""
    import multiprocessing, time
    from bot.core.text import TextPipeline
    from bot.sources.parallel import terms_for_all

    def first_results(_count):
        pids = [str(p.pid) for p in multiprocessing.active_children()]
        print("{READY}", *pids, flush=True)
        time.sleep(3600)

    texts = ["Người dân nộp hồ sơ cấp căn cước trực tuyến trên Cổng dịch vụ công."] * 20000
    terms_for_all(TextPipeline(), texts, on_progress=first_results, workers=2)
"""

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def ended(pid: int) -> bool:
    """Gone, or a zombie nobody reaped yet (it holds no memory and runs nothing)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def wait_ended(pids: list[int]) -> list[int]:
    """The pids still running when the guard runs out (a hang guard, not a timing test)."""
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    while time.monotonic() < deadline and not all(ended(pid) for pid in pids):
        time.sleep(0.1)
    return [pid for pid in pids if not ended(pid)]


def test_workers_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    with child_python(TOKENIZING, tmp_path, tmp_path / "unused.sqlite3") as child:
        workers = [int(pid) for pid in child.wait_ready()]
        assert len(workers) == 2
        child.kill()

    left = wait_ended(workers)
    for pid in left:  # do not leave them running after a failure
        os.kill(pid, signal.SIGKILL)
    assert left == [], "tokenizing workers outlived their killed parent"
