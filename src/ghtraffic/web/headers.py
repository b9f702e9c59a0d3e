"""Security headers on every response (a strict Content-Security-Policy and friends), and
the allow-list of the names the dashboard answers to (``Host``), against DNS rebinding."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from starlette.datastructures import MutableHeaders
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ghtraffic.web.middleware import HttpMiddleware

#: The policy of every page, one directive each (the static report's pages carry the
#: same in a ``<meta>`` tag, less what only a header can say).
CSP_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CSP = "; ".join(CSP_DIRECTIVES)

SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


class SecurityHeaders(HttpMiddleware):
    """Adds ``SECURITY_HEADERS``; responses without their own ``Cache-Control`` get
    ``no-store`` (pages show private figures)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)


class AllowedHosts:
    """Starlette's ``TrustedHostMiddleware`` (400 for any other ``Host``), except for
    ``open_paths`` (the health check, which load balancers ask by address)."""

    def __init__(
        self, app: ASGIApp, hosts: Sequence[str], open_paths: Collection[str] = ("/healthz",)
    ) -> None:
        self.app = app
        self.checked = TrustedHostMiddleware(app, allowed_hosts=hosts, www_redirect=False)
        self.open_paths = frozenset(open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in self.open_paths:
            await self.app(scope, receive, send)
            return
        await self.checked(scope, receive, send)
