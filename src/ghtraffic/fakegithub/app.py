"""The Starlette application: GitHub routes wrapped in GitHub's request handling, plus the
``/_fake/`` control routes.

Every API request goes through: User-Agent check, latency, fault draw, authentication, the
secondary limit (when ``per-minute`` is set), the primary rate limit, the route, ETag /
``If-None-Match`` (a 304 spends no point), rate-limit and GitHub headers. In GHES mode the
API lives under ``/api/v3``, traffic routes answer 404 and there are no rate limits.

Control routes (no authentication, never faulted):

- ``GET /_fake/clock`` → ``{"now": ISO}``; ``POST /_fake/clock`` with ``{"now": ISO}``,
  ``{"advance_days": n}`` or ``{"advance_seconds": s}``.
- ``GET /_fake/stats`` → requests by route kind and status, points per token, 304s, faults,
  and per token the most requests in one secondary-limit window; ``POST /_fake/stats/reset``.
- ``GET /_fake/faults``; ``POST /_fake/faults`` replaces the fault settings: a JSON object with
  the ``--faults`` keys, or ``{"spec": "5xx=0.1,..."}``.
- ``GET /_fake/world`` → ``{"user", "orgs", "tokens", "repos": [{id, full_name, private, fork,
  archived, renamed_from}]}``.
- ``POST /_fake/requests`` with ``{"log": true}`` starts an empty request log (``false``
  stops it); ``GET /_fake/requests`` → ``[{"day", "request", "status", "count"}]``: each API
  request by fake day, ``METHOD path?query`` and status (0: the connection was reset).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ghtraffic.fakegithub import api, bodies, graphql, installations
from ghtraffic.fakegithub.clock import FakeClock, parse_instant
from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.faults import FaultInjector, faults_from_mapping, parse_faults
from ghtraffic.fakegithub.model import TrafficModel, floor_hour
from ghtraffic.fakegithub.ratelimit import RateLimiter, RateState, window_start
from ghtraffic.fakegithub.replay import replay_world
from ghtraffic.fakegithub.secondary import SecondaryLimiter
from ghtraffic.fakegithub.stats import Stats
from ghtraffic.fakegithub.world import Account, Repo, World, build_world

API_VERSION = "2022-11-28"
#: GraphQL's points per hour (GitHub: 5,000 for a user token).
DEFAULT_GRAPHQL_LIMIT = 5000
GHES_PREFIX = "/api/v3"
#: Enterprise Server answers GraphQL beside its REST API, at ``/api/graphql``.
GHES_GRAPHQL = "/api/graphql"
GHES_VERSION = "3.19.0"
JSON_TYPE = "application/json; charset=utf-8"
RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
UA_MESSAGE = (
    "Request forbidden by administrative rules. Please make sure your request has a User-Agent "
    "header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required)."
)
_SERVER_ERRORS = {500: "Server Error", 502: "Server Error", 503: "Service Unavailable"}


@dataclass
class FakeState:
    """Everything one fake server knows and changes at run time."""

    config: FakeGitHubConfig
    world: World
    model: TrafficModel
    clock: FakeClock
    limiter: RateLimiter
    faults: FaultInjector
    apps: installations.AppRegistry
    stats: Stats = field(default_factory=Stats)
    #: GraphQL's budget, apart from REST's.
    graphql_limiter: RateLimiter = field(
        default_factory=lambda: RateLimiter(DEFAULT_GRAPHQL_LIMIT, resource="graphql")
    )
    secondary: SecondaryLimiter = field(default_factory=SecondaryLimiter)
    #: Daily views/clones windows answered whole (no fault, or only drifted fields):
    #: (repo id, kind, hour).
    served: set[tuple[int, str, str]] = field(default_factory=set)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def from_config(cls, config: FakeGitHubConfig) -> FakeState:
        if config.replay is not None:
            world, finals = replay_world(
                config.replay, config.seed, user=config.user, tokens=config.tokens
            )
            model = TrafficModel(config.seed, switch_date=config.switch_date, finals=finals)
        else:
            world = build_world(
                config.repos, config.seed, user=config.user, orgs=config.orgs, tokens=config.tokens
            )
            model = TrafficModel(config.seed, switch_date=config.switch_date)
        state = cls(
            config=config,
            world=world,
            model=model,
            clock=FakeClock(config.start, realtime=config.realtime),
            limiter=RateLimiter(config.rate_limit),
            faults=FaultInjector(config.faults),
            apps=installations.AppRegistry(
                config.apps, world, seed=config.seed, start=config.start
            ),
        )
        state.apply_limit()
        return state

    def apply_limit(self) -> None:
        self.limiter.limit = self.faults.settings.rate_limit or self.config.rate_limit
        self.secondary.window = self.faults.settings.secondary_window

    def request_id(self) -> str:
        n = next(self._ids)
        return f"{self.config.seed & 0xFFFF:04X}:{n:05X}:{n * 7919 & 0xFFFFFFF:07X}:{n:07X}"


class _Abort(Response):
    """Starts a 200 response and drops the connection half-way: the client sees it reset."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", JSON_TYPE.encode()), (b"content-length", b"4096")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"id": ', "more_body": True})


def _encode(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _etag(content: bytes) -> str:
    return '"' + hashlib.sha1(content, usedforsecurity=False).hexdigest() + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag in tags or "*" in tags


def _token(request: Request) -> str | None:
    value = request.headers.get("authorization", "")
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() in ("bearer", "token") and token.strip():
        return token.strip()
    return None


class GitHubEndpoint:
    """The catch-all API endpoint."""

    def __init__(self, state: FakeState) -> None:
        self.state = state

    async def handle(self, request: Request) -> Response:
        response = await self._handle(request)
        if self.state.stats.logging:
            status = 0 if isinstance(response, _Abort) else response.status_code
            day = self.state.clock.now().date().isoformat()
            self.state.stats.log(
                day, f"{request.method} {request.url.path}?{request.url.query}", status
            )
        return response

    async def _handle(self, request: Request) -> Response:
        state = self.state
        config = state.config
        path = request.url.path
        now = state.clock.now()
        headers = {
            "date": format_datetime(now, usegmt=True),
            "x-github-api-version-selected": API_VERSION,
            "x-github-request-id": state.request_id(),
            "x-github-media-type": "github.v3; format=json",
        }
        root = str(request.base_url).rstrip("/")
        if config.ghes:
            headers["x-github-enterprise-version"] = GHES_VERSION
            if path == GHES_GRAPHQL:
                path = "/graphql"
            elif path != GHES_PREFIX and not path.startswith(GHES_PREFIX + "/"):
                return self._finish("not_found", api.not_found(), headers)
            else:
                path = path[len(GHES_PREFIX) :] or "/"
            root += GHES_PREFIX

        if not request.headers.get("user-agent"):
            return self._finish(
                "forbidden", api.ApiResult(403, bodies.error(403, UA_MESSAGE)), headers
            )

        settings = state.faults.settings
        if settings.latency_ms > 0:
            await asyncio.sleep(settings.latency_ms / 1000)

        key = f"{request.method} {path}?{request.url.query}"
        fault = state.faults.decide(key)
        if fault is not None:
            state.stats.fault(fault)
        if fault == "reset":
            state.stats.record("fault", 0)
            return _Abort()
        if fault == "timeout":
            await asyncio.sleep(settings.timeout_seconds)

        token = _token(request)
        if installations.is_app_path(path):
            kind, result = installations.app_route(
                state.apps, request.method, path, token, now, root, dict(request.query_params)
            )
            return self._finish(kind, result, headers, None, request)
        user = state.world.user_for_token(token) if token else None
        if user is None and token is not None:
            user = state.apps.user_for_token(token, now)
        unauthenticated = RateState(60, 60, 0, window_start(now) + 3600)
        if token is None or user is None:
            result = api.ApiResult(401, bodies.error(401, "Bad credentials"))
            return self._finish("unauthorized", result, headers, unauthenticated)
        rate = state.limiter.state(state.apps.rate_key(token), now)

        if fault == "5xx":
            status = state.faults.server_error_status(key)
            result = api.ApiResult(status, bodies.error(status, _SERVER_ERRORS[status]))
            return self._finish("fault", result, headers, rate)
        wait = state.secondary.admit(token, settings.per_minute)
        if wait is not None:
            state.stats.fault("secondary-limit")
            result = api.ApiResult(
                403,
                bodies.error(403, SECONDARY_MESSAGE, f"{RATE_DOCS}#about-secondary-rate-limits"),
                {"retry-after": str(max(1, math.ceil(wait)))},
            )
            return self._finish("secondary_limited", result, headers, rate)
        if fault == "secondary":
            result = api.ApiResult(
                403,
                bodies.error(403, SECONDARY_MESSAGE, f"{RATE_DOCS}#about-secondary-rate-limits"),
                {"retry-after": str(settings.retry_after)},
            )
            return self._finish("fault", result, headers, rate)

        if path.rstrip("/") == "/rate_limit":
            if config.ghes:
                return self._finish(
                    "rate_limit",
                    api.ApiResult(404, bodies.error(404, "Rate limiting is not enabled.")),
                    headers,
                )
            body = bodies.rate_limit(rate.limit, rate.remaining, rate.reset)
            return self._finish("rate_limit", api.ApiResult(200, body), headers, rate, request)

        if request.method == "POST" and path.rstrip("/") == "/graphql":
            return await self._graphql(request, user, token, now, headers)

        if not config.ghes and rate.remaining <= 0:
            message = f"API rate limit exceeded for user ID {user.id}."
            result = api.ApiResult(403, bodies.error(403, message, RATE_DOCS))
            return self._finish("rate_limited", result, headers, rate)

        found = api.route(path) if request.method in ("GET", "HEAD") else None
        ctx = api.Context(
            world=state.world,
            model=state.model,
            faults=settings,
            user=user,
            now=now,
            api=root,
            path=path,
            query=dict(request.query_params),
            ghes=config.ghes,
            accept=request.headers.get("accept", ""),
        )
        if found is None:
            kind, result = "not_found", api.not_found()
        else:
            kind, match, handler = found
            result = handler(ctx, match)
            if kind == "repo":
                kind = "redirect" if result.status == 301 else api.traffic_kind(path)
        if fault == "drift":
            result = api.ApiResult(result.status, drift(result.body), result.headers)
        served: tuple[int, str, str] | None = None
        if (
            kind in ("views", "clones")
            and fault in (None, "drift", "truncate")
            and request.query_params.get("per", "day") == "day"
        ):
            repo = _repo_of(state.world, path)
            if repo is not None:
                served = (repo.id, kind, bodies.iso(floor_hour(now)))
        return self._finish(
            kind,
            result,
            headers,
            rate,
            request,
            token=token,
            truncate=fault == "truncate",
            served=served,
        )

    async def _graphql(
        self, request: Request, user: Account, token: str, now: datetime, headers: dict[str, str]
    ) -> Response:
        """A GraphQL query: GitHub's schema, GraphQL's own budget."""
        state = self.state
        key = state.apps.rate_key(token)
        rate = state.graphql_limiter.state(key, now)
        if rate.remaining <= 0:
            message = f"API rate limit exceeded for user ID {user.id}."
            result = api.ApiResult(403, bodies.error(403, message, RATE_DOCS))
            return self._finish("graphql", result, headers, rate)
        try:
            body = await request.json()
        except ValueError:
            body = None
        reset = graphql.reset_at(now)
        figures = {"limit": rate.limit, "remaining": rate.remaining, "used": rate.used}
        answer, points = graphql.answer(state.world, user, now, body, {**figures, "resetAt": reset})
        if points:
            rate = state.graphql_limiter.spend(key, now, points)
            if isinstance(answer.get("data"), dict) and answer["data"].get("rateLimit"):
                answer["data"]["rateLimit"].update(remaining=rate.remaining, used=rate.used)
        shown = None if state.config.ghes else rate  # Enterprise Server: no rate limits
        return self._finish("graphql", api.ApiResult(200, answer), headers, shown)

    def _finish(
        self,
        kind: str,
        result: api.ApiResult,
        headers: dict[str, str],
        rate: RateState | None = None,
        request: Request | None = None,
        *,
        token: str | None = None,
        truncate: bool = False,
        served: tuple[int, str, str] | None = None,
    ) -> Response:
        """The response, with rate headers and ETag; ``served`` names a daily window that is
        logged as delivered when it leaves whole (a 304 is whole: no body to cut)."""
        state = self.state
        headers = {**headers, **result.headers}
        content = _encode(result.body)
        status = result.status
        if status == 200 and request is not None:
            etag = _etag(content)
            headers["etag"] = etag
            headers["cache-control"] = "private, max-age=60, s-maxage=60"
            headers["vary"] = "Accept, Authorization, Cookie, X-GitHub-OTP"
            if _matches(request.headers.get("if-none-match"), etag):
                status = 304
        if token is not None and status != 304:
            rate = state.limiter.spend(state.apps.rate_key(token), state.clock.now())
            state.stats.spend(token)
        if rate is not None and not state.config.ghes:
            headers.update(rate.headers())
        state.stats.record(kind, status)
        if served is not None and status in (200, 304) and (status == 304 or not truncate):
            state.served.add(served)
        if status == 304:
            return Response(status_code=304, headers=headers)
        if truncate:
            content = content[: len(content) // 2]
        headers["content-type"] = JSON_TYPE
        return Response(content, status_code=status, headers=headers)


#: Optional fields a newer API version might leave out.
_OPTIONAL = ("description", "subscribers_count", "homepage", "language", "license", "topics")


def drift(body: Any) -> Any:
    """The body with an unknown field added to every object and optional fields left out."""
    if isinstance(body, dict):
        kept = {k: drift(v) for k, v in body.items() if k not in _OPTIONAL}
        kept["x_future_field"] = {"added_in": "2027-01-01", "values": [1, 2, 3]}
        return kept
    if isinstance(body, list):
        return [drift(item) for item in body]
    return body


def _repo_of(world: World, path: str) -> Repo | None:
    parts = path.strip("/").split("/")
    if len(parts) >= 3 and parts[0] == "repos":
        return world.repo(parts[1], parts[2])
    if len(parts) >= 2 and parts[0] == "repositories" and parts[1].isdigit():
        return world.repo_by_id(int(parts[1]))
    return None


def _control_routes(state: FakeState) -> list[Route]:
    async def get_clock(request: Request) -> JSONResponse:
        return JSONResponse({"now": bodies.iso(state.clock.now())})

    async def set_clock(request: Request) -> JSONResponse:
        data = await request.json()
        if "now" in data:
            state.clock.set(parse_instant(str(data["now"])))
        if "advance_days" in data:
            state.clock.advance(timedelta(days=float(data["advance_days"])))
        if "advance_seconds" in data:
            state.clock.advance(timedelta(seconds=float(data["advance_seconds"])))
        return JSONResponse({"now": bodies.iso(state.clock.now())})

    async def get_stats(request: Request) -> JSONResponse:
        return JSONResponse({**state.stats.snapshot(), "secondary_peaks": state.secondary.peaks()})

    async def reset_stats(request: Request) -> JSONResponse:
        state.stats.reset()
        state.secondary.reset()
        return JSONResponse({**state.stats.snapshot(), "secondary_peaks": {}})

    async def get_faults(request: Request) -> JSONResponse:
        return JSONResponse(state.faults.settings.to_mapping())

    async def set_faults(request: Request) -> JSONResponse:
        data: dict[str, Any] = await request.json()
        try:
            if "spec" in data:
                settings = parse_faults(str(data["spec"]))
            else:
                settings = faults_from_mapping(data)
        except ValueError as exc:
            return JSONResponse({"message": str(exc)}, status_code=422)
        state.faults.replace(settings)
        state.apply_limit()
        return JSONResponse(settings.to_mapping())

    async def get_world(request: Request) -> JSONResponse:
        world = state.world
        return JSONResponse(
            {
                "user": state.config.user,
                "orgs": [a.login for a in world.accounts.values() if a.is_org],
                "tokens": world.tokens,
                "repos": [
                    {
                        "id": r.id,
                        "full_name": r.full_name,
                        "private": r.private,
                        "fork": r.fork,
                        "archived": r.archived,
                        "renamed_from": r.renamed_from,
                    }
                    for r in world.repos
                ],
            }
        )

    async def get_requests(request: Request) -> JSONResponse:
        return JSONResponse(state.stats.logged())

    async def log_requests(request: Request) -> JSONResponse:
        data: dict[str, Any] = await request.json()
        state.stats.log_requests(bool(data.get("log")))
        return JSONResponse({"log": state.stats.logging})

    async def get_served(request: Request) -> JSONResponse:
        served = sorted(state.served)
        return JSONResponse([{"repo_id": r, "kind": k, "at": at} for r, k, at in served])

    async def change_repo(request: Request) -> JSONResponse:
        repo_id = int(request.path_params["repo_id"])
        if state.world.repo_by_id(repo_id) is None:
            return JSONResponse({"message": "no such repository"}, status_code=404)
        data: dict[str, Any] = await request.json()
        if data.get("delete"):
            state.world.delete(repo_id)
            return JSONResponse({"deleted": repo_id})
        if "rename_to" in data:
            repo = state.world.rename(repo_id, str(data["rename_to"]))
            return JSONResponse({"id": repo.id, "full_name": repo.full_name})
        return JSONResponse({"message": "give rename_to or delete"}, status_code=422)

    return [
        Route("/_fake/served", get_served, methods=["GET"]),
        Route("/_fake/requests", get_requests, methods=["GET"]),
        Route("/_fake/requests", log_requests, methods=["POST"]),
        Route("/_fake/repos/{repo_id:int}", change_repo, methods=["POST"]),
        Route("/_fake/clock", get_clock, methods=["GET"]),
        Route("/_fake/clock", set_clock, methods=["POST"]),
        Route("/_fake/stats", get_stats, methods=["GET"]),
        Route("/_fake/stats/reset", reset_stats, methods=["POST"]),
        Route("/_fake/faults", get_faults, methods=["GET"]),
        Route("/_fake/faults", set_faults, methods=["POST"]),
        Route("/_fake/world", get_world, methods=["GET"]),
    ]


def create_app(config: FakeGitHubConfig | None = None) -> Starlette:
    """The fake GitHub as an ASGI application; its state is ``app.state.fake``."""
    state = FakeState.from_config(config or FakeGitHubConfig())
    endpoint = GitHubEndpoint(state)
    methods = ["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"]
    routes = [*_control_routes(state), Route("/{path:path}", endpoint.handle, methods=methods)]
    app = Starlette(routes=routes)
    app.state.fake = state
    return app
