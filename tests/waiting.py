"""The one way the tests wait: poll an explicit condition until a deadline.

`wait_for` (plain threads) and `until` (Pilot sessions) share the deadline logic and the
failure message, which names what was awaited. Neither sleeps a fixed time to let things
settle: a test that must show that something does NOT happen waits for a later event that
could only come after it (a command queued behind it, further iterations), then asserts.

The default timeout is generous: the suite must pass on a loaded 2-core machine (another
training process beside it). A timeout that is itself the point of a test (quitting
within 1 s) is passed explicitly and kept.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")

DEFAULT_TIMEOUT = 30.0  # seconds; a bound, not a pause: a passing test waits far less
SYNC_POLL = 0.005
ASYNC_POLL = 0.05

Description = str | Callable[[], str]


class TimedOut(AssertionError):
    """The awaited condition was still false at the deadline."""


def _describe(what: Description) -> str:
    return what() if callable(what) else what


def _polls(cond: Callable[[], T], timeout: float, what: Description) -> Iterator[T]:
    """Yields once per poll while cond() is false; the last value is cond()'s truthy one.
    cond() is always evaluated once more after the deadline passes, so a condition met
    while the caller slept is never reported as a timeout."""
    end = time.monotonic() + timeout
    while True:
        late = time.monotonic() > end
        value = cond()
        if value:
            yield value
            return
        if late:
            raise TimedOut(f"timed out after {timeout:g} s waiting for {_describe(what)}")
        yield None


def wait_for(
    cond: Callable[[], T],
    timeout: float = DEFAULT_TIMEOUT,
    what: Description = "condition",
    poll: float = SYNC_POLL,
) -> T:
    """Block until cond() is true; returns its value. TimedOut (an AssertionError) names
    `what` once `timeout` seconds have passed."""
    value = None
    for value in _polls(cond, timeout, what):
        if not value:
            time.sleep(poll)
    return value


async def until(
    pilot,
    cond: Callable[[], T],
    timeout: float = DEFAULT_TIMEOUT,
    what: Description = "condition",
    poll: float = ASYNC_POLL,
) -> T:
    """The same, in a Pilot session: the app runs while it waits. pilot=None sleeps with
    asyncio instead of pilot.pause(), for when the app's screens may be going away
    (pilot.pause waits for the current screen's widgets, which a popped screen never
    gives)."""
    value = None
    for value in _polls(cond, timeout, what):
        if not value:
            if pilot is None:
                await asyncio.sleep(poll)
            else:
                await pilot.pause(poll)
    return value
