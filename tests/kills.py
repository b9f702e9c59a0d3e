"""SIGKILL a command at random moments of its own run time.

Moments are drawn as fractions of how long one uninterrupted run of the same command takes
on this machine, so the kills land while it works on a fast machine as on a slow one.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections.abc import Callable, Sequence

#: Kill moments, as fractions of one uninterrupted run (start-up included).
EARLIEST, LATEST = 0.1, 1.0


def timed_run(command: Sequence[str], env: dict[str, str]) -> float:
    """Seconds one uninterrupted run of ``command`` takes; it must succeed."""
    started = time.perf_counter()
    done = subprocess.run(list(command), env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return time.perf_counter() - started


def kill_at_random_moments(
    command: Sequence[str],
    env: dict[str, str],
    *,
    runs: int,
    run_seconds: float,
    rng: random.Random,
    after_each: Callable[[], None],
) -> int:
    """Start ``command`` ``runs`` times, SIGKILL each at a random moment of ``run_seconds``
    unless it has ended, and call ``after_each`` once it is gone. Returns the kills."""
    kills = 0
    for _ in range(runs):
        process = subprocess.Popen(
            list(command), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(EARLIEST, LATEST) * run_seconds)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=60)
        after_each()
    return kills
