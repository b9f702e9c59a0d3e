"""A viewer sees only what is granted; the anonymous see nothing but the open routes."""

from __future__ import annotations

import re

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from ghtraffic.identity.permissions import visible_ids
from ghtraffic.identity.principal import Principal
from ghtraffic.identity.public import set_public
from ghtraffic.processing.feed import Change
from ghtraffic.storage.database import Database
from ghtraffic.web.sse import allowed
from tests.web.conftest import PASSWORD

OPEN = {
    "/login",
    "/healthz",
    "/readyz",
    "/badge/{owner}/{name}/{metric}.svg",
    "/public",
    "/public/repos/{owner}/{name}",
    "/public/repos/{owner}/{name}/referrers",
    "/public/repos/{owner}/{name}/paths",
    "/public/repos/{owner}/{name}/downloads",
}
SAMPLE = {"owner": "acme", "name": "rocket", "metric": "views", "token_id": "1", "run_id": "1"}


def _concrete(path: str) -> str:
    return re.sub(r"{(\w+)(:\w+)?}", lambda m: SAMPLE[m.group(1)], path)


def test_anonymous_is_refused_everywhere_but_the_open_routes(
    app: Starlette, anon: TestClient
) -> None:
    checked = 0
    for route in app.routes:
        if isinstance(route, Mount):
            continue
        assert isinstance(route, Route)
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            url = _concrete(route.path)
            response = anon.request(method, url)
            checked += 1
            if route.path in OPEN:
                assert response.status_code in (200, 404, 403, 303), (method, url)
                if method == "POST":
                    assert response.status_code == 403, (method, url)  # no CSRF cookie
                continue
            if url.startswith(("/api/", "/events/")):
                assert response.status_code == 401, (method, url)
            elif method == "GET":
                assert response.status_code == 303, (method, url)
                assert response.headers["location"].startswith("/login")
            else:
                assert response.status_code == 403, (method, url)
    assert checked >= 30


@pytest.mark.parametrize(
    "url",
    [
        "/repos/globex/secret-plan",
        "/api/v1/repos/globex/secret-plan",
        "/api/v1/repos/globex/secret-plan/daily",
        "/api/v1/repos/globex/secret-plan/referrers",
        "/api/v1/repos/globex/secret-plan/events",
    ],
)
def test_viewer_is_refused_an_ungranted_repo(viewer: TestClient, url: str) -> None:
    assert viewer.get(url).status_code == 404
    assert viewer.get(url.replace("globex/secret-plan", "acme/rocket")).status_code == 200


def test_viewer_lists_and_totals_hold_only_granted_repos(viewer: TestClient) -> None:
    names = [r["full_name"] for r in viewer.get("/api/v1/repos").json()["items"]]
    assert names == ["acme/anvil", "acme/rocket"]
    page = viewer.get("/")
    assert "secret-plan" not in page.text
    assert viewer.get("/api/v1/totals/daily").json()["repos"] == 2
    assert viewer.get("/api/v1/runs").status_code == 403
    assert viewer.get("/collection").status_code == 403
    assert viewer.get("/admin").status_code == 403


def test_admin_sees_everything(admin: TestClient) -> None:
    assert len(admin.get("/api/v1/repos").json()["items"]) == 3
    assert admin.get("/repos/globex/secret-plan").status_code == 200
    assert admin.get("/collection").status_code == 200


def test_badges_only_for_public_repos(
    seeded: Database, viewer: TestClient, anon: TestClient
) -> None:
    assert anon.get("/badge/acme/rocket/views.svg").status_code == 404
    assert viewer.get("/badge/acme/rocket/views.svg").status_code == 404
    set_public(seeded, "acme/rocket", True)
    badge = anon.get("/badge/acme/rocket/views.svg")
    assert badge.status_code == 200
    assert badge.headers["content-type"].startswith("image/svg+xml")
    assert badge.headers["cache-control"] == "public, max-age=3600"
    assert "views (14 d)" in badge.text
    assert "140" in badge.text
    assert anon.get("/badge/acme/rocket/stars.svg").status_code == 200
    assert anon.get("/badge/acme/anvil/views.svg").status_code == 404
    assert anon.get("/badge/acme/rocket/secrets.svg").status_code == 404


def test_public_view_shows_public_repos_only(seeded: Database, anon: TestClient) -> None:
    set_public(seeded, "acme/anvil", True)
    page = anon.get("/public")
    assert page.status_code == 200
    assert "acme/anvil" in page.text
    assert "acme/rocket" not in page.text
    assert anon.get("/public/repos/acme/anvil").status_code == 200
    assert anon.get("/public/repos/acme/rocket").status_code == 404
    assert anon.get("/api/v1/repos").status_code == 401


def test_live_stream_filter(seeded: Database) -> None:
    from datetime import UTC, datetime

    AT = datetime(2026, 1, 1, tzinfo=UTC)
    from ghtraffic.identity.accounts import find_user

    viewer = find_user(seeded, "viewer")
    admin = find_user(seeded, "admin")
    assert viewer is not None
    assert admin is not None
    with seeded.read_session() as session:
        seen = visible_ids(session, Principal(user=viewer))
    assert seen == {101, 102}
    assert allowed(Change(1, "traffic", 101, None, AT), Principal(user=viewer), seen)
    assert not allowed(Change(2, "traffic", 201, None, AT), Principal(user=viewer), seen)
    assert not allowed(Change(3, "run", None, None, AT), Principal(user=viewer), seen)
    assert allowed(Change(3, "run", None, None, AT), Principal(user=admin), {101, 102, 201})


def test_one_repository_check_agrees_with_the_listing(seeded: Database) -> None:
    from datetime import UTC, datetime

    from ghtraffic.domain import RepoFacts
    from ghtraffic.identity.accounts import add_user, find_user
    from ghtraffic.identity.grants import grant
    from ghtraffic.identity.permissions import can_see
    from ghtraffic.identity.principal import PUBLIC
    from ghtraffic.storage.archive import Archive

    # A repository renamed after a grant by its old name, a grant of one repository, an
    # owner grant and no grant at all.
    with Archive(seeded).repo_batch() as batch:
        batch.upsert_repo(RepoFacts(301, "globex", "old-name"), datetime(2026, 1, 1, tzinfo=UTC))
    add_user(seeded, "renamed", PASSWORD)
    grant(seeded, "renamed", "globex/old-name")
    with Archive(seeded).repo_batch() as batch:
        batch.upsert_repo(RepoFacts(301, "globex", "new-name"), datetime(2026, 2, 1, tzinfo=UTC))
    add_user(seeded, "single", PASSWORD)
    grant(seeded, "single", "acme/rocket")
    add_user(seeded, "nobody", PASSWORD)
    set_public(seeded, "acme/rocket", True)
    principals = [PUBLIC, Principal()]
    for name in ("admin", "viewer", "renamed", "single", "nobody"):
        user = find_user(seeded, name)
        assert user is not None
        principals.append(Principal(user=user))
    with seeded.read_session() as session:
        every = visible_ids(session, principals[2])
        assert 301 in every
        for principal in principals:
            listed = visible_ids(session, principal)
            for repo_id in every | {999_999}:
                assert can_see(session, principal, repo_id) == (repo_id in listed), (
                    principal.user.name if principal.user else principal,
                    repo_id,
                )
