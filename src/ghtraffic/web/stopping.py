"""Learn that the process is told to stop, before the ASGI server waits for responses.

uvicorn, on SIGTERM or SIGINT, stops accepting connections and then waits for every
response to end before it runs the app's shutdown; a live stream never ends by itself,
so the app must hear of the signal first. While the app runs, the handler the server
installed for each signal is wrapped: the wrapper calls ``on_stop`` on the event loop,
then the server's own handler. This works for ``ghtraffic serve`` and for
``uvicorn --factory ghtraffic.web.asgi:from_env`` alike; where no Python handler is
installed (another server, or a thread other than the main one) nothing is changed.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

#: The signals that ask a server to stop.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

Handler = Callable[[int, FrameType | None], Any]


def relay_stop_signals(on_stop: Callable[[], None]) -> Callable[[], None]:
    """Call ``on_stop`` (on the running loop) when a stop signal arrives, before the
    handler already installed; returns what puts the previous handlers back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    loop = asyncio.get_running_loop()
    wrapped: dict[int, tuple[Handler, Handler]] = {}
    for number in STOP_SIGNALS:
        previous = signal.getsignal(number)
        if not callable(previous) or previous is signal.default_int_handler:
            continue  # no server handler to run after ours: leave the default alone

        def relay(sig: int, frame: FrameType | None, previous: Handler = previous) -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(on_stop)
            previous(sig, frame)

        signal.signal(number, relay)
        wrapped[number] = (relay, previous)

    def restore() -> None:
        for number, (relay, previous) in wrapped.items():
            if signal.getsignal(number) is relay:
                signal.signal(number, previous)

    return restore
