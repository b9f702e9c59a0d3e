"""Several credentials in one client: personal access tokens and GitHub App installations.

:class:`CredentialRouter` is an ``httpx.Auth`` that picks, for each request, the credential
that can read its repository: the installation that listed the repository, otherwise the
tokens in order (the next one is tried when one answers 401, 403 or 404, unless that answer
is a rate limit), then the installation on the repository's owner. :class:`MultiClient` is
a :class:`GitHubClient` on such a router: listing an installation's account lists the
installation's repositories with its own token.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import SecretStr

from .app import AuthClient, GitHubApp, Installation
from .client import _BearerAuth
from .hosts import DEFAULT_API_URL
from .meter import CREDENTIAL_KEY
from .ratelimit import RateLimitState, parse_http_date, parse_rate_headers
from .session import AsyncOnlyAuth

log = logging.getLogger("ghtraffic.github")

_REPO = re.compile(r"/repos/([^/]+)/([^/?#]+)")
_REPO_ID = re.compile(r"/repositories/(\d+)(?:/|$)")
_OWNER = re.compile(r"/(?:users|orgs)/([^/?#]+)")


@dataclass(frozen=True, slots=True)
class Credential:
    """One credential the router may use: ``name`` is shown to people, never the secret."""

    name: str
    auth: httpx.Auth

    def __repr__(self) -> str:
        return f"Credential({self.name!r})"


@dataclass(frozen=True, slots=True)
class AppInstallation:
    """An installation the run reads, with the app that owns it."""

    app: GitHubApp
    installation: Installation
    credential: Credential

    @property
    def account(self) -> str | None:
        return self.installation.account


def token_credential(name: str, token: SecretStr) -> Credential:
    return Credential(name, _BearerAuth(token))


def installation_credential(app: GitHubApp, installation: Installation) -> AppInstallation:
    name = f"GitHub App {app.app_id} installation {installation.id}"
    if installation.account:
        name += f" ({installation.account})"
    credential = Credential(name, app.installation_auth(installation.id))
    return AppInstallation(app, installation, credential)


def _retry_with_next(response: httpx.Response) -> bool:
    """Whether another credential may do better than this answer."""
    if response.status_code not in (401, 403, 404):
        return False
    headers = response.headers
    return "retry-after" not in headers and headers.get("x-ratelimit-remaining", "").strip() != "0"


class CredentialRouter(AsyncOnlyAuth):
    """Chooses a credential per request (see the module's description)."""

    def __init__(
        self, tokens: Sequence[Credential] = (), installations: Sequence[AppInstallation] = ()
    ):
        self.tokens = list(tokens)
        self.installations = list(installations)
        self._by_repo: dict[str, Credential] = {}
        self._by_id: dict[int, Credential] = {}
        self._worked: dict[str, Credential] = {}
        self._by_owner: dict[str, Credential] = {}
        for item in self.installations:
            if item.account:
                self._by_owner.setdefault(item.account.lower(), item.credential)

    def __repr__(self) -> str:
        names = [c.name for c in self.tokens] + [i.credential.name for i in self.installations]
        return f"CredentialRouter({names!r})"

    def add_repo(self, full_name: str, repo_id: int | None, credential: Credential) -> None:
        """Route ``full_name`` (and ``/repositories/{repo_id}``) to ``credential``."""
        self._by_repo.setdefault(full_name.lower(), credential)
        if repo_id is not None:
            self._by_id.setdefault(repo_id, credential)

    def credential_for(self, full_name: str, repo_id: int | None = None) -> Credential | None:
        """The credential the first request for the repository will use."""
        if repo_id is not None and (found := self._by_id.get(repo_id)) is not None:
            return found
        choices = self.candidates(f"/repos/{full_name}")
        return choices[0] if choices else None

    def route_by_name(self, full_name: str, repo_id: int | None, name: str) -> bool:
        """Route the repository to the credential called ``name`` (as ``add_repo``);
        False when no credential of this router has that name."""
        every = self.tokens + [i.credential for i in self.installations]
        found = next((c for c in every if c.name == name), None)
        if found is None:
            return False
        self.add_repo(full_name, repo_id, found)
        return True

    def candidates(self, path: str) -> list[Credential]:
        """The credentials to try for ``path``, best first, each once."""
        first: list[Credential] = []
        owner: str | None = None
        key: str | None = None
        if (match := _REPO.search(path)) is not None:
            owner, key = match.group(1).lower(), f"{match.group(1)}/{match.group(2)}".lower()
            found = self._by_repo.get(key)
            first += [found] if found else []
        elif (match := _REPO_ID.search(path)) is not None:
            key = f"#{match.group(1)}"
            found = self._by_id.get(int(match.group(1)))
            first += [found] if found else []
        elif (match := _OWNER.search(path)) is not None:
            owner = match.group(1).lower()
        if key is not None and (worked := self._worked.get(key)) is not None:
            first.append(worked)
        first += self.tokens
        if owner is not None and owner in self._by_owner:
            first.append(self._by_owner[owner])
        if not first:
            first += [i.credential for i in self.installations[:1]]
        return list({id(c): c for c in first}.values())

    def _remember(self, path: str, credential: Credential) -> None:
        if (match := _REPO.search(path)) is not None:
            self._worked[f"{match.group(1)}/{match.group(2)}".lower()] = credential
        elif (match := _REPO_ID.search(path)) is not None:
            self._worked[f"#{match.group(1)}"] = credential

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        path = request.url.path
        choices = self.candidates(path)
        if not choices:
            yield request
            return
        for index, credential in enumerate(choices):
            request.extensions[CREDENTIAL_KEY] = credential.name
            flow = credential.auth.async_auth_flow(request)
            try:
                outgoing = await flow.__anext__()
                while True:
                    response = yield outgoing
                    try:
                        outgoing = await flow.asend(response)
                    except StopAsyncIteration:
                        break
            finally:
                await flow.aclose()
            last = index == len(choices) - 1
            if last or not _retry_with_next(response):
                if response.status_code < 400 and len(choices) > 1:
                    self._remember(path, credential)
                return
            log.debug(
                "%s answered %s for %s; trying the next credential",
                credential.name,
                response.status_code,
                path,
            )


class MultiClient(AuthClient):
    """A :class:`GitHubClient` over a :class:`CredentialRouter`.

    ``owner_repos(login)`` of an installation's account lists the installation's
    repositories with its token (and routes them to it); for an owner in ``also_list`` with
    tokens configured, the token's listing of that owner follows. ``rate`` is the state of
    the credential with the fewest points left.
    """

    def __init__(
        self,
        router: CredentialRouter,
        api_url: str = DEFAULT_API_URL,
        *,
        also_list: Iterable[str] = (),
        **options: Any,
    ):
        super().__init__(router, api_url, **options)
        self.router = router
        self._also_list = {o.lower() for o in also_list}
        self._options = {k: v for k, v in options.items() if k in ("transport", "retry", "timeout")}
        self._rates: dict[str, RateLimitState] = {}

    async def _on_response(self, response: httpx.Response) -> None:
        await super()._on_response(response)
        name = response.request.extensions.get(CREDENTIAL_KEY)
        state = parse_rate_headers(response.headers, parse_http_date(response.headers.get("date")))
        if isinstance(name, str) and state is not None and state.resource == "core":
            self._rates[name] = state
            self.rate = min(self._rates.values(), key=lambda s: s.remaining)

    @property
    def rates(self) -> dict[str, RateLimitState]:
        """The newest rate-limit state of each credential that answered, by its name."""
        return dict(self._rates)

    async def owner_repos(self, login: str) -> AsyncIterator[dict[str, Any]]:
        mine = [i for i in self.router.installations if (i.account or "").lower() == login.lower()]
        for item in mine:
            client = item.app.installation_client(
                item.installation.id, requests_per_minute=None, **self._options
            )
            try:
                async for repo in client.installation_repos():
                    name, ident = repo.get("full_name"), repo.get("id")
                    if isinstance(name, str):
                        self.router.add_repo(
                            name, ident if isinstance(ident, int) else None, item.credential
                        )
                    yield repo
            finally:
                self.requests += client.requests
                self.points += client.points
                await client.aclose()
        if not mine or (login.lower() in self._also_list and self.router.tokens):
            async for repo in super().owner_repos(login):
                yield repo
