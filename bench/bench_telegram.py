"""Telegram throughput and latency: `python -m bot run` against the fake Bot API on 127.0.0.1.

Method (wall clock, measured in this run):
- The bot is a real subprocess (`python -m bot run`, polling, BOT_FLOOD_LIMIT=1000, the seed
  knowledge/ copied to a temp dir); the fake Bot API runs in this process and stamps every
  sendMessage request when it arrives (time.perf_counter, before the fake handles it).
- closed loop: U users (default 100) each ask N/U questions one after another, the next one
  pushed as soon as the previous answer arrived; latency = push → arrival of that chat's
  sendMessage, exact because a chat has one question in flight.
- burst: all N questions (N/U per user) pushed at once; latency = push → arrival, matched per
  chat in order (answers within one chat may overtake each other, so per-answer figures are
  approximate; the wall time and rate are exact).
- updates/s = questions / (first push → last answer arrival). Every reply is checked to be an
  answer (not the error or flood message). 20 warm-up questions precede each mode.
- Modes: "production" is the shipped build_application (AIORateLimiter: 30 requests/s to chats,
  and both sendChatAction and sendMessage count); "no 30/s cap" is a what-if that starts the same
  bot with AIORateLimiter(overall_max_rate=0) to show what the bot itself sustains.
- bot CPU = user+system seconds of the bot process during the scenario (/proc).

Run: /work/venv/bin/python bench/bench_telegram.py [--questions 1000] [--users 100]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import telegram  # noqa: E402

from bot.telegram import texts  # noqa: E402
from tests.helpers import updates as U  # noqa: E402
from tests.helpers.bot_runner import TOKEN  # noqa: E402
from tests.helpers.fake_bot_api import FakeBotApi  # noqa: E402
from tests.helpers.files import SEED_KNOWLEDGE, SETTINGS_ENV  # noqa: E402

QUESTIONS = (
    "Chính quyền số là gì?",
    "chinh quyen so la gi",
    "Dịch vụ công trực tuyến mức độ 4 trên thiết bị di động",
    "Hải Phòng xây dựng chính quyền số như thế nào?",
    "dữ liệu mở công khai minh bạch",
    "chuyển đổi số tăng trưởng xanh kinh tế tuần hoàn",
    "Chính phủ điện tử khác chính quyền số thế nào",
    "hạ tầng số phục vụ cơ quan nhà nước",
)
WARMUP = 20
GUARD = 300.0  # seconds: a hang guard, not an expectation
NO_CAP = (
    "import functools, sys; import bot.telegram.app as t; "
    "t.AIORateLimiter = functools.partial(t.AIORateLimiter, overall_max_rate=0); "
    "from bot.__main__ import main; sys.exit(main(['run']))"
)


class TimedFakeBotApi(FakeBotApi):
    """The fake Bot API, stamping each sendMessage on arrival and signalling its chat."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrivals: defaultdict[Any, list[float]] = defaultdict(list)
        self._lock = threading.Lock()
        self._signals: dict[Any, threading.Semaphore] = {}

    def signal_for(self, chat_id: int) -> threading.Semaphore:
        with self._lock:
            return self._signals.setdefault(chat_id, threading.Semaphore(0))

    def handle(
        self, token: str, method: str, params: dict[str, Any], *rest: Any
    ) -> tuple[int, Any] | None:
        if method.lower() == "sendmessage":
            now = time.perf_counter()
            chat = params.get("chat_id")
            with self._lock:
                self.arrivals[chat].append(now)
            self.signal_for(chat).release()
        return super().handle(token, method, params, *rest)


@dataclass
class Result:
    mode: str
    scenario: str
    users: int
    questions: int
    seconds: float
    latencies: list[float]
    cpu: float
    bad: int

    def row(self) -> str:
        ms = sorted(x * 1000 for x in self.latencies)
        p = statistics.quantiles(ms, n=100, method="inclusive")
        return (
            f"| {self.mode} | {self.scenario} | {self.users} | {self.questions} "
            f"| {self.seconds:.1f} | {self.questions / self.seconds:.1f} "
            f"| {p[49]:.0f} | {p[98]:.0f} | {ms[-1]:.0f} | {self.cpu:.1f} | {self.bad} |"
        )


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait(sem: threading.Semaphore) -> None:
    if not sem.acquire(timeout=GUARD):
        raise SystemExit("no answer within the guard time: is the bot alive?")


def closed_loop(api: TimedFakeBotApi, first_user: int, users: int, each: int) -> list[float]:
    """Each user asks `each` questions in turn; returns push → arrival per question."""
    latencies: list[float] = []
    lock = threading.Lock()

    def user(uid: int) -> None:
        sem, mine = api.signal_for(uid), []
        for i in range(each):
            pushed = time.perf_counter()
            api.push_update(U.private_text(QUESTIONS[(uid + i) % len(QUESTIONS)], user_id=uid))
            wait(sem)
            mine.append(api.arrivals[uid][i] - pushed)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=user, args=(first_user + u,)) for u in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def burst(api: TimedFakeBotApi, first_user: int, users: int, each: int) -> list[float]:
    """Every question pushed at once, round-robin over the users."""
    pushed: defaultdict[int, list[float]] = defaultdict(list)
    for i in range(each):
        for u in range(users):
            uid = first_user + u
            pushed[uid].append(time.perf_counter())
            api.push_update(U.private_text(QUESTIONS[(uid + i) % len(QUESTIONS)], user_id=uid))
    for u in range(users):
        sem = api.signal_for(first_user + u)
        for _ in range(each):
            wait(sem)
    return [a - p for uid, times in pushed.items() for p, a in zip(times, api.arrivals[uid])]


def run_mode(mode: str, command: list[str], users: int, each: int, work: Path) -> list[Result]:
    results: list[Result] = []
    scenarios: list[tuple[str, Callable[..., list[float]], int]] = [
        ("closed loop", closed_loop, 1_000_000),
        ("burst", burst, 2_000_000),
    ]
    with TimedFakeBotApi(token=TOKEN) as api:
        env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_ENV}
        env |= {
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": api.base_url,
            "BOT_DB_PATH": str(work / f"{mode.split()[0]}.sqlite3"),
            "BOT_FLOOD_LIMIT": "1000",
        }
        log = work / f"{mode.split()[0]}.log"
        with log.open("w") as out:
            bot = subprocess.Popen(command, cwd=work, env=env, stdout=out, stderr=out)
        try:
            api.wait_for_sync("getUpdates", 1, timeout=GUARD)
            closed_loop(api, 3_000_000, WARMUP, 1)
            for name, scenario, first_user in scenarios:
                cpu, started = cpu_seconds(bot.pid), time.perf_counter()
                latencies = scenario(api, first_user, users, each)
                ends = [api.arrivals[first_user + u][-1] for u in range(users)]
                chats = [first_user + u for u in range(users)]
                replies = [t for c in chats for t in api.sent_texts(c)]
                bad = sum(t in (texts.ERROR, texts.FLOOD) for t in replies)
                bad += abs(len(replies) - users * each)
                results.append(
                    Result(
                        mode,
                        name,
                        users,
                        users * each,
                        max(ends) - started,
                        latencies,
                        cpu_seconds(bot.pid) - cpu,
                        bad,
                    )
                )
        finally:
            bot.terminate()
            bot.wait(timeout=60)
    text = log.read_text()
    if "Traceback" in text or TOKEN in text:
        print(f"warning: {mode}: the bot log has a traceback or the token:\n{text[-2000:]}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--mode", choices=("both", "production", "no-cap"), default="both")
    args = parser.parse_args()
    each = max(1, args.questions // args.users)
    modes = {
        "production": ("production", [sys.executable, "-m", "bot", "run"]),
        "no-cap": ("no 30/s cap (what-if)", [sys.executable, "-c", NO_CAP]),
    }
    chosen = [modes[args.mode]] if args.mode != "both" else list(modes.values())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(SEED_KNOWLEDGE, work / "knowledge")
        results = [r for mode, cmd in chosen for r in run_mode(mode, cmd, args.users, each, work)]
    print(
        f"\nTelegram bench — {platform.python_version()}, python-telegram-bot "
        f"{telegram.__version__}, {os.cpu_count()} CPU, fake Bot API on 127.0.0.1\n"
    )
    print(
        "| mode | scenario | chats | questions | wall s | updates/s | p50 ms | p99 ms "
        "| max ms | bot CPU s | bad replies |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        print(result.row())


if __name__ == "__main__":
    main()
