"""Every kind of response the fake gives validates against GitHub's OpenAPI description."""

from __future__ import annotations

import json

import httpx
import pytest

from ghtraffic.fakegithub.server import FakeGitHub

from .conftest import HEADERS, SPEC, Validator, repo_names


def _public(fake: FakeGitHub) -> str:
    return repo_names(fake, private=False, renamed_from=None)[0]


@pytest.mark.parametrize(
    "path",
    [
        "/repos/{repo}",
        "/repos/{repo}/traffic/views",
        "/repos/{repo}/traffic/views?per=week",
        "/repos/{repo}/traffic/clones",
        "/repos/{repo}/traffic/clones?per=week",
        "/repos/{repo}/traffic/popular/referrers",
        "/repos/{repo}/traffic/popular/paths",
        "/orgs/acme-labs/repos?per_page=3",
        "/users/octo-demo/repos?per_page=3&page=2",
        "/user/repos?per_page=5",
        "/user",
        "/users/octo-demo",
        "/users/acme-labs",
        "/orgs/globex",
        "/rate_limit",
        "/repos/octo-demo/does-not-exist",
        "/orgs/no-such-org",
    ],
)
def test_response_matches_the_spec(
    fake: FakeGitHub, client: httpx.Client, validate: Validator, path: str
) -> None:
    response = client.get(path.format(repo=_public(fake)))
    assert response.status_code in (200, 404)
    validate(response)
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["x-github-api-version-selected"] == "2022-11-28"
    assert response.headers["x-ratelimit-resource"] == "core"
    if response.status_code == 200:
        assert response.headers["etag"].startswith('"')


def test_listing_bodies_have_counts_but_no_watchers(client: httpx.Client) -> None:
    repo = client.get("/user/repos").json()[0]
    for key in ("stargazers_count", "forks_count", "open_issues_count", "size", "permissions"):
        assert key in repo
    assert "subscribers_count" not in repo


def test_full_repository_fields(fake: FakeGitHub, client: httpx.Client) -> None:
    body = client.get(f"/repos/{_public(fake)}").json()
    assert body["watchers_count"] == body["stargazers_count"]
    assert body["subscribers_count"] >= 1
    assert body["permissions"]["push"] is True


def test_redirect_of_renamed_repo(
    fake: FakeGitHub, client: httpx.Client, validate: Validator
) -> None:
    moved = next(r for r in fake.world()["repos"] if r["renamed_from"])
    plain = client.get(f"/repos/{moved['renamed_from']}")
    assert plain.status_code == 301
    recorded = json.loads((SPEC.parent / "rename-repository.json").read_text(encoding="utf-8"))
    real = next(e for e in recorded if e["status"] == 301)
    assert plain.json().keys() == real["response"].keys()
    assert plain.json()["message"] == real["response"]["message"]
    validate(plain)  # the spec documents 301 for the repository only: assert the rest directly
    assert plain.headers["location"] == f"{fake.api_url}/repositories/{moved['id']}"
    response = client.get(f"/repos/{moved['renamed_from']}/traffic/views?per=week")
    assert response.status_code == 301
    location = f"{fake.api_url}/repositories/{moved['id']}/traffic/views?per=week"
    assert response.headers["location"] == location
    assert response.json() == {
        "message": "Moved Permanently",
        "url": location,
        "documentation_url": "https://docs.github.com/v3/#http-redirects",
    }
    followed = client.get(location)
    assert followed.status_code == 200
    assert "views" in followed.json()
    assert (
        client.get(f"/repos/{moved['renamed_from']}", follow_redirects=True).json()["id"]
        == (moved["id"])
    )


def test_not_modified_has_no_body(
    fake: FakeGitHub, client: httpx.Client, validate: Validator
) -> None:
    first = client.get("/user")
    again = client.get("/user", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    validate(again)


def test_bad_credentials(fake: FakeGitHub, validate: Validator) -> None:
    headers = {**HEADERS, "Authorization": "Bearer nope"}
    with httpx.Client(base_url=fake.api_url, headers=headers) as http:
        response = http.get("/user")
    assert response.status_code == 401
    validate(response)
    assert response.json()["message"] == "Bad credentials"


def test_no_push_and_secondary_limit_and_server_error(
    fake: FakeGitHub, validate: Validator
) -> None:
    name = _public(fake)
    headers = {**HEADERS, "Authorization": "token outsider-token"}
    with httpx.Client(base_url=fake.api_url, headers=headers) as http:
        denied = http.get(f"/repos/{name}/traffic/views")
        assert denied.status_code == 403
        validate(denied)
        assert denied.json()["message"] == "Must have push access to repository"
        try:
            fake.set_faults(secondary=1.0)
            limited = http.get(f"/repos/{name}/traffic/clones")
            assert limited.status_code == 403
            validate(limited)
            assert limited.headers["retry-after"] == "1"
            fake.set_faults("5xx=1.0")
            failed = http.get(f"/repos/{name}/traffic/paths")
            assert failed.status_code in (500, 502, 503)
            assert "message" in failed.json()
        finally:
            fake.set_faults("")
