"""The per-token rate limit (no web framework here: the CLI reads the default without Starlette)."""

from __future__ import annotations

import time

# Requests per minute per token. PortalRB fetches the two lists and then each unit once (with
# three retries on failure), so 120 a minute serves a region of ~100 units in one pass while a
# leaked token cannot be used to hammer the workspace.
DEFAULT_RATE = 120


class RateLimiter:
    """A token bucket per key: ``per_minute`` requests, refilled continuously."""

    def __init__(self, per_minute: int, clock=time.monotonic) -> None:
        self.capacity = max(1, int(per_minute))
        self.rate = self.capacity / 60.0
        self.clock = clock
        self.buckets: dict[str, tuple[float, float]] = {}

    MAX_KEYS = 10_000  # callers remembered; a flood of addresses must not grow memory forever

    def take(self, key: str) -> float:
        """0 when allowed, else the seconds until the next request is allowed."""
        now = self.clock()
        if len(self.buckets) >= self.MAX_KEYS and key not in self.buckets:
            self._forget_idle(now)
        tokens, last = self.buckets.get(key, (float(self.capacity), now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens >= 1:
            self.buckets[key] = (tokens - 1, now)
            return 0.0
        self.buckets[key] = (tokens, now)
        return (1 - tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        """Drop buckets that have refilled completely (they hold no information), else the oldest half."""
        full = [k for k, (tokens, last) in self.buckets.items() if tokens + (now - last) * self.rate >= self.capacity]
        for k in full or sorted(self.buckets, key=lambda k: self.buckets[k][1])[: len(self.buckets) // 2]:
            del self.buckets[k]
