"""Per-user flood control: at most N questions in a sliding minute."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable


class FloodGuard:
    """Sliding-window counter per user; remembers only recent timestamps, never content."""

    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: defaultdict[int, deque[float]] = defaultdict(deque)
        self._swept: float | None = None  # when idle users were last dropped

    def allow(self, user_id: int) -> bool:
        """True and counted when the user is under the limit; False (not counted) otherwise."""
        now = self.clock()
        if self._swept is None or now - self._swept >= self.window:
            self.forget_idle()  # at most once a window, so memory holds only recent users
            self._swept = now
        stamps = self._seen[user_id]
        while stamps and now - stamps[0] >= self.window:
            stamps.popleft()
        if len(stamps) >= self.limit:
            return False
        stamps.append(now)
        return True

    def forget_idle(self) -> None:
        """Drop users with no recent question, so memory stays bounded."""
        now = self.clock()
        for user_id in [u for u, s in self._seen.items() if not s or now - s[-1] >= self.window]:
            del self._seen[user_id]
