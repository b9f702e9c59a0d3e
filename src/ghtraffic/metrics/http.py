"""An ASGI middleware that times every HTTP request into ``HTTP_SECONDS``.

The ``handler`` label is the name of the endpoint the router chose (``none`` when no
route matched), so the label has as many values as the app has routes. A live stream
(``text/event-stream``) is left out: it lasts as long as the page is open.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from ghtraffic.metrics.instruments import HTTP_SECONDS, status_class
from ghtraffic.web.middleware import HttpMiddleware

#: Methods counted by name; any other is counted as ``other``.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestTimer(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500
        streaming = False

        async def timed_send(message: Message) -> None:
            nonlocal status, streaming
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", ()):
                    if name.lower() == b"content-type" and value.startswith(b"text/event-stream"):
                        streaming = True
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            if not streaming:
                method = scope["method"] if scope["method"] in METHODS else "other"
                HTTP_SECONDS.labels(
                    method, handler_name(scope.get("endpoint")), status_class(status)
                ).observe(time.perf_counter() - started)


def handler_name(endpoint: Any) -> str:
    """The name of a route's endpoint: its function's name, or its class's."""
    if endpoint is None:
        return "none"
    name = getattr(endpoint, "__name__", None)
    return name if isinstance(name, str) else type(endpoint).__name__
