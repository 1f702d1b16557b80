"""The tests' one polling helper (waiting.py): both forms return the condition's value, fail
with a message naming what was awaited, and look once more after the deadline."""

from __future__ import annotations

import time

import pytest
from waiting import TimedOut, until, wait_for


def test_wait_for_returns_the_value_and_names_what_timed_out():
    assert wait_for(lambda: [3]) == [3]
    with pytest.raises(TimedOut, match=r"timed out after 0\.05 s waiting for the answer"):
        wait_for(lambda: None, timeout=0.05, what="the answer")
    with pytest.raises(AssertionError, match="waiting for 42 things"):
        wait_for(lambda: 0, timeout=0.01, what=lambda: f"{6 * 7} things")


def test_the_condition_is_read_once_more_after_the_deadline():
    end = time.monotonic() + 0.05
    calls = []

    def cond():  # false until the deadline has passed; the poll is longer than the timeout
        calls.append(time.monotonic())
        return time.monotonic() > end

    assert wait_for(cond, timeout=0.05, poll=0.2) is True
    assert len(calls) == 2


async def test_until_without_a_pilot_sleeps_with_asyncio():
    seen = []

    def cond():
        seen.append(1)
        return len(seen) >= 3 and "done"

    assert await until(None, cond, poll=0.001) == "done"
    with pytest.raises(TimedOut, match="waiting for nothing"):
        await until(None, lambda: False, timeout=0.02, what="nothing")
