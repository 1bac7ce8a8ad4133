"""Soak: 10,000 mixed updates through the fake Bot API into a real `python -m bot run`.

Method (measured in this run, nothing asserted):
- U virtual users (default 100) each send N/U updates one after another, drawn (seeded) from a
  mix: private questions with and without diacritics, group messages with and without an
  @mention, button presses under the user's latest answer, inline queries, stickers and edits.
  After an update the bot must answer (a question, a mention, a sticker: sendMessage; a button:
  answerCallbackQuery; an inline query: answerInlineQuery) the user waits for that answer; the
  others (group chatter, edits) are followed at once by the next update.
- replies per addressed update = the bot's successful calls per chat / callback / inline query,
  divided by what was addressed there (1.00 = each exactly once); replies to unaddressed
  updates are counted separately (must be 0). Latency = push → the answer's arrival at the fake.
- RSS of the bot process (/proc/PID/status VmRSS) every 1,000 pushed updates; at the end,
  after SIGTERM: PRAGMA integrity_check and foreign_key_check, questions recorded, inbox rows
  left unanswered.
- Modes: "production" is the shipped bot (AIORateLimiter: ~30 API calls/s overall);
  "no-cap" starts it with AIORateLimiter(overall_max_rate=0) (as bench_telegram.py does).

Run: python bench/bench_soak.py [--updates 10000] [--users 100] [--mode no-cap]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_telegram import NO_CAP, QUESTIONS  # noqa: E402

from bot.core.text import fold  # noqa: E402
from tests.helpers import updates as U  # noqa: E402
from tests.helpers.bot_runner import TOKEN  # noqa: E402
from tests.helpers.fake_bot_api import FakeBotApi  # noqa: E402
from tests.helpers.files import SEED_KNOWLEDGE, SETTINGS_ENV  # noqa: E402

MIX = {"private": 25, "private_folded": 20, "group_mention": 10, "group_chatter": 15,
       "button": 10, "inline": 8, "sticker": 6, "edit": 6}  # fmt: skip
ANSWERED = {"private", "private_folded", "group_mention", "button", "inline", "sticker"}
CHATTER = ("Chiều nay ai họp tổ dân phố không?", "ok mọi người", "Cảm ơn anh chị nhé")
GUARD = 120.0  # seconds an answer may take before it counts as missing (a hang guard)
FIRST_USER, GROUP_BASE = 5_000_000, -1_002_000_000_000
KEY_OF = {"sendmessage": "chat_id", "answercallbackquery": "callback_query_id",
          "answerinlinequery": "inline_query_id"}  # fmt: skip


class SoakApi(FakeBotApi):
    """Counts the bot's successful answers by chat / callback id / inline id, with arrival."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.answered: Counter[Any] = Counter()
        self.arrived: dict[Any, float] = {}
        self.changed = threading.Condition()

    def handle(self, token: str, method: str, params: dict[str, Any], *rest: Any) -> Any:
        arrival = time.perf_counter()
        result = super().handle(token, method, params, *rest)
        field_name = KEY_OF.get(method.lower())
        if field_name and result is not None and result[0] == 200:
            key = str(params.get(field_name))
            with self.changed:
                self.answered[key] += 1
                self.arrived.setdefault(key, arrival)
                self.changed.notify_all()
        return result

    def wait_answer(self, key: str, count: int) -> float | None:
        """Arrival time of the first answer once `key` has `count` answers; None on the guard."""
        with self.changed:
            if not self.changed.wait_for(lambda: self.answered[key] >= count, GUARD):
                return None
            return self.arrived.pop(key, time.perf_counter())


@dataclass
class Tally:
    """What every user thread adds up; `expected` is per answer key."""

    expected: Counter[str] = field(default_factory=Counter)
    unaddressed: Counter[str] = field(default_factory=Counter)  # group id → chatter count
    kinds: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    missing: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def question(rng: random.Random, folded: bool) -> str:
    text = rng.choice(QUESTIONS)
    return fold(text) if folded else text


def update_for(kind: str, uid: int, rng: random.Random, api: SoakApi) -> tuple[dict, str | None]:
    """(update, answer key or None) for one draw of the mix."""
    group = GROUP_BASE - uid
    if kind in ("private", "private_folded"):
        return U.private_text(question(rng, kind == "private_folded"), user_id=uid), str(uid)
    if kind == "group_mention":
        text = f"@{U.BOT_USERNAME} {question(rng, rng.random() < 0.5)}"
        return U.group_text(text, chat_id=group, user_id=uid), str(group)
    if kind == "group_chatter":
        return U.group_text(rng.choice(CHATTER), chat_id=group, user_id=uid), None
    if kind == "button":
        answer = latest_answer(api, uid)
        if answer is None:  # nothing to press yet: ask instead
            return update_for("private", uid, rng, api)
        rows = answer["reply_markup"]["inline_keyboard"]
        data = rng.choice([b["callback_data"] for row in rows for b in row])
        update = U.callback_query(data, message=answer, user_id=uid)
        return update, update["callback_query"]["id"]
    if kind == "inline":
        update = U.inline_query(question(rng, rng.random() < 0.5), user_id=uid)
        return update, update["inline_query"]["id"]
    if kind == "sticker":
        return U.sticker_message(user_id=uid), str(uid)
    return U.edited_message(question(rng, False), user_id=uid), None


def latest_answer(api: SoakApi, uid: int) -> dict | None:
    held = dict(api.messages)
    mine = [m for (chat, _), m in held.items() if chat == uid and m["from"]["is_bot"]]
    with_buttons = [m for m in mine if (m.get("reply_markup") or {}).get("inline_keyboard")]
    return max(with_buttons, key=lambda m: m["message_id"]) if with_buttons else None


def user(api: SoakApi, uid: int, steps: int, tally: Tally, pushed: list[int]) -> None:
    rng = random.Random(uid)
    kinds, weights = list(MIX), list(MIX.values())
    for _ in range(steps):
        kind = rng.choices(kinds, weights)[0]
        update, key = update_for(kind, uid, rng, api)
        with tally.lock:
            tally.kinds[kind] += 1
            pushed[0] += 1
            if key is not None:
                tally.expected[key] += 1
            elif kind == "group_chatter":
                tally.unaddressed[str(GROUP_BASE - uid)] += 1
            want = tally.expected[key] if key is not None else 0
        start = time.perf_counter()
        api.push_update(update)
        if key is None:
            continue
        arrived = api.wait_answer(key, want)
        with tally.lock:
            if arrived is None:
                tally.missing += 1
            else:
                tally.latencies.append(arrived - start)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def sample_rss(pid: int, pushed: list[int], total: int, out: list[tuple[int, float]]) -> None:
    """RSS at every 1,000 pushed updates (polled: the mark is passed by a few at most)."""
    mark = 0
    while mark <= total:
        if pushed[0] >= mark:
            out.append((pushed[0], rss_mb(pid)))
            mark += 1000
        else:
            time.sleep(0.05)


def db_checks(path: Path) -> dict[str, Any]:
    with sqlite3.connect(path) as db:
        return {
            "integrity_check": db.execute("PRAGMA integrity_check").fetchone()[0],
            "foreign_key_check rows": len(db.execute("PRAGMA foreign_key_check").fetchall()),
            "questions recorded": db.execute("SELECT COUNT(*) FROM questions").fetchone()[0],
            "inbox unanswered": db.execute(
                "SELECT COUNT(*) FROM inbox WHERE payload IS NOT NULL"
            ).fetchone()[0],
        }


def start_bot(api: SoakApi, command: list[str], work: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_ENV}
    env |= {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": api.base_url,
        "BOT_DB_PATH": str(work / "soak.sqlite3"),
        "BOT_FLOOD_LIMIT": "1000",
    }
    with (work / "soak.log").open("w") as out:
        return subprocess.Popen(command, cwd=work, env=env, stdout=out, stderr=out)


def soak(command: list[str], total: int, users: int, work: Path) -> None:
    tally, pushed, rss = Tally(), [0], list[tuple[int, float]]()
    with SoakApi(token=TOKEN) as api:
        bot = start_bot(api, command, work)
        api.wait_for_sync("getUpdates", 1, timeout=GUARD)
        sampler = threading.Thread(target=sample_rss, args=(bot.pid, pushed, total, rss))
        sampler.start()
        started = time.perf_counter()
        steps = total // users
        threads = [
            threading.Thread(target=user, args=(api, FIRST_USER + u, steps, tally, pushed))
            for u in range(users)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        sampler.join()
        bot.send_signal(signal.SIGTERM)
        code = bot.wait(timeout=GUARD)
        report(api, tally, rss, wall, code, work)


def report(
    api: SoakApi, tally: Tally, rss: list[tuple[int, float]], wall: float, code: int, work: Path
) -> None:
    addressed = sum(tally.expected.values())
    replies = sum(api.answered[k] for k in tally.expected)
    wrong = sum(abs(api.answered[k] - n) for k, n in tally.expected.items())
    # Chatter groups also hold mentions: replies beyond the mentions answered chatter.
    extra = sum(max(0, api.answered[g] - tally.expected[g]) for g in tally.unaddressed)
    ms = sorted(x * 1000 for x in tally.latencies)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    print(f"updates pushed: {sum(tally.kinds.values())} in {wall:.1f} s; mix: {dict(tally.kinds)}")
    print(f"addressed: {addressed}; replies: {replies}; per addressed update: "
          f"{replies / addressed:.4f}; keys not answered exactly once: {wrong}; "
          f"missing (guard {GUARD:.0f} s): {tally.missing}")  # fmt: skip
    print(f"replies to unaddressed group chatter: {extra}")
    print(f"latency ms (push → answer): p50 {q[49]:.0f}, p99 {q[98]:.0f}, max {ms[-1]:.0f}")
    print("RSS MB every 1,000 updates: " + ", ".join(f"{n}: {mb:.0f}" for n, mb in rss))
    print(f"exit code after SIGTERM: {code}; DB: {db_checks(work / 'soak.sqlite3')}")
    log = (work / "soak.log").read_text()
    print(f"bot log: {log.count('Traceback')} tracebacks, {log.count(' ERROR ')} ERROR lines")
    for line in [line for line in log.splitlines() if " ERROR " in line][:5]:
        print("  " + line[:300])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--mode", choices=("production", "no-cap"), default="production")
    parser.add_argument("--log", type=Path, help="keep the bot's log here")
    args = parser.parse_args()
    command = [sys.executable, "-m", "bot", "run"]
    if args.mode == "no-cap":
        command = [sys.executable, "-c", NO_CAP]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(SEED_KNOWLEDGE, work / "knowledge")
        print(f"soak: {args.updates} updates, {args.users} users, mode {args.mode}")
        soak(command, args.updates, args.users, work)
        if args.log:
            shutil.copy(work / "soak.log", args.log)


if __name__ == "__main__":
    main()
