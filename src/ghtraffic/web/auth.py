"""Who is asking, and whether they may ask at all: an ASGI middleware in front of every route.

It resolves the principal (``Authorization: Bearer`` token, else the session cookie),
refuses anonymous requests everywhere except the login page, the health check, static
files, public badges and (when enabled) the public view, refuses every state-changing
request of an API token that reads only (the default), and checks the CSRF token of
every state-changing request made with a cookie.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ghtraffic.identity.principal import ANONYMOUS, PUBLIC, Principal
from ghtraffic.identity.sessions import COOKIE, load_session
from ghtraffic.identity.tokens import user_for_token
from ghtraffic.storage.database import Database
from ghtraffic.web import csrf
from ghtraffic.web.middleware import HttpMiddleware

#: Paths anyone may reach: exact paths and prefixes.
OPEN_PATHS = frozenset({"/login", "/healthz", "/readyz", "/favicon.ico"})
OPEN_PREFIXES = ("/static/", "/badge/")
PUBLIC_VIEW_PREFIX = "/public"
READ_ONLY = (
    "this API token may only read: an admin can mint one that may write with "
    "`ghtraffic user token NAME --write`"
)
METRICS_PATH = "/metrics"
METRICS_ONLY = "this API token reads only /metrics: use a token of its user for the rest"


def is_open(path: str, public_view: bool) -> bool:
    if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
        return True
    return public_view and (path == PUBLIC_VIEW_PREFIX or path.startswith(PUBLIC_VIEW_PREFIX + "/"))


def wants_json(path: str) -> bool:
    return path.startswith(("/api/", "/events/"))


class AuthMiddleware(HttpMiddleware):
    def __init__(self, app: ASGIApp, db: Database, *, public_view: bool = False) -> None:
        super().__init__(app)
        self.db = db
        self.public_view = public_view

    def _resolve(self, conn: HTTPConnection) -> Principal | None:
        """The principal, or ``None`` for a bearer token that is wrong or revoked."""
        authorization = conn.headers.get("authorization", "")
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer":
                return None
            use = user_for_token(self.db, token.strip())
            if use is None:
                return None
            return Principal(
                user=use.user,
                via_token=True,
                token_writes=use.can_write,
                metrics_only=use.metrics_only,
            )
        value = conn.cookies.get(COOKIE)
        if value:
            info = load_session(self.db, value)
            if info is not None:
                return Principal(
                    user=info.user, session_hash=info.id_hash, csrf_token=info.csrf_token
                )
        return ANONYMOUS

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        conn = HTTPConnection(scope)
        path: str = scope["path"]
        principal = await run_in_threadpool(self._resolve, conn)
        if principal is None:
            response: Response = JSONResponse(
                {"error": "the API token is wrong or revoked"},
                status_code=401,
                headers={"www-authenticate": 'Bearer error="invalid_token"'},
            )
            await response(scope, receive, send)
            return
        if not principal.signed_in and self.public_view and path.startswith(PUBLIC_VIEW_PREFIX):
            principal = PUBLIC
        scope.setdefault("state", {})["principal"] = principal
        method: str = scope["method"]
        if principal.metrics_only and path != METRICS_PATH:
            await JSONResponse({"error": METRICS_ONLY}, status_code=403)(scope, receive, send)
            return
        if not principal.signed_in and not is_open(path, self.public_view):
            await self._refuse_anonymous(scope, receive, send, path, method)
            return
        if method not in csrf.SAFE_METHODS and principal.read_only:
            await JSONResponse({"error": READ_ONLY}, status_code=403)(scope, receive, send)
            return
        if method not in csrf.SAFE_METHODS and not principal.via_token:
            try:
                body = await csrf.read_body(receive)
            except csrf.BodyTooLarge:
                await PlainTextResponse("request body too large", 413)(scope, receive, send)
                return
            expected = (
                principal.csrf_token if principal.signed_in else conn.cookies.get(csrf.LOGIN_COOKIE)
            )
            if not csrf.token_matches(expected, csrf.submitted_token(Headers(scope=scope), body)):
                await PlainTextResponse(
                    "the form's security token is missing or out of date: reload the page "
                    "and try again",
                    403,
                )(scope, receive, send)
                return
            receive = csrf.replay(body, receive)
        await self.app(scope, receive, send)

    async def _refuse_anonymous(
        self, scope: Scope, receive: Receive, send: Send, path: str, method: str
    ) -> None:
        response: Response
        if wants_json(path) or path == "/api/openapi.json":
            response = JSONResponse(
                {"error": "sign in first, or send Authorization: Bearer <API token>"},
                status_code=401,
                headers={"www-authenticate": "Bearer"},
            )
        elif method in ("GET", "HEAD"):
            query = scope.get("query_string", b"").decode("latin-1")
            target = path + (f"?{query}" if query else "")
            response = RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        else:
            response = PlainTextResponse("sign in first", 403)
        await response(scope, receive, send)
