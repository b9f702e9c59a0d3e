"""Running the fake: ``serve`` (blocking) and ``running`` (a background thread, for tests)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
import uvicorn

from ghtraffic.fakegithub.app import GHES_PREFIX, create_app
from ghtraffic.fakegithub.clock import parse_instant
from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.faults import FaultSettings


class _QuietResets(logging.Filter):
    """Hides the server's complaint about the connections the reset fault drops on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


def _uvicorn_config(config: FakeGitHubConfig, app: Any, port: int) -> uvicorn.Config:
    logging.getLogger("uvicorn.error").addFilter(_QuietResets())
    return uvicorn.Config(
        app,
        host=config.host,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
        date_header=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None] | None) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self._on_ready is not None:
            self._on_ready()


def serve(config: FakeGitHubConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Run the fake until interrupted; ``on_ready(base_url)`` once it accepts connections."""
    port = config.port or free_port(config.host)
    base_url = f"http://{config.host}:{port}"
    ready = (lambda: on_ready(base_url)) if on_ready is not None else None
    _Server(_uvicorn_config(config, create_app(config), port), ready).run()


class FakeGitHub:
    """A running fake: URLs and the control endpoints, over HTTP."""

    def __init__(self, base_url: str, ghes: bool = False) -> None:
        self.base_url = base_url
        self.api_url = base_url + GHES_PREFIX if ghes else base_url
        self._http = httpx.Client(base_url=base_url, timeout=10)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = self._http.request(method, path, json=body)
        response.raise_for_status()
        return response.json()

    def now(self) -> datetime:
        return parse_instant(self._call("GET", "/_fake/clock")["now"])

    def set_now(self, instant: datetime | str) -> datetime:
        text = instant if isinstance(instant, str) else instant.isoformat()
        return parse_instant(self._call("POST", "/_fake/clock", {"now": text})["now"])

    def advance_days(self, days: float) -> datetime:
        return parse_instant(self._call("POST", "/_fake/clock", {"advance_days": days})["now"])

    def advance(self, delta: timedelta) -> datetime:
        body = {"advance_seconds": delta.total_seconds()}
        return parse_instant(self._call("POST", "/_fake/clock", body)["now"])

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/_fake/stats")
        return result

    def reset_stats(self) -> None:
        self._call("POST", "/_fake/stats/reset")

    def served(self) -> list[dict[str, Any]]:
        """Daily views/clones windows answered whole, without a fault."""
        result: list[dict[str, Any]] = self._call("GET", "/_fake/served")
        return result

    def log_requests(self, on: bool = True) -> None:
        """Start an empty request log (``on=False``: stop it)."""
        self._call("POST", "/_fake/requests", {"log": on})

    def requests(self) -> list[dict[str, Any]]:
        """The request log: ``{"day", "request", "status", "count"}`` per fake day, request
        (``METHOD path?query``) and status (0: a connection reset)."""
        result: list[dict[str, Any]] = self._call("GET", "/_fake/requests")
        return result

    def rename_repo(self, repo_id: int, new_name: str) -> Any:
        return self._call("POST", f"/_fake/repos/{repo_id}", {"rename_to": new_name})

    def delete_repo(self, repo_id: int) -> Any:
        return self._call("POST", f"/_fake/repos/{repo_id}", {"delete": True})

    def world(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/_fake/world")
        return result

    def set_faults(self, spec: str | FaultSettings | dict[str, Any] = "", **options: Any) -> Any:
        """Replace the fault settings: a ``--faults`` string, settings, a mapping or keywords
        (``set_faults(reset=0.5)``; underscores stand for dashes: ``no_push=[...]``)."""
        if isinstance(spec, FaultSettings):
            body: dict[str, Any] = spec.to_mapping()
        elif isinstance(spec, dict):
            body = dict(spec)
        else:
            body = {"spec": spec} if spec else {}
        if options:
            if "spec" in body:
                raise ValueError("give a spec string or keywords, not both")
            body.update({k.replace("_", "-"): v for k, v in options.items()})
        return self._call("POST", "/_fake/faults", body)


@contextmanager
def running(config: FakeGitHubConfig | None = None) -> Iterator[FakeGitHub]:
    """Run the fake in a background thread on 127.0.0.1 and yield a ``FakeGitHub``."""
    config = config or FakeGitHubConfig()
    port = config.port or free_port(config.host)
    server = _Server(_uvicorn_config(config, create_app(config), port), None)
    thread = threading.Thread(target=server.run, name=f"fake-github-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the fake GitHub did not start on port {port}")
        time.sleep(0.01)
    fake = FakeGitHub(f"http://{config.host}:{port}", ghes=config.ghes)
    try:
        yield fake
    finally:
        fake.close()
        server.should_exit = True
        thread.join(timeout=10)
