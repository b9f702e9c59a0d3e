"""Racing threads in a test: the same work started in several threads at once."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_together(target: Callable[[], None], count: int) -> None:
    """Start ``count`` threads running ``target``, then wait until every one has ended."""
    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
