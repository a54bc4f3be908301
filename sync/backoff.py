"""Retry delays: exponential backoff with jitter, so many clients never retry in lockstep."""

from __future__ import annotations

import random


class Backoff:
    """Delay before retry n: a random point in the upper half of min(cap, base * 2**n)."""

    def __init__(self, base: float = 0.5, cap: float = 60.0, rng: random.Random | None = None):
        self.base = base
        self.cap = cap
        self._rng = rng or random.Random()

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        ceiling = min(self.cap, self.base * (2 ** min(attempt, 30)))
        delay = self._rng.uniform(ceiling / 2, ceiling)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.cap))
        return delay
