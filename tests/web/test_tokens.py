"""API tokens read only unless an admin minted them to write, and one user's token is not
another's to revoke."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from ghtraffic.cli.users import user_group
from ghtraffic.identity.accounts import find_user, list_users
from ghtraffic.identity.grants import all_grants
from ghtraffic.identity.tokens import create_token, list_tokens
from ghtraffic.storage.database import Database
from ghtraffic.web.api.openapi import document
from ghtraffic.web.auth import READ_ONLY
from tests.web.conftest import csrf_from

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _token(db: Database, name: str, *, write: bool = False) -> dict[str, str]:
    user = find_user(db, name)
    assert user is not None
    token, _ = create_token(db, user.id, "script", write=write)
    return {"Authorization": f"Bearer {token}"}


def _paths(app: Starlette) -> list[str]:
    """Every route's path, its parameters filled in."""
    paths = []
    for route in app.routes:
        if isinstance(route, Route):
            paths.append(re.sub(r"\{[^}]+\}", "1", route.path))
    return sorted(set(paths))


def _state(db: Database) -> tuple[object, ...]:
    users = list_users(db)
    return (
        [(u.name, u.role) for u in users],
        all_grants(db),
        [[(t.name, t.revoked_at) for t in list_tokens(db, u.id)] for u in users],
    )


@pytest.mark.parametrize("name", ["viewer", "admin"])
def test_a_read_only_token_is_refused_on_every_write_route(
    seeded: Database, app: Starlette, anon: TestClient, name: str
) -> None:
    headers = _token(seeded, name)
    before = _state(seeded)
    paths = _paths(app)
    assert {"/account/tokens", "/admin/grants", "/admin/users", "/login"} <= set(paths)
    for path in paths:
        for method in WRITE_METHODS:
            response = anon.request(
                method, path, headers=headers, data={"name": "x", "target": "globex"}
            )
            assert response.status_code == 403, (method, path, response.text)
            assert response.json() == {"error": READ_ONLY}
    assert _state(seeded) == before, "nothing changed"
    assert anon.get("/api/v1/repos", headers=headers).status_code == 200, "it still reads"


def test_a_token_an_admin_minted_to_write_may_write(seeded: Database, anon: TestClient) -> None:
    headers = _token(seeded, "admin", write=True)
    granted = anon.post(
        "/admin/grants", headers=headers, data={"name": "viewer", "target": "globex"}
    )
    assert granted.status_code == 303
    viewer = find_user(seeded, "viewer")
    assert viewer is not None
    assert all_grants(seeded)[viewer.id] == ["acme", "globex"]


def test_a_viewer_token_that_writes_still_cannot_mint_one_that_writes(
    seeded: Database, anon: TestClient
) -> None:
    headers = _token(seeded, "viewer", write=True)
    refused = anon.post("/account/tokens", headers=headers, data={"name": "more", "write": "1"})
    assert refused.status_code == 403
    made = anon.post("/account/tokens", headers=headers, data={"name": "reader"})
    assert made.status_code == 200
    viewer = find_user(seeded, "viewer")
    assert viewer is not None
    assert [(t.name, t.can_write) for t in list_tokens(seeded, viewer.id)] == [
        ("script", True),
        ("reader", False),
    ]
    assert anon.post("/admin/grants", headers=headers, data={}).status_code == 403


def test_only_an_admin_sees_the_write_box_and_may_tick_it(
    seeded: Database, admin: TestClient, viewer: TestClient
) -> None:
    assert 'name="write"' not in viewer.get("/account").text
    page = admin.get("/account")
    assert 'name="write"' in page.text
    made = admin.post(
        "/account/tokens", data={"name": "deploy", "write": "1", "csrf_token": csrf_from(page.text)}
    )
    assert made.status_code == 200
    assert "read and write" in made.text
    page = viewer.get("/account")
    refused = viewer.post(
        "/account/tokens", data={"name": "sneaky", "write": "1", "csrf_token": csrf_from(page.text)}
    )
    assert refused.status_code == 403
    user = find_user(seeded, "viewer")
    assert user is not None
    assert list_tokens(seeded, user.id) == []


def test_revoking_another_users_token_answers_404(
    seeded: Database, viewer: TestClient, anon: TestClient
) -> None:
    admin = find_user(seeded, "admin")
    assert admin is not None
    token, info = create_token(seeded, admin.id, "admin's")
    page = viewer.get("/account")
    response = viewer.post(
        f"/account/tokens/{info.id}/revoke", data={"csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 404
    assert "revoked" not in response.text.lower()
    assert list_tokens(seeded, admin.id)[0].revoked_at is None
    assert (
        anon.get("/api/v1/repos", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )


def test_the_command_line_mints_read_only_tokens_unless_told_to_write(
    seeded: Database, tmp_path: Path
) -> None:
    url = seeded.url.render_as_string(hide_password=False)
    for extra in ([], ["--write"], ["--metrics"]):
        result = CliRunner().invoke(
            user_group, ["token", "viewer", "--label", "cron", *extra, "--database-url", url]
        )
        assert result.exit_code == 0, result.output
        assert result.output.strip().startswith("ght_")
    viewer = find_user(seeded, "viewer")
    assert viewer is not None
    scopes = [(t.can_write, t.metrics_only) for t in list_tokens(seeded, viewer.id)]
    assert scopes == [(False, False), (True, False), (False, True)]
    both = CliRunner().invoke(
        user_group, ["token", "viewer", "--write", "--metrics", "--database-url", url]
    )
    assert both.exit_code != 0
    assert "cannot also write" in both.output


def test_the_openapi_document_says_tokens_read_only() -> None:
    description = document()["info"]["description"]
    assert "Tokens read only" in description
    assert "--write" in description
