"""Waiting for what a test expects, not for a while: poll a condition until it holds.

A fixed sleep is too short on a loaded machine and too long everywhere else, and a test that
sleeps and then checks that nothing happened passes just as well when the system never got
that far. `until` returns as soon as the condition holds and fails, naming what it waited
for, when it has not held by the deadline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(
    condition: Callable[[], object], what: str = "", timeout: float = 10.0, interval: float = 0.005
) -> None:
    """Return once `condition()` is true; AssertionError if it is not within `timeout` seconds,
    naming `what` (or, without one, the condition). Any asyncio loop: qasync's too."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() >= deadline:
            raise AssertionError(f"not within {timeout:g} s: {what or condition}")
        await asyncio.sleep(interval)
