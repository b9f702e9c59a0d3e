"""Authenticating as a GitHub App: the app's JWT, its installations and installation tokens.

A :class:`GitHubApp` signs short-lived RS256 JWTs with the app's private key, lists the
app's installations (``GET /app/installations``) and creates installation access tokens
(``POST /app/installations/{id}/access_tokens``). Tokens are cached per installation and
replaced shortly before they expire; :class:`InstallationAuth` is the ``httpx.Auth`` of an
installation's client, which also replaces a token GitHub rejects and retries once.

Expiry and the JWT's ``iat``/``exp`` are judged on the server's clock: the offset between
this machine's clock and GitHub's ``Date`` header is measured on every response. Before any
response the local clock is used; a JWT GitHub rejects for its times is rebuilt once from the
``Date`` of the rejection.

Neither the private key nor a token is ever logged or shown in a ``repr`` or an error.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import jwt
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pydantic import SecretStr

from .classify import error_for_status, github_message, transport_reason
from .client import GitHubClient
from .errors import BadCredentials, BadResponse, GitHubError, NotFound, Unreachable, one_line
from .hosts import DEFAULT_API_URL, normalise_api_url
from .pool import tls_context
from .ratelimit import parse_http_date
from .retry import RetryPolicy, retrying
from .session import API_HEADERS, AsyncOnlyAuth, PooledClient

log = logging.getLogger("ghtraffic.github")

#: How far the JWT's ``iat`` is set in the past (GitHub's advice, for clock drift).
JWT_BACKDATE = timedelta(seconds=60)
#: Lifetime of a JWT counted from its ``iat``; GitHub accepts at most 10 minutes.
JWT_LIFETIME = timedelta(minutes=10)
#: A cached installation token is replaced this long before it expires.
REFRESH_MARGIN = timedelta(minutes=5)
#: A rejected JWT is rebuilt once when the server's clock turns out this far from the guess.
_SKEW_RETRY = timedelta(seconds=30)


class AppKeyError(ValueError):
    """The private key is not a usable PEM RSA private key (the message never quotes it)."""


class AppAuthError(BadCredentials):
    """401 on an app endpoint: GitHub rejected the app's JWT."""

    def __init__(self, app_id: str, github_says: str, *, url: str | None = None):
        reason = one_line(github_says) or "Bad credentials"
        GitHubError.__init__(
            self,
            f"GitHub rejected the JWT of GitHub App {app_id} (401 {reason}): check the app id "
            "and that the private key is this app's current key",
            status=401,
            url=url,
        )
        self.app_id = app_id
        self.github_message = reason


def load_private_key(
    pem: SecretStr | str | bytes, *, what: str = "the private key"
) -> RSAPrivateKey:
    """Parse a PEM RSA private key; a value whose line breaks were written as ``\\n`` works too."""
    if isinstance(pem, SecretStr):
        pem = pem.get_secret_value()
    text = pem.decode("utf-8", "replace") if isinstance(pem, bytes) else pem
    text = text.strip()
    if "\n" not in text and "\\n" in text:
        text = text.replace("\\n", "\n")
    try:
        key = serialization.load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise AppKeyError(
            f"{what} is not a PEM private key (expected -----BEGIN RSA PRIVATE KEY----- "
            "or -----BEGIN PRIVATE KEY-----, without a passphrase)"
        ) from None
    if not isinstance(key, RSAPrivateKey):
        raise AppKeyError(f"{what} is not an RSA key: GitHub Apps sign with RS256")
    return key


class ServerClock:
    """The server's clock as best known: this machine's clock plus the offset last measured
    from a ``Date`` header (none before the first response). ``local`` is for tests."""

    def __init__(self, local: Callable[[], datetime] | None = None):
        self._local = local or (lambda: datetime.now(UTC))
        self._offset: timedelta | None = None

    @property
    def known(self) -> bool:
        """Whether a ``Date`` header was seen."""
        return self._offset is not None

    def observe(self, date_header: str | None) -> None:
        date = parse_http_date(date_header)
        if date is not None:
            self._offset = date - self._local()

    def now(self) -> datetime:
        return self._local() + (self._offset or timedelta(0))


@dataclass(frozen=True, slots=True)
class Installation:
    """One installation of the app, from ``GET /app/installations``."""

    id: int
    account: str | None
    account_type: str | None = None
    repository_selection: str | None = None
    suspended: bool = False


@dataclass(frozen=True, slots=True)
class InstallationToken:
    """An installation access token; ``expires_at`` and ``issued_at`` on the server's clock."""

    token: SecretStr = field(repr=False)
    expires_at: datetime
    issued_at: datetime

    def fresh_at(self, now: datetime, margin: timedelta = REFRESH_MARGIN) -> bool:
        """Whether the token may still be used at ``now`` (``margin`` before expiry, shrunk
        for a token that lives less than twice the margin)."""
        lifetime = self.expires_at - self.issued_at
        margin = min(margin, lifetime / 2) if lifetime > timedelta(0) else timedelta(0)
        return now < self.expires_at - margin


class GitHubApp(PooledClient):
    """A GitHub App: ``async with GitHubApp(app_id, pem, api_url) as app: ...``.

    ``app_id``: the app's id or its client id (the JWT's ``iss``). ``private_key``: the PEM
    text (a ``SecretStr`` or plain string). ``transport`` is for tests.
    """

    def __init__(
        self,
        app_id: str | int,
        private_key: SecretStr | str | bytes,
        api_url: str = DEFAULT_API_URL,
        *,
        refresh_margin: timedelta = REFRESH_MARGIN,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: ServerClock | None = None,
    ):
        self.app_id = str(app_id).strip()
        if not self.app_id:
            raise ValueError("a GitHub App needs its app id or client id")
        self._key = load_private_key(private_key, what=f"the private key of GitHub App {app_id}")
        self.api_url = normalise_api_url(api_url)
        self.clock = clock or ServerClock()
        self.refresh_margin = refresh_margin
        self.retry_policy = retry or RetryPolicy()
        #: Requests sent with the JWT, and installation tokens created (for accounting).
        self.requests = 0
        self.tokens_created = 0
        self._tokens: dict[int, InstallationToken] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._transport = transport
        self._timeout = timeout
        self._http = httpx.AsyncClient(
            base_url=self.api_url,
            headers=API_HEADERS,
            timeout=timeout,
            transport=transport,
            verify=tls_context(),
        )

    def __repr__(self) -> str:
        return f"GitHubApp(app_id={self.app_id!r}, api_url={self.api_url!r})"

    # -- the JWT ----------------------------------------------------------------------

    def jwt(self, now: datetime | None = None) -> SecretStr:
        """A JWT for the app: ``iat`` 60 s before ``now`` (default: the server's clock as
        known), ``exp`` 10 minutes after ``iat``, ``iss`` the app id."""
        at = now or self.clock.now()
        iat = int((at - JWT_BACKDATE).timestamp())
        claims = {"iat": iat, "exp": iat + int(JWT_LIFETIME.total_seconds()), "iss": self.app_id}
        return SecretStr(jwt.encode(claims, self._key, algorithm="RS256"))

    async def _as_app(self, method: str, path_or_url: str, what: str) -> httpx.Response:
        """One request with the JWT, retried on transient failures; a 2xx response."""
        attempts = retrying(self.retry_policy, log, f"{method} {path_or_url}")
        response: httpx.Response = await attempts(self._as_app_once, method, path_or_url, what)
        return response

    async def _as_app_once(self, method: str, path_or_url: str, what: str) -> httpx.Response:
        for attempt in (1, 2):
            known = self.clock.known
            assumed = self.clock.now()
            token = self.jwt(assumed)
            response = await self._send(method, path_or_url, token)
            if response.status_code == 401 and attempt == 1:
                moved = abs(self.clock.now() - assumed)
                if not known or moved >= _SKEW_RETRY:
                    log.debug(
                        "GitHub App %s: JWT rejected; rebuilt on the server's clock", self.app_id
                    )
                    continue
            break
        if 200 <= response.status_code < 300:
            return response
        url = str(response.request.url)
        secret = token.get_secret_value()
        if response.status_code == 401:
            raise AppAuthError(self.app_id, github_message(response, secret), url=url)
        if response.status_code == 404:
            raise NotFound(what, url=url)
        raise error_for_status(response, what=what, url=url, now=self.clock.now(), secret=secret)

    async def _send(self, method: str, path_or_url: str, token: SecretStr) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token.get_secret_value()}"}
        self.requests += 1
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._http.request(method, path_or_url, headers=headers)
        except (httpx.TransportError, TimeoutError) as exc:
            raise Unreachable(self.api_url, transport_reason(exc), url=path_or_url) from None
        self.clock.observe(response.headers.get("date"))
        log.debug(
            "%s %s -> %s (as GitHub App %s)", method, path_or_url, response.status_code, self.app_id
        )
        return response

    # -- app endpoints ----------------------------------------------------------------

    async def app_info(self) -> dict[str, Any]:
        """``GET /app``: the app itself (its ``slug``, ``name``, ``installations_count``...)."""
        data = _json(await self._as_app("GET", "/app", f"GitHub App {self.app_id}"))
        if not isinstance(data, dict):
            raise BadResponse.wrong_shape("/app is not an object")
        return data

    async def installations(self) -> list[Installation]:
        """Every installation of the app (``GET /app/installations``, all pages)."""
        found: list[Installation] = []
        seen: set[int] = set()
        url: str | None = "/app/installations?per_page=100"
        visited: set[str] = set()
        while url and url not in visited:
            visited.add(url)
            response = await self._as_app(
                "GET", url, f"the installations of GitHub App {self.app_id}"
            )
            data = _json(response)
            if not isinstance(data, list):
                raise BadResponse.wrong_shape("/app/installations did not return a list")
            for item in data:
                installation = _installation(item)
                if installation.id not in seen:
                    seen.add(installation.id)
                    found.append(installation)
            url = response.links.get("next", {}).get("url")
        return found

    async def installation_token(
        self, installation_id: int, *, replace: InstallationToken | None = None
    ) -> InstallationToken:
        """The installation's token: the cached one while fresh on the server's clock, else a
        new one. ``replace``: a token GitHub rejected; a new one is made unless another
        request already replaced it."""
        lock = self._locks.setdefault(installation_id, asyncio.Lock())
        async with lock:
            cached = self._tokens.get(installation_id)
            if (
                cached is not None
                and cached is not replace
                and cached.fresh_at(self.clock.now(), self.refresh_margin)
            ):
                return cached
            token = await self._create_token(installation_id)
            self._tokens[installation_id] = token
            return token

    async def _create_token(self, installation_id: int) -> InstallationToken:
        path = f"/app/installations/{quote(str(installation_id), safe='')}/access_tokens"
        what = f"installation {installation_id} of GitHub App {self.app_id}"
        response = await self._as_app("POST", path, what)
        issued = parse_http_date(response.headers.get("date")) or self.clock.now()
        data = _json(response)
        token = data.get("token") if isinstance(data, dict) else None
        expires = _instant(data.get("expires_at")) if isinstance(data, dict) else None
        if not isinstance(token, str) or not token or expires is None:
            raise BadResponse.wrong_shape(f"the access token of {what} has no token or expires_at")
        self.tokens_created += 1
        log.debug("new token for %s, valid until %s", what, f"{expires:%Y-%m-%d %H:%M:%S} UTC")
        return InstallationToken(SecretStr(token), expires, issued)

    # -- installation clients -----------------------------------------------------------

    def installation_auth(self, installation_id: int) -> InstallationAuth:
        """The ``httpx.Auth`` that sends the installation's token, refreshed as needed."""
        return InstallationAuth(self, installation_id)

    def installation_client(self, installation_id: int, **options: Any) -> GitHubClient:
        """A :class:`GitHubClient` authenticated as the installation (``options`` as for it;
        the app's transport by default)."""
        options.setdefault("transport", self._transport)
        return AuthClient(self.installation_auth(installation_id), self.api_url, **options)


class InstallationAuth(AsyncOnlyAuth):
    """Sends an installation's token: refreshed before it expires, and replaced and retried
    once when GitHub answers 401 (revoked, or expired sooner than the clocks said)."""

    def __init__(self, app: GitHubApp, installation_id: int):
        self.app = app
        self.installation_id = installation_id

    def __repr__(self) -> str:
        return f"InstallationAuth(app_id={self.app.app_id!r}, installation={self.installation_id})"

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.app.installation_token(self.installation_id)
        request.headers["Authorization"] = f"Bearer {token.token.get_secret_value()}"
        response = yield request
        self.app.clock.observe(response.headers.get("date"))
        if response.status_code != 401:
            return
        log.debug(
            "installation %s of GitHub App %s: token rejected, getting a new one",
            self.installation_id,
            self.app.app_id,
        )
        token = await self.app.installation_token(self.installation_id, replace=token)
        request.headers["Authorization"] = f"Bearer {token.token.get_secret_value()}"
        response = yield request
        self.app.clock.observe(response.headers.get("date"))


class AuthClient(GitHubClient):
    """A :class:`GitHubClient` whose requests are authenticated by any ``httpx.Auth``."""

    def __init__(self, auth: httpx.Auth, api_url: str = DEFAULT_API_URL, **options: Any):
        super().__init__(None, api_url, **options)
        self._http.auth = auth
        self._auth = auth

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api_url={self.api_url!r}, auth={self._auth!r})"


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise BadResponse.incomplete(str(response.request.url), response.status_code) from None


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _installation(item: object) -> Installation:
    if not isinstance(item, dict) or not isinstance(item.get("id"), int):
        raise BadResponse.wrong_shape("/app/installations listed an installation without an id")
    account = item.get("account")
    login = account.get("login") if isinstance(account, dict) else None
    kind = account.get("type") if isinstance(account, dict) else None
    selection = item.get("repository_selection")
    return Installation(
        id=item["id"],
        account=login if isinstance(login, str) else None,
        account_type=kind if isinstance(kind, str) else None,
        repository_selection=selection if isinstance(selection, str) else None,
        suspended=item.get("suspended_at") is not None,
    )
