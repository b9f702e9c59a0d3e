"""The fake's GitHub App endpoints: JWT rules on the fake's clock, installation tokens that
expire, installation listings, and every documented answer checked against the OpenAPI
description."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.installations import (
    DECODE_MESSAGE,
    EXPIRED_MESSAGE,
    ISSUED_MESSAGE,
    TOO_FAR_MESSAGE,
)
from ghtraffic.fakegithub.server import FakeGitHub, running

from .conftest import Validator

APP_ID = "4242"
START = datetime(2026, 1, 5, 23, 0, tzinfo=UTC)
UA = {"User-Agent": "ghtraffic-tests", "Accept": "application/vnd.github+json"}


def _private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def stranger() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def fake(key: rsa.RSAPrivateKey) -> Iterator[FakeGitHub]:
    config = FakeGitHubConfig(repos=12, seed=5, start=START, apps={APP_ID: _public_pem(key)})
    with running(config) as server:
        yield server


@pytest.fixture
def http(fake: FakeGitHub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fake.api_url, headers=UA, timeout=10) as client:
        yield client


def make_jwt(
    key: rsa.RSAPrivateKey,
    now: datetime,
    *,
    iat: int = -60,
    exp: int = 540,
    iss: str = APP_ID,
) -> str:
    at = int(now.timestamp())
    return jwt.encode({"iat": at + iat, "exp": at + exp, "iss": iss}, key, algorithm="RS256")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def installations(http: httpx.Client, fake: FakeGitHub, key: rsa.RSAPrivateKey) -> list[Any]:
    response = http.get("/app/installations", headers=bearer(make_jwt(key, fake.now())))
    assert response.status_code == 200
    result: list[Any] = response.json()
    return result


def new_token(http: httpx.Client, fake: FakeGitHub, key: rsa.RSAPrivateKey, ident: int) -> str:
    path = f"/app/installations/{ident}/access_tokens"
    response = http.post(path, headers=bearer(make_jwt(key, fake.now())))
    assert response.status_code == 201
    token: str = response.json()["token"]
    return token


def owners(fake: FakeGitHub) -> set[str]:
    return {r["full_name"].split("/")[0] for r in fake.world()["repos"]}


# -- contract -------------------------------------------------------------------------------


def test_app_responses_match_the_spec(
    fake: FakeGitHub, http: httpx.Client, key: rsa.RSAPrivateKey, validate: Validator
) -> None:
    auth = bearer(make_jwt(key, fake.now()))
    app = http.get("/app", headers=auth)
    assert app.status_code == 200
    validate(app)
    listed = http.get("/app/installations", headers=auth)
    validate(listed)
    assert app.json()["installations_count"] == len(listed.json()) == len(owners(fake))
    page = http.get("/app/installations?per_page=1&page=2", headers=auth)
    validate(page)
    assert len(page.json()) == 1
    assert 'rel="next"' in page.headers["link"]
    ident = listed.json()[0]["id"]
    created = http.post(f"/app/installations/{ident}/access_tokens", headers=auth)
    assert created.status_code == 201
    validate(created)
    missing = http.post("/app/installations/1/access_tokens", headers=auth)
    assert missing.status_code == 404
    validate(missing)
    refused = http.post(
        f"/app/installations/{ident}/access_tokens",
        headers=bearer(make_jwt(key, fake.now(), exp=-1)),
    )
    assert refused.status_code == 401
    validate(refused)


def test_installation_repositories_match_the_spec(
    fake: FakeGitHub, http: httpx.Client, key: rsa.RSAPrivateKey, validate: Validator
) -> None:
    first = installations(http, fake, key)[0]
    token = new_token(http, fake, key, first["id"])
    response = http.get("/installation/repositories?per_page=2", headers=bearer(token))
    assert response.status_code == 200
    validate(response)
    body = response.json()
    assert body["repository_selection"] == "all"
    assert len(body["repositories"]) <= 2
    pat = http.get("/installation/repositories", headers=bearer("demo-token"))
    assert pat.status_code == 403
    validate(pat)
    fake.advance(timedelta(hours=1))
    expired = http.get("/installation/repositories", headers=bearer(token))
    assert expired.status_code == 401
    validate(expired)
    assert expired.json()["message"] == "Bad credentials"


# -- JWT rules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"exp": -1}, EXPIRED_MESSAGE),
        ({"iat": -700, "exp": -100}, EXPIRED_MESSAGE),
        ({"iat": 30}, ISSUED_MESSAGE),
        ({"exp": 601}, TOO_FAR_MESSAGE),
        ({"iat": 0, "exp": 3600}, TOO_FAR_MESSAGE),
        ({"iss": "999"}, DECODE_MESSAGE),
    ],
)
def test_jwt_times_are_judged_on_the_fakes_clock(
    fake: FakeGitHub,
    http: httpx.Client,
    key: rsa.RSAPrivateKey,
    claims: dict[str, Any],
    message: str,
) -> None:
    fake.advance(timedelta(days=3, seconds=17))
    response = http.get("/app/installations", headers=bearer(make_jwt(key, fake.now(), **claims)))
    assert response.status_code == 401
    assert response.json()["message"] == message


def test_jwt_at_the_edges_is_accepted(
    fake: FakeGitHub, http: httpx.Client, key: rsa.RSAPrivateKey
) -> None:
    edges: list[dict[str, Any]] = [{"iat": 0, "exp": 600}, {"iat": -540, "exp": 1}]
    for claims in edges:
        response = http.get("/app", headers=bearer(make_jwt(key, fake.now(), **claims)))
        assert response.status_code == 200, claims
    client_id = http.get("/app", headers=bearer(make_jwt(key, fake.now()))).json()["client_id"]
    by_client = http.get("/app", headers=bearer(make_jwt(key, fake.now(), iss=client_id)))
    assert by_client.status_code == 200


def test_forged_and_tampered_jwts_are_refused(
    fake: FakeGitHub, http: httpx.Client, key: rsa.RSAPrivateKey, stranger: rsa.RSAPrivateKey
) -> None:
    now = fake.now()
    good = make_jwt(key, now)
    head, _payload, signature = good.split(".")
    other_claims = make_jwt(key, now, iss="4243").split(".")[1]
    for token in (
        make_jwt(stranger, now),  # signed with another key
        f"{head}.{other_claims}.{signature}",  # claims swapped under a valid signature
        good[:-6] + ("AAAAAA" if not good.endswith("AAAAAA") else "BBBBBB"),
        jwt.encode({"iat": 0, "exp": 1, "iss": APP_ID}, "s" * 32, algorithm="HS256"),
        "not-a-jwt",
        "demo-token",
    ):
        response = http.get("/app/installations", headers=bearer(token))
        assert response.status_code == 401, token
        assert response.json()["message"] == DECODE_MESSAGE
    assert http.get("/app/installations").status_code == 401


# -- installation tokens ----------------------------------------------------------------------


def test_every_owner_has_an_installation_that_reads_its_repos_only(
    fake: FakeGitHub, http: httpx.Client, key: rsa.RSAPrivateKey
) -> None:
    world = fake.world()["repos"]
    found = installations(http, fake, key)
    assert {i["account"]["login"] for i in found} == owners(fake)
    lengths = set()
    for installation in found:
        login = installation["account"]["login"]
        token = new_token(http, fake, key, installation["id"])
        lengths.add(len(token))
        auth = bearer(token)
        names: list[str] = []
        url: str | None = "/installation/repositories?per_page=2"
        while url:
            page = http.get(url, headers=auth)
            assert page.status_code == 200
            body = page.json()
            names += [r["full_name"] for r in body["repositories"]]
            url = page.links.get("next", {}).get("url")
        mine = {r["full_name"] for r in world if r["full_name"].startswith(login + "/")}
        assert set(names) == mine
        assert body["total_count"] == len(mine)
        name = sorted(mine)[0]
        assert http.get(f"/repos/{name}/traffic/views", headers=auth).status_code == 200
        others = [r for r in world if r["private"] and not r["full_name"].startswith(login + "/")]
        if others:
            assert http.get(f"/repos/{others[0]['full_name']}", headers=auth).status_code == 404
        assert http.get("/user", headers=auth).status_code == 403
    assert len(lengths) > 1  # token lengths vary


def test_installation_tokens_expire_after_an_hour_of_fake_time(
    fake: FakeGitHub, http: httpx.Client, key: rsa.RSAPrivateKey
) -> None:
    ident = installations(http, fake, key)[0]["id"]
    path = f"/app/installations/{ident}/access_tokens"
    created = http.post(path, headers=bearer(make_jwt(key, fake.now())))
    token = created.json()["token"]
    expires = datetime.fromisoformat(created.json()["expires_at"].replace("Z", "+00:00"))
    assert expires == fake.now() + timedelta(hours=1)
    fake.advance(timedelta(minutes=59, seconds=59))
    assert http.get("/rate_limit", headers=bearer(token)).status_code == 200
    fake.advance(timedelta(seconds=1))
    late = http.get("/rate_limit", headers=bearer(token))
    assert late.status_code == 401
    assert late.json()["message"] == "Bad credentials"
    assert new_token(http, fake, key, ident) != token


def test_an_installations_tokens_share_its_rate_limit(
    fake: FakeGitHub, http: httpx.Client, key: rsa.RSAPrivateKey
) -> None:
    """As on GitHub, the primary limit is the installation's: a new token does not
    start a new count."""
    first, second = (i["id"] for i in installations(http, fake, key)[:2])
    old, new = new_token(http, fake, key, first), new_token(http, fake, key, first)
    repo = fake.world()["repos"][0]["full_name"]

    def remaining(token: str) -> int:
        response = http.get(f"/repos/{repo}", headers=bearer(token))
        return int(response.headers["x-ratelimit-remaining"])

    assert remaining(old) == remaining(new) + 1
    assert remaining(new_token(http, fake, key, second)) > remaining(new)


def test_cli_style_options_add_an_app(key: rsa.RSAPrivateKey, tmp_path: Path) -> None:
    public = tmp_path / "app.pub.pem"
    public.write_text(_public_pem(key), encoding="utf-8")
    config = FakeGitHubConfig.from_options(app_id="777", app_key=str(public))
    assert config.apps == {"777": _public_pem(key)}
    with pytest.raises(ValueError, match="go together"):
        FakeGitHubConfig.from_options(app_id="777")
    assert "PRIVATE" not in _public_pem(key)
    assert "PRIVATE" in _private_pem(key)
