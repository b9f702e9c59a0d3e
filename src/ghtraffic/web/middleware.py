"""The frame of the dashboard's ASGI middlewares: anything but an HTTP request (the
server's lifespan messages) passes through untouched; a request goes to ``handle``."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one HTTP request (usually by calling ``self.app``)."""
        raise NotImplementedError
