"""A scriptable GitHub stand-in: a Starlette app on a real uvicorn server in a thread.

Each test says, per path, which replies come back in order (the last one repeats), or gives
a function that builds the reply from the request. The server records what it received and
how many requests were in flight at once.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    #: JSON-serialisable value, or ``str``/``bytes`` sent as they are.
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    #: Announce the full length, send half the body, then close the connection.
    truncate: bool = False
    #: Add the usual ``x-ratelimit-*`` headers.
    rate: bool = True


@dataclass(frozen=True)
class Seen:
    """A request as the server received it."""

    path: str
    query: str
    headers: dict[str, str]

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


Handler = Callable[[Request], Reply]


class _TruncatedResponse(Response):
    """Sends a ``Content-Length`` it never fulfils, then returns: uvicorn drops the connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send({"type": "http.response.body", "body": self.body[:-5], "more_body": True})


class Scripted:
    """The scripted server state; tests call :meth:`on` and read the counters."""

    def __init__(self) -> None:
        self.app = Starlette(routes=[Route("/{path:path}", self._handle)])
        self.base_url = ""
        self.reset()

    def reset(self) -> None:
        self._routes: dict[str, list[Reply] | Handler] = {}
        self.seen: list[Seen] = []
        self.hits: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0
        #: The server's simulated clock, sent as ``Date``.
        self.clock = datetime.now(UTC).replace(microsecond=0)
        self.remaining = 4999

    def on(self, path: str, *replies: Reply | Handler) -> None:
        """Script ``path``: a sequence of replies, or a single handler function."""
        if len(replies) == 1 and callable(replies[0]):
            self._routes[path] = replies[0]
        else:
            self._routes[path] = [r for r in replies if isinstance(r, Reply)]

    def json(self, path: str, body: Any, **headers: str) -> None:
        """Script ``path`` to answer 200 with ``body`` every time."""
        self.on(path, Reply(body=body, headers=dict(headers)))

    def rate_headers(self, remaining: int | None = None, reset_in: float = 3600) -> dict[str, str]:
        left = self.remaining if remaining is None else remaining
        reset = self.clock + timedelta(seconds=reset_in)
        return {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": str(left),
            "x-ratelimit-used": str(5000 - left),
            "x-ratelimit-reset": str(int(reset.timestamp())),
            "x-ratelimit-resource": "core",
        }

    def _reply_for(self, request: Request) -> Reply:
        path = request.url.path
        script = self._routes.get(path)
        if script is None:
            return Reply(404, {"message": "Not Found", "status": "404"})
        if callable(script):
            return script(request)
        index = min(self.hits[path] - 1, len(script) - 1)
        return script[index]

    async def _handle(self, request: Request) -> Response:
        path = request.url.path
        self.hits[path] += 1
        self.seen.append(Seen(path, request.url.query, dict(request.headers)))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            reply = self._reply_for(request)
            if reply.delay:
                await asyncio.sleep(reply.delay)
        finally:
            self.in_flight -= 1
        headers = {"date": format_datetime(self.clock, usegmt=True)}
        if reply.rate:
            headers |= self.rate_headers()
        headers |= reply.headers
        if isinstance(reply.body, bytes):
            content = reply.body
        elif isinstance(reply.body, str):
            content = reply.body.encode()
        elif reply.body is None:
            content = b""
        else:
            content = json.dumps(reply.body).encode()
            headers.setdefault("content-type", "application/json; charset=utf-8")
        cls = _TruncatedResponse if reply.truncate else Response
        return cls(content, status_code=reply.status, headers=headers)


@dataclass
class Running:
    scripted: Scripted
    server: uvicorn.Server
    thread: threading.Thread


def start(scripted: Scripted) -> Running:
    """Serve ``scripted`` on 127.0.0.1 (a free port) in a daemon thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        scripted.app,
        log_level="warning",
        lifespan="off",
        date_header=False,
        server_header=False,
        timeout_keep_alive=30,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the scripted server did not start")
        time.sleep(0.01)
    scripted.base_url = f"http://127.0.0.1:{port}"
    return Running(scripted, server, thread)


def stop(running: Running) -> None:
    running.server.should_exit = True
    running.thread.join(timeout=10)


def pages(items: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
