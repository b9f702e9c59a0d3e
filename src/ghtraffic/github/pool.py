"""Connections shared beyond one client: one TLS context per process (building one loads
the CA bundle, tens of milliseconds of CPU), and a connection pool that the clients of a
worker's jobs use in turn, so a job starts on warm keep-alive connections instead of new
TCP and TLS handshakes."""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process's TLS context (system CA bundle; ``SSL_CERT_FILE``/``SSL_CERT_DIR``)."""
    return httpx.create_ssl_context()


class SharedPool(httpx.AsyncBaseTransport):
    """One pool for many clients: closing a client leaves it open; ``shutdown()`` closes it."""

    def __init__(self, connections: int) -> None:
        self._inner = httpx.AsyncHTTPTransport(
            verify=tls_context(),
            limits=httpx.Limits(
                max_connections=connections * 2, max_keepalive_connections=connections
            ),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        """A client closing: the pool stays for the next one."""

    async def shutdown(self) -> None:
        await self._inner.aclose()
