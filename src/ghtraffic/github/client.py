"""The GitHub REST client: one pooled ``httpx.AsyncClient`` with the behaviour GitHub asks for.

Bounded concurrency, optional pacing, conditional requests, rate-limit accounting on the
server's clock, retries for transient failures, and errors from :mod:`.errors`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator, Generator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from .classify import error_for_status, transport_reason
from .errors import BadResponse, Forbidden, NotFound, NoTrafficApi, Unreachable
from .etags import EtagStore, MemoryEtagStore
from .hosts import DEFAULT_API_URL, api_host, is_enterprise_server, normalise_api_url
from .meter import CREDENTIAL_KEY, count_point, count_request
from .pacer import Pacer
from .pool import tls_context
from .ratelimit import RateLimitState, parse_http_date, parse_rate_headers
from .retry import RetryPolicy, retrying
from .session import API_HEADERS, PooledClient

log = logging.getLogger("ghtraffic.github")

_REPO_IN_PATH = re.compile(r"/repos/([^/]+)/([^/?#]+)")
Params = Mapping[str, str | int]


@dataclass(frozen=True, slots=True)
class Response:
    """A successful answer: parsed JSON plus what the caller may need to know about it."""

    status: int
    data: Any
    #: The URL that answered (after redirects).
    url: str
    etag: str | None = None
    #: True when GitHub answered 304 and ``data`` is the stored body.
    from_cache: bool = False
    #: The server's ``Date`` header.
    date: datetime | None = None
    #: The ``Link: rel="next"`` URL, exactly as given.
    next_url: str | None = None


class _BearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer …`` to each request without keeping the token in plain text."""

    def __init__(self, token: SecretStr):
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        yield request

    def __repr__(self) -> str:
        return "_BearerAuth(**********)"


class GitHubClient(PooledClient):
    """Async GitHub REST client. Use as ``async with GitHubClient(token) as gh: ...``.

    ``token``: a ``SecretStr`` (or plain string, wrapped at once); ``None`` sends no token.
    ``api_url``: ``https://api.github.com``, ``https://api.SUBDOMAIN.ghe.com`` or
    ``https://HOST/api/v3``. ``concurrency``: requests in flight at most. ``requests_per_minute``:
    request starts per minute at most (``None``: no pacing). ``etag_store``: where conditional
    request validators live (an in-memory store by default). ``timeout``: seconds for a whole
    attempt, ``connect_timeout``: for connecting. ``transport``: an httpx transport (tests).
    """

    def __init__(
        self,
        token: SecretStr | str | None,
        api_url: str = DEFAULT_API_URL,
        *,
        concurrency: int = 4,
        requests_per_minute: float | None = 800.0,
        retry: RetryPolicy | None = None,
        etag_store: EtagStore | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.api_url = normalise_api_url(api_url)
        self.retry_policy = retry or RetryPolicy()
        self.etags: EtagStore = etag_store if etag_store is not None else MemoryEtagStore()
        self.rate: RateLimitState | None = None
        #: GraphQL's budget, apart from the REST one (``rate``).
        self.graphql_rate: RateLimitState | None = None
        self.requests = 0
        self.points = 0
        self._token = SecretStr(token) if isinstance(token, str) else token
        self._server_now: datetime | None = None
        self._semaphore = asyncio.Semaphore(concurrency)
        self._pacer = Pacer(requests_per_minute) if requests_per_minute else None
        self._timeout = timeout
        self._login: str | None = None
        self._login_known = False
        self._http = httpx.AsyncClient(
            base_url=self.api_url,
            headers=API_HEADERS,
            auth=_BearerAuth(self._token) if self._token is not None else None,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            follow_redirects=True,
            transport=transport,
            verify=tls_context(),
            # As many connections as requests in flight: a larger pool only adds the
            # per-request liveness checks of idle connections.
            limits=httpx.Limits(
                max_connections=max(concurrency, 1) * 2,
                max_keepalive_connections=max(concurrency, 1),
            ),
            event_hooks={"request": [self._on_request], "response": [self._on_response]},
        )

    def __repr__(self) -> str:
        return f"GitHubClient(api_url={self.api_url!r}, token={self._token!r})"

    # -- accounting -------------------------------------------------------------------------

    async def _on_request(self, request: httpx.Request) -> None:
        self.requests += 1
        count_request()

    async def _on_response(self, response: httpx.Response) -> None:
        date = parse_http_date(response.headers.get("date"))
        if date is not None:
            self._server_now = date
        state = parse_rate_headers(response.headers, date)
        if state is None or state.resource != "core":
            if state is not None and state.resource == "graphql":
                self.graphql_rate = state
            return
        self.rate = state
        if response.status_code != 304 and not response.request.url.path.endswith("/rate_limit"):
            self.points += 1
            name = response.request.extensions.get(CREDENTIAL_KEY)
            count_point(name if isinstance(name, str) else None)

    def server_now(self) -> datetime | None:
        """The latest ``Date`` header seen (aware UTC), or ``None`` before any response."""
        return self._server_now

    async def fetch_server_now(self) -> datetime:
        """The server's clock, asking ``/rate_limit`` (free) if no response was seen yet."""
        if self._server_now is None:
            await self.rate_limit()
        if self._server_now is None:
            raise BadResponse("GitHub sent no Date header; the server's clock is unknown")
        return self._server_now

    # -- requests ---------------------------------------------------------------------------

    def url_for(self, path_or_url: str, params: Params | None = None) -> str:
        """The full request URL (the ETag key) for a path under ``api_url`` or an absolute URL."""
        if path_or_url.startswith(("http://", "https://")):
            url = httpx.URL(path_or_url)
        else:
            url = httpx.URL(self.api_url + "/" + path_or_url.lstrip("/"))
        if params:
            url = url.copy_merge_params(dict(params))
        return str(url)

    async def get(
        self,
        path_or_url: str,
        params: Params | None = None,
        *,
        repo_name: str | None = None,
        conditional: bool = True,
        accept: str | None = None,
    ) -> Response:
        """GET with retries; ``repo`` (OWNER/REPO) names the subject in error messages;
        ``accept`` asks for another media type (e.g. stargazers with ``starred_at``)."""
        url = self.url_for(path_or_url, params)
        what = repo_name or _repo_from_url(url) or url
        attempts = retrying(self.retry_policy, log, f"GET {url}")
        result: Response = await attempts(self._attempt, url, what, conditional, accept)
        return result

    async def post(self, path: str, body: Any, *, what: str) -> Response:
        """POST a JSON body (GraphQL) with the retries of ``get``; never conditional."""
        url = self.url_for(path)
        attempts = retrying(self.retry_policy, log, f"POST {url}")
        result: Response = await attempts(self._attempt, url, what, False, None, body)
        return result

    async def _attempt(
        self,
        url: str,
        what: str,
        conditional: bool,
        accept: str | None = None,
        body: Any = None,
    ) -> Response:
        cached = self.etags.get(url) if conditional else None
        headers = {"If-None-Match": cached[0]} if cached else {}
        if accept:
            headers["Accept"] = accept
        async with self._semaphore:
            if self._pacer is not None:
                await self._pacer.wait()
            try:
                async with asyncio.timeout(self._timeout):
                    if body is None:
                        response = await self._http.get(url, headers=headers)
                    else:
                        response = await self._http.post(url, headers=headers, json=body)
            except (httpx.TransportError, TimeoutError) as exc:
                reason = transport_reason(exc)
                log.debug("GET %s failed: %s", url, reason)
                raise Unreachable(self.api_url, reason, url=url) from None
            except httpx.DecodingError:
                raise BadResponse.incomplete(url) from None
            except httpx.TooManyRedirects:
                raise BadResponse(f"GitHub redirected too many times for {url}", url=url) from None
        log.debug(
            "%s %s -> %s (rate remaining %s)",
            "GET" if body is None else "POST",
            url,
            response.status_code,
            response.headers.get("x-ratelimit-remaining", "-"),
        )
        date = parse_http_date(response.headers.get("date"))
        final_url = str(response.url)
        if response.status_code == 304 and cached is not None:
            return Response(
                status=304,
                data=_loads(cached[1], url, 304),
                url=final_url,
                etag=cached[0],
                from_cache=True,
                date=date,
            )
        if not 200 <= response.status_code < 300:
            raise error_for_status(
                response,
                what=what,
                url=url,
                now=date or self._server_now,
                secret=self._token.get_secret_value() if self._token else None,
            )
        text = response.text
        data = _loads(text, url, response.status_code) if text.strip() else None
        etag = response.headers.get("etag")
        if conditional and etag and response.status_code == 200:
            self.etags.put(url, etag, text)
        next_link = response.links.get("next", {}).get("url")
        return Response(
            status=response.status_code,
            data=data,
            url=final_url,
            etag=etag,
            date=date,
            next_url=next_link,
        )

    async def paginate(
        self,
        path_or_url: str,
        params: Params | None = None,
        *,
        repo_name: str | None = None,
        accept: str | None = None,
    ) -> AsyncIterator[Response]:
        """Every page of a listing, ``per_page=100``, following ``Link: rel="next"`` as given."""
        response = await self.get(
            path_or_url,
            {**(params or {}), "per_page": 100},
            repo_name=repo_name,
            conditional=False,
            accept=accept,
        )
        seen = {response.url}
        yield response
        while response.next_url and response.next_url not in seen:
            seen.add(response.next_url)
            response = await self.get(
                response.next_url, repo_name=repo_name, conditional=False, accept=accept
            )
            yield response

    async def releases(self, owner: str, name: str) -> Response:
        """The newest 100 releases with their assets' ``download_count`` (conditional)."""
        return await self.get(
            f"{_repo_path(owner, name)}/releases", {"per_page": 100}, repo_name=f"{owner}/{name}"
        )

    # -- repositories -----------------------------------------------------------------------

    async def repo(self, owner: str, name: str) -> Response:
        """``GET /repos/{owner}/{name}`` (follows a rename's 301)."""
        return await self.get(_repo_path(owner, name), repo_name=f"{owner}/{name}")

    async def traffic_views(
        self, owner: str, name: str, per: Literal["day", "week"] = "day"
    ) -> Response:
        """``GET /repos/{owner}/{name}/traffic/views?per=…``."""
        return await self._traffic(owner, name, "views", {"per": per})

    async def traffic_clones(
        self, owner: str, name: str, per: Literal["day", "week"] = "day"
    ) -> Response:
        """``GET /repos/{owner}/{name}/traffic/clones?per=…``."""
        return await self._traffic(owner, name, "clones", {"per": per})

    async def referrers(self, owner: str, name: str) -> Response:
        """``GET /repos/{owner}/{name}/traffic/popular/referrers`` (top 10, last 14 days)."""
        return await self._traffic(owner, name, "popular/referrers")

    async def paths(self, owner: str, name: str) -> Response:
        """``GET /repos/{owner}/{name}/traffic/popular/paths`` (top 10, last 14 days)."""
        return await self._traffic(owner, name, "popular/paths")

    async def _traffic(
        self, owner: str, name: str, tail: str, params: Params | None = None
    ) -> Response:
        path = f"{_repo_path(owner, name)}/traffic/{tail}"
        try:
            return await self.get(path, params, repo_name=f"{owner}/{name}")
        except NotFound as missing:
            if not is_enterprise_server(self.api_url):
                raise
            await self.repo(owner, name)  # raises NotFound when the repository is missing
            raise NoTrafficApi(api_host(self.api_url), url=missing.url) from None

    async def rate_limit(self) -> Response:
        """``GET /rate_limit``: current limits, without spending a request."""
        return await self.get("/rate_limit", conditional=False)

    async def authenticated_login(self) -> str | None:
        """The token's user login (``GET /user``); ``None`` for tokens that are not a user's."""
        if not self._login_known:
            try:
                data = (
                    await self.get("/user", conditional=False, repo_name="the token's user")
                ).data
            except (Forbidden, NotFound):
                data = None
            login = data.get("login") if isinstance(data, dict) else None
            self._login = login if isinstance(login, str) else None
            self._login_known = True
        return self._login

    async def owner_repos(self, login: str) -> AsyncIterator[dict[str, Any]]:
        """Every repository of a user or an organisation, each once.

        Organisations list ``type=all``; the token's own user lists ``affiliation=owner``
        (including private ones); another user lists their public repositories.
        """
        account = (await self.get(f"/users/{quote(login, safe='')}", repo_name=login)).data
        if not isinstance(account, dict):
            raise BadResponse.wrong_shape(f"/users/{login} is not an object")
        params: dict[str, str | int] = {}
        if account.get("type") == "Organization":
            path = f"/orgs/{quote(login, safe='')}/repos"
            params["type"] = "all"
        elif (own := await self.authenticated_login()) and own.lower() == login.lower():
            path = "/user/repos"
            params["affiliation"] = "owner"
        else:
            path = f"/users/{quote(login, safe='')}/repos"
        async for repo in self._listing(path, params, repo_name=login):
            yield repo

    async def installation_repos(self) -> AsyncIterator[dict[str, Any]]:
        """Every repository a GitHub App installation token can read."""
        async for repo in self._listing("/installation/repositories", {}, key="repositories"):
            yield repo

    async def _listing(
        self, path: str, params: Params, *, repo_name: str | None = None, key: str | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        seen: set[object] = set()
        async for page in self.paginate(path, params, repo_name=repo_name):
            items = page.data.get(key) if key and isinstance(page.data, dict) else page.data
            if not isinstance(items, list):
                raise BadResponse.wrong_shape(f"{path} did not return a list")
            for item in items:
                if not isinstance(item, dict):
                    raise BadResponse.wrong_shape(f"{path} listed a non-object")
                ident = item.get("id", item.get("full_name"))
                if ident in seen:
                    continue
                seen.add(ident)
                yield item


def _repo_path(owner: str, name: str) -> str:
    return f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"


def _repo_from_url(url: str) -> str | None:
    match = _REPO_IN_PATH.search(httpx.URL(url).path)
    return f"{match.group(1)}/{match.group(2)}" if match else None


def _loads(text: str, url: str, status: int) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise BadResponse.incomplete(url, status) from None
