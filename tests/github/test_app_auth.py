"""GitHub App authentication against the fake GitHub: the JWT, installations, installation
tokens (cached, refreshed on the fake's clock) and secrecy of the key and the tokens."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from pydantic import SecretStr

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, running
from ghtraffic.github.app import (
    AppAuthError,
    AppKeyError,
    GitHubApp,
    InstallationToken,
    ServerClock,
    load_private_key,
)
from ghtraffic.github.errors import BadCredentials, GitHubError, NotFound
from ghtraffic.github.retry import RetryPolicy
from tests.app_keys import new_app_keys

pytestmark = pytest.mark.anyio

APP_ID = "12345"
START = datetime(2026, 1, 5, 23, 0, tzinfo=UTC)
FAST = RetryPolicy(attempts=2, initial=0.001, maximum=0.01, secondary_initial=0.01)
#: GitHub hands out App keys as PKCS#1 (``BEGIN RSA PRIVATE KEY``).
PKCS1 = serialization.PrivateFormat.TraditionalOpenSSL


@pytest.fixture(scope="module")
def keys() -> tuple[str, str]:
    """A fresh RSA key pair (private PEM, public PEM), made for this test run only."""
    return new_app_keys(PKCS1)


@pytest.fixture(scope="module")
def other_private() -> str:
    return new_app_keys(PKCS1)[0]


@pytest.fixture
def fake(keys: tuple[str, str]) -> Iterator[FakeGitHub]:
    config = FakeGitHubConfig(repos=8, seed=3, start=START, apps={APP_ID: keys[1]})
    with running(config) as server:
        yield server


class Local:
    """A local clock far from the fake's, and moved only by the test."""

    def __init__(self) -> None:
        self.now = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def app(fake: FakeGitHub, keys: tuple[str, str]) -> AsyncIterator[GitHubApp]:
    clock = ServerClock(Local())
    async with GitHubApp(
        APP_ID, SecretStr(keys[0]), fake.api_url, retry=FAST, clock=clock
    ) as github_app:
        yield github_app


def _kinds(fake: FakeGitHub, kind: str) -> dict[str, int]:
    result: dict[str, int] = fake.stats()["by_kind"].get(kind, {})
    return result


# -- the JWT --------------------------------------------------------------------------------


def test_jwt_claims_and_header(keys: tuple[str, str]) -> None:
    github_app = GitHubApp(APP_ID, keys[0], "https://api.github.com")
    at = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    token = github_app.jwt(at).get_secret_value()
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    assert header["typ"] == "JWT"
    claims = jwt.decode(
        token, keys[1], algorithms=["RS256"], options={"verify_exp": False, "verify_iat": False}
    )
    assert claims["iss"] == APP_ID
    assert claims["iat"] == int(at.timestamp()) - 60
    assert 0 < claims["exp"] - claims["iat"] <= 600
    assert claims["exp"] > int(at.timestamp())


def test_the_key_may_come_with_escaped_line_breaks(keys: tuple[str, str]) -> None:
    one_line = keys[0].strip().replace("\n", "\\n")
    assert load_private_key(one_line).key_size == 2048


def test_a_bad_key_is_refused_without_quoting_it() -> None:
    bogus = "-----BEGIN RSA PRIVATE KEY-----\nNOTAKEYSENTINEL\n-----END RSA PRIVATE KEY-----"
    with pytest.raises(AppKeyError) as caught:
        GitHubApp(APP_ID, bogus, "https://api.github.com")
    assert "SENTINEL" not in str(caught.value)
    assert "SENTINEL" not in repr(caught.value)


async def test_jwt_follows_the_servers_clock_not_the_local_one(
    fake: FakeGitHub, app: GitHubApp
) -> None:
    found = await app.installations()
    # the local clock is years off: the first JWT is refused, rebuilt from the Date, accepted
    assert app.requests == 2
    assert _kinds(fake, "app_unauthorized") == {"401": 1}
    assert app.clock.now() == fake.now()
    assert {i.account for i in found} == {
        r["full_name"].split("/")[0] for r in fake.world()["repos"]
    }
    assert all(i.repository_selection == "all" for i in found)
    await app.installations()
    assert app.requests == 3  # the offset is known now: no more refusals
    info = await app.app_info()
    assert info["id"] == int(APP_ID)
    assert info["installations_count"] == len(found)


async def test_a_wrong_key_is_an_app_auth_error(
    fake: FakeGitHub, other_private: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with GitHubApp(APP_ID, other_private, fake.api_url, retry=FAST) as wrong:
        with pytest.raises(AppAuthError) as caught:
            await wrong.installations()
        jwt_text = wrong.jwt().get_secret_value()
    error = caught.value
    assert isinstance(error, BadCredentials)
    assert error.status == 401
    assert "A JSON web token could not be decoded" in str(error)
    assert APP_ID in str(error)
    body = other_private.splitlines()[1]
    for text in (str(error), repr(error), caplog.text):
        assert body not in text
        assert jwt_text.split(".")[2] not in text


async def test_an_unknown_installation_is_not_found(app: GitHubApp) -> None:
    with pytest.raises(NotFound) as caught:
        await app.installation_token(999)
    assert "installation 999" in str(caught.value)


# -- installation tokens ----------------------------------------------------------------------


async def test_one_token_serves_many_requests(fake: FakeGitHub, app: GitHubApp) -> None:
    first = (await app.installations())[0]
    async with app.installation_client(first.id, requests_per_minute=None, retry=FAST) as gh:
        listed = [r async for r in gh.installation_repos()]
        for repo in listed:
            await gh.repo(repo["owner"]["login"], repo["name"])
            await gh.traffic_views(repo["owner"]["login"], repo["name"])
    assert listed
    assert {r["owner"]["login"] for r in listed} == {first.account}
    assert app.tokens_created == 1
    assert _kinds(fake, "access_token") == {"201": 1}
    expected = {
        r["full_name"]
        for r in fake.world()["repos"]
        if r["full_name"].split("/")[0] == first.account
    }
    assert {r["full_name"] for r in listed} == expected


async def test_an_expired_token_is_replaced_and_the_request_retried(
    fake: FakeGitHub, app: GitHubApp
) -> None:
    first = (await app.installations())[0]
    async with app.installation_client(first.id, requests_per_minute=None, retry=FAST) as gh:
        await gh.rate_limit()
        old = await app.installation_token(first.id)
        fake.advance(timedelta(minutes=61))
        response = await gh.rate_limit()
        assert response.status == 200
        new = await app.installation_token(first.id)
    assert app.tokens_created == 2
    assert new.token.get_secret_value() != old.token.get_secret_value()
    assert new.expires_at == fake.now() + timedelta(hours=1)
    assert _kinds(fake, "unauthorized") == {"401": 1}  # the expired token's one refusal


async def test_a_token_is_replaced_before_it_expires(fake: FakeGitHub, app: GitHubApp) -> None:
    first = (await app.installations())[0]
    async with app.installation_client(first.id, requests_per_minute=None, retry=FAST) as gh:
        await gh.rate_limit()
        fake.advance(timedelta(minutes=56))
        await gh.rate_limit()  # still valid; its Date shows 4 minutes left
        assert app.tokens_created == 1
        await gh.rate_limit()
    assert app.tokens_created == 2
    assert "unauthorized" not in fake.stats()["by_kind"]


async def test_a_revoked_token_is_replaced_once(fake: FakeGitHub, app: GitHubApp) -> None:
    first = (await app.installations())[0]
    revoked = InstallationToken(SecretStr("ghs_revoked"), START + timedelta(hours=9), START)
    app._tokens[first.id] = revoked
    async with app.installation_client(first.id, requests_per_minute=None, retry=FAST) as gh:
        response = await gh.rate_limit()  # 401, a new token, the request again
    assert response.status == 200
    assert app.tokens_created == 1


async def test_neither_key_nor_tokens_leak(
    fake: FakeGitHub, app: GitHubApp, keys: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[GitHubError] = []
    first = (await app.installations())[0]
    async with app.installation_client(first.id, requests_per_minute=None, retry=FAST) as gh:
        async for repo in gh.installation_repos():
            await gh.traffic_views(repo["owner"]["login"], repo["name"])
        try:
            await gh.repo("nobody", "nothing")
        except GitHubError as exc:
            errors.append(exc)
        token = await app.installation_token(first.id)
        fake.advance(timedelta(hours=2))
        await gh.rate_limit()
        token2 = await app.installation_token(first.id)
        client_repr = repr(gh)
    try:
        await app.installation_token(424242)
    except GitHubError as exc:
        errors.append(exc)
    assert len(errors) == 2
    secrets = [token.token.get_secret_value(), token2.token.get_secret_value()]
    key_lines = [line for line in keys[0].splitlines() if "-----" not in line]
    shown = [caplog.text, repr(app), client_repr, repr(token), str(token)]
    shown += [str(e) for e in errors] + [repr(e) for e in errors]
    for text in shown:
        for secret in secrets:
            assert secret not in text
        for line in key_lines:
            assert line not in text
    assert "GitHub App 12345" in caplog.text


async def test_the_fake_refuses_tampered_tokens_to_the_client(
    fake: FakeGitHub, app: GitHubApp
) -> None:
    await app.installations()
    good = app.jwt().get_secret_value()
    head, payload, signature = good.split(".")
    tampered = f"{head}.{payload}.{signature[:-4]}AAAA"
    async with httpx.AsyncClient(base_url=fake.api_url) as http:
        response = await http.get(
            "/app/installations",
            headers={"Authorization": f"Bearer {tampered}", "User-Agent": "t"},
        )
    assert response.status_code == 401
    assert response.json()["message"] == "A JSON web token could not be decoded"
