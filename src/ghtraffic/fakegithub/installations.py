"""GitHub Apps in the fake: apps, their installations, JWTs and installation tokens.

The configuration holds each app's id and PUBLIC key (``FakeGitHubConfig.apps``); whoever
holds the private key signs JWTs. Each app is installed on every account that owns
repositories, with all of them selected. JWTs are judged on the fake's clock with GitHub's
rules and messages; installation tokens expire one hour (of fake time) after they are made,
after which they answer ``401 Bad credentials`` like any unknown token.

Routes (JWT): ``GET /app``, ``GET /app/installations`` (paginated),
``POST /app/installations/{installation_id}/access_tokens``. An installation token acts as
the installation's bot: it can read (and has push access to) the installation's
repositories, and ``GET /installation/repositories`` lists them.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from ghtraffic.fakegithub import bodies
from ghtraffic.fakegithub.api import ApiResult, not_found
from ghtraffic.fakegithub.paging import page_bounds, page_link
from ghtraffic.fakegithub.world import Account, World

#: How long an installation token lives (GitHub: one hour).
TOKEN_LIFETIME = timedelta(hours=1)
#: The longest a JWT may still be valid for, on the server's clock (GitHub: ten minutes).
JWT_MAX_AHEAD = 600
APP_DOCS = "https://docs.github.com/rest/apps/apps"
DECODE_MESSAGE = "A JSON web token could not be decoded"
EXPIRED_MESSAGE = (
    "'Expiration time' claim ('exp') must be a numeric value representing the future time at "
    "which the assertion expires"
)
ISSUED_MESSAGE = (
    "'Issued at' claim ('iat') must be an Integer representing the time that the assertion "
    "was issued"
)
TOO_FAR_MESSAGE = "'Expiration time' claim ('exp') is too far in the future"
NOT_INSTALLATION_MESSAGE = (
    "You must authenticate with an installation access token in order to list repositories "
    "for an installation."
)
INTEGRATION_MESSAGE = "Resource not accessible by integration"
PERMISSIONS = {"administration": "read", "metadata": "read"}

_ACCESS_TOKENS = re.compile(r"^/app/installations/(?P<id>\d+)/access_tokens/?$")


@dataclass(frozen=True, slots=True)
class FakeApp:
    id: int
    slug: str
    client_id: str
    name: str
    key: RSAPublicKey = field(repr=False)
    owner: Account
    created_at: datetime


@dataclass(frozen=True, slots=True)
class FakeInstallation:
    id: int
    app: FakeApp
    account: Account
    #: The account an installation token acts as (member of ``account`` only).
    bot: Account
    created_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedToken:
    installation: FakeInstallation
    expires_at: datetime


def load_public_key(pem: str | bytes) -> RSAPublicKey:
    """An RSA public key from PEM text (``BEGIN PUBLIC KEY``)."""
    data = pem.encode() if isinstance(pem, str) else pem
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, RSAPublicKey):
        raise ValueError("a GitHub App's key must be an RSA public key")
    return key


class AppRegistry:
    """The apps, installations and issued installation tokens of one fake server."""

    def __init__(
        self,
        apps: Mapping[str, str],
        world: World,
        *,
        seed: int = 1,
        start: datetime,
        token_lifetime: timedelta = TOKEN_LIFETIME,
    ) -> None:
        self.world = world
        self.seed = seed
        self.token_lifetime = token_lifetime
        self.apps: list[FakeApp] = []
        self.installations: list[FakeInstallation] = []
        self._tokens: dict[str, IssuedToken] = {}
        self._issued = 0
        owners = sorted({r.owner.login: r.owner for r in world.repos}.values(), key=lambda a: a.id)
        app_owner = next((a for a in owners if a.is_org), owners[0] if owners else None)
        for index, (app_id, pem) in enumerate(sorted(apps.items())):
            if not app_id.strip().isdigit():
                raise ValueError(f"a fake GitHub App id must be a number, not {app_id!r}")
            number = int(app_id)
            slug = f"traffic-archiver-{number}"
            digest = hashlib.sha256(f"client:{seed}:{number}".encode()).hexdigest()
            owner = app_owner or Account("octo-apps", 999, "Organization", start)
            app = FakeApp(
                id=number,
                slug=slug,
                client_id=f"Iv23li{digest[:14]}",
                name=f"Traffic Archiver {number}",
                key=load_public_key(pem),
                owner=owner,
                created_at=start - timedelta(days=400 + index),
            )
            self.apps.append(app)
            for n, account in enumerate(owners):
                ident = 40_000_000 + 1_000 * index + n + 1
                bot = Account(f"{slug}[bot]/{ident}", 90_000_000 + number, "Bot", start)
                world.members.setdefault(account.login, set()).add(bot.login)
                installed = start - timedelta(days=200 - n)
                self.installations.append(FakeInstallation(ident, app, account, bot, installed))

    # -- tokens -----------------------------------------------------------------------

    def app_for_jwt(self, raw: str | None, now: datetime) -> FakeApp | str:
        """The app that signed ``raw``, or GitHub's message for why it is refused."""
        if not raw:
            return DECODE_MESSAGE
        try:
            header = jwt.get_unverified_header(raw)
            claims = jwt.decode(raw, options={"verify_signature": False})
        except jwt.PyJWTError:
            return DECODE_MESSAGE
        issuer = str(claims.get("iss", ""))
        app = next((a for a in self.apps if issuer in (str(a.id), a.client_id)), None)
        if app is None or header.get("alg") != "RS256":
            return DECODE_MESSAGE
        try:
            jwt.decode(
                raw,
                app.key,
                algorithms=["RS256"],
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
            )
        except jwt.PyJWTError:
            return DECODE_MESSAGE
        at = now.timestamp()
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int) or isinstance(iat, bool) or iat > at:
            return ISSUED_MESSAGE
        if not isinstance(exp, int | float) or isinstance(exp, bool) or exp <= at:
            return EXPIRED_MESSAGE
        if exp > at + JWT_MAX_AHEAD:
            return TOO_FAR_MESSAGE
        return app

    def issue(self, installation: FakeInstallation, now: datetime) -> tuple[str, IssuedToken]:
        self._issued += 1
        seed = f"token:{self.seed}:{installation.id}:{self._issued}"
        digest = base64.b32encode(hashlib.sha256(seed.encode()).digest()).decode().rstrip("=")
        # Lengths vary on purpose: clients must not assume a token's length.
        token = "ghs_" + digest[: 30 + self._issued % 23]
        issued = IssuedToken(installation, now + self.token_lifetime)
        self._tokens[token] = issued
        return token, issued

    def user_for_token(self, token: str, now: datetime) -> Account | None:
        """The bot of the installation ``token`` belongs to, while the token lives."""
        issued = self._tokens.get(token)
        if issued is None or now >= issued.expires_at:
            return None
        return issued.installation.bot

    def rate_key(self, token: str) -> str:
        """Whose primary rate limit ``token`` spends: an installation's tokens share the
        installation's (as on GitHub); any other token its own."""
        issued = self._tokens.get(token)
        return token if issued is None else f"installation:{issued.installation.id}"

    def installation(self, ident: int) -> FakeInstallation | None:
        return next((i for i in self.installations if i.id == ident), None)


# -- routes -------------------------------------------------------------------------------


def is_app_path(path: str) -> bool:
    return path.rstrip("/") == "/app" or path.startswith("/app/")


def app_route(
    registry: AppRegistry,
    method: str,
    path: str,
    token: str | None,
    now: datetime,
    api: str,
    query: Mapping[str, str],
) -> tuple[str, ApiResult]:
    """Answer a JWT route: ``(statistics kind, result)``."""
    found = registry.app_for_jwt(token, now)
    if isinstance(found, str):
        return "app_unauthorized", ApiResult(401, bodies.error(401, found, bodies.DOCS))
    app = found
    path = path.rstrip("/") or "/"
    if path == "/app" and method in ("GET", "HEAD"):
        return "app", ApiResult(200, integration(registry, app, api))
    if path == "/app/installations" and method in ("GET", "HEAD"):
        mine = [i for i in registry.installations if i.app is app]
        return "app_installations", _paged(mine, registry, api, path, query)
    match = _ACCESS_TOKENS.match(path)
    if match is not None and method == "POST":
        installation = registry.installation(int(match["id"]))
        if installation is None or installation.app is not app:
            return "access_token", not_found()
        token_value, issued = registry.issue(installation, now)
        body = {
            "token": token_value,
            "expires_at": bodies.iso(issued.expires_at),
            "permissions": dict(PERMISSIONS),
            "repository_selection": "all",
        }
        return "access_token", ApiResult(201, body)
    return "app", not_found()


def _paged(
    items: list[FakeInstallation],
    registry: AppRegistry,
    api: str,
    path: str,
    query: Mapping[str, str],
) -> ApiResult:
    page, per_page, last = page_bounds(query, len(items))
    chunk = items[(page - 1) * per_page : page * per_page]

    def link(n: int, rel: str) -> str:
        return page_link(api, path, query, n, rel)

    links = [link(page + 1, "next"), link(last, "last")] if page < last else []
    if page > 1:
        links += [link(page - 1, "prev"), link(1, "first")]
    body = [installation_body(i, api) for i in chunk]
    return ApiResult(200, body, {"link": ", ".join(links)} if links else {})


def installation_body(installation: FakeInstallation, api: str) -> bodies.JSON:
    """An ``installation`` as ``GET /app/installations`` lists it."""
    account = installation.account
    settings = (
        f"{bodies.WEB}/organizations/{account.login}/settings/installations/{installation.id}"
        if account.is_org
        else f"{bodies.WEB}/settings/installations/{installation.id}"
    )
    # The description's ``account`` is all of simple-user AND enterprise: both shapes' fields.
    owner = {
        **bodies.simple_user(account, api),
        "name": account.name or account.login,
        "slug": account.login.lower(),
        "created_at": bodies.iso(account.created_at),
        "updated_at": bodies.iso(account.created_at),
    }
    return {
        "id": installation.id,
        "account": owner,
        "repository_selection": "all",
        "access_tokens_url": f"{api}/app/installations/{installation.id}/access_tokens",
        "repositories_url": f"{api}/installation/repositories",
        "html_url": settings,
        "app_id": installation.app.id,
        "app_slug": installation.app.slug,
        "target_id": account.id,
        "target_type": account.type,
        "permissions": dict(PERMISSIONS),
        "events": [],
        "created_at": bodies.iso(installation.created_at),
        "updated_at": bodies.iso(installation.created_at),
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "suspended_by": None,
        "suspended_at": None,
    }


def integration(registry: AppRegistry, app: FakeApp, api: str) -> bodies.JSON:
    """The ``integration`` body of ``GET /app``."""
    return {
        "id": app.id,
        "slug": app.slug,
        "node_id": base64.b64encode(f"0:Integration{app.id}".encode()).decode(),
        "client_id": app.client_id,
        "owner": bodies.simple_user(app.owner, api),
        "name": app.name,
        "description": "Keeps the repository traffic GitHub forgets after 14 days",
        "external_url": "https://example.com/traffic-archiver",
        "html_url": f"{bodies.WEB}/apps/{app.slug}",
        "created_at": bodies.iso(app.created_at),
        "updated_at": bodies.iso(app.created_at),
        "permissions": dict(PERMISSIONS),
        "events": [],
        "installations_count": sum(1 for i in registry.installations if i.app is app),
    }
