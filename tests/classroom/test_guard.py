"""The gateway's guessing guard: free tries, a doubling wait, a lockout, a window."""

from __future__ import annotations

from runner.classroom.guard import GuardPolicy, LoginGuard


def _guard() -> tuple[LoginGuard, list[float]]:
    now = [0.0]
    guard = LoginGuard(GuardPolicy(free=2, max_delay=4, lockout_after=6, lockout_seconds=60,
                                   window=100), clock=lambda: now[0])
    return guard, now


def test_the_wait_doubles_after_the_free_tries_up_to_its_cap():
    guard, _ = _guard()
    waits = []
    for _ in range(5):
        waits.append(guard.delay("alice", "10.0.0.9"))
        guard.failed("alice", "10.0.0.9")
    assert waits == [0.0, 0.0, 0.5, 1.0, 2.0]
    assert guard.delay("alice", "10.0.0.9") == 4.0  # capped
    assert guard.delay("bob", "10.0.0.7") == 0.0  # another seat from another address


def test_a_lockout_covers_the_seat_from_anywhere_and_the_address_for_any_seat():
    guard, now = _guard()
    locked = [guard.failed("alice", "10.0.0.9") for _ in range(6)]
    assert locked == [False] * 5 + [True]
    assert guard.locked_for("alice", "10.9.9.9") == 60
    assert guard.locked_for("bob", "10.0.0.9") == 60
    assert guard.locked_for("bob", "10.9.9.9") == 0
    now[0] = 61
    assert guard.locked_for("alice", "10.0.0.9") == 0


def test_failures_age_out_of_the_window_and_a_good_login_clears_them():
    guard, now = _guard()
    for _ in range(4):
        guard.failed("alice", "10.0.0.9")
    now[0] = 101
    assert guard.delay("alice", "10.0.0.9") == 0.0
    for _ in range(4):
        guard.failed("alice", "10.0.0.9")
    guard.succeeded("alice", "10.0.0.9")
    assert guard.delay("alice", "10.0.0.9") == 0.0
