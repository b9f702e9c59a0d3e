"""A listener of its own for the metrics (``[metrics] access = "port"``, and workers): a
small threaded HTTP server from prometheus-client on a socket bound beforehand.

Every path answers with the metrics, except ``/healthz``, which answers ``ok`` while the
process runs (a liveness probe for workers, which have no web port).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler

from prometheus_client import make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.registry import Collector

StartResponse = Callable[..., Any]


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No line per scrape."""


def _with_health(metrics: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return metrics(environ, start_response)

    return app


class MetricsListener:
    """Serves ``registry`` on ``sock`` (already listening) from a daemon thread."""

    def __init__(self, registry: Collector, sock: socket.socket) -> None:
        server = ThreadingWSGIServer(sock.getsockname()[:2], _Quiet, bind_and_activate=False)
        server.socket.close()
        server.socket = sock
        sock.setblocking(True)
        server.server_address = sock.getsockname()
        server.server_name, server.server_port = "ghtraffic", server.server_address[1]
        server.setup_environ()
        server.set_app(_with_health(make_wsgi_app(registry)))
        self.server = server
        self.port: int = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, name="ghtraffic-metrics", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
