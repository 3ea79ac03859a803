"""Password guessing at the SSH gateway: a backoff, then a lockout, per seat and per address.

Failed logins are counted per seat name (known or not, so a lockout tells an
attacker nothing about which seats exist) and per source address, over a
sliding window. The first few failures cost nothing; after that each check
waits twice as long as the last (capped); past the lockout threshold the
seat or address is refused without a check for a while. A good password
clears the seat's and the address's count.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

# Per connection: after this many wrong passwords the connection is closed (as sshd).
MAX_TRIES_PER_CONNECTION = 3


@dataclass
class GuardPolicy:
    """How much guessing is tolerated (the defaults suit a classroom)."""

    free: int = 3  # failures in the window before any delay
    max_delay: float = 8.0  # seconds, the longest backoff before a check
    lockout_after: int = 10  # failures in the window that lock the seat or address
    lockout_seconds: float = 300.0
    window: float = 600.0
    max_tracked: int = 10_000  # names and addresses remembered (oldest forgotten first)


@dataclass
class LoginGuard:
    """Failure counts and lockouts; ``clock`` is injectable for tests."""

    policy: GuardPolicy = field(default_factory=GuardPolicy)
    clock: Callable[[], float] = time.monotonic
    _fails: dict[str, deque[float]] = field(default_factory=dict)
    _locked: dict[str, float] = field(default_factory=dict)

    @staticmethod
    def keys(seat: str, peer: str) -> tuple[str, str]:
        return f"seat:{seat}", f"addr:{peer}"

    def _count(self, key: str, now: float) -> int:
        times = self._fails.get(key)
        if not times:
            return 0
        while times and times[0] < now - self.policy.window:
            times.popleft()
        return len(times)

    def locked_for(self, seat: str, peer: str) -> float:
        """Seconds until this seat or address may try again (0: not locked)."""
        now = self.clock()
        until = max(self._locked.get(k, 0.0) for k in self.keys(seat, peer))
        return max(0.0, until - now)

    def delay(self, seat: str, peer: str) -> float:
        """Seconds to wait before checking a password: grows with recent failures."""
        now = self.clock()
        over = max(self._count(k, now) for k in self.keys(seat, peer)) - self.policy.free
        return 0.0 if over < 0 else min(self.policy.max_delay, 0.5 * 2 ** over)

    def failed(self, seat: str, peer: str) -> bool:
        """Count a failure; whether it locked the seat or the address."""
        now = self.clock()
        locked = False
        for key in self.keys(seat, peer):
            times = self._fails.setdefault(key, deque())
            times.append(now)
            if self._count(key, now) >= self.policy.lockout_after:
                self._locked[key] = now + self.policy.lockout_seconds
                times.clear()
                locked = True
        self._forget_oldest()
        return locked

    def succeeded(self, seat: str, peer: str) -> None:
        for key in self.keys(seat, peer):
            self._fails.pop(key, None)

    def _forget_oldest(self) -> None:
        while len(self._fails) > self.policy.max_tracked:
            self._fails.pop(next(iter(self._fails)))
        now = self.clock()
        for key in [k for k, until in self._locked.items() if until <= now]:
            del self._locked[key]
