"""The JSON API: tokens, cursor pagination, the OpenAPI document."""

from __future__ import annotations

from datetime import date
from typing import Any

from openapi_spec_validator import validate
from starlette.testclient import TestClient

from ghtraffic.identity.accounts import find_user
from ghtraffic.identity.tokens import create_token, revoke_token
from ghtraffic.storage.database import Database
from ghtraffic.web.api.openapi import document
from tests.web.conftest import csrf_from


def test_bearer_tokens_work_until_revoked(seeded: Database, anon: TestClient) -> None:
    viewer = find_user(seeded, "viewer")
    assert viewer is not None
    token, info = create_token(seeded, viewer.id, "script")
    headers = {"Authorization": f"Bearer {token}"}
    listed = anon.get("/api/v1/repos", headers=headers)
    assert listed.status_code == 200
    assert len(listed.json()["items"]) == 2
    assert anon.get("/api/v1/repos/globex/secret-plan", headers=headers).status_code == 404
    assert revoke_token(seeded, viewer.id, info.id)
    assert anon.get("/api/v1/repos", headers=headers).status_code == 401
    assert (
        anon.get("/api/v1/repos", headers={"Authorization": "Bearer ght_nope"}).status_code == 401
    )


def test_tokens_are_created_once_in_the_ui(viewer: TestClient) -> None:
    page = viewer.get("/account")
    created = viewer.post(
        "/account/tokens", data={"name": "cron", "csrf_token": csrf_from(page.text)}
    )
    assert created.status_code == 200
    token = created.text.split('id="new-token">')[1].split("<")[0]
    assert token.startswith("ght_")
    assert token not in viewer.get("/account").text
    fresh = TestClient(viewer.app)
    assert (
        fresh.get("/api/v1/repos", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )


def test_cursor_pagination_walks_every_day(admin: TestClient) -> None:
    seen: list[str] = []
    url = "/api/v1/repos/acme/rocket/daily?limit=7"
    cursor = None
    while True:
        body = admin.get(url + (f"&cursor={cursor}" if cursor else "")).json()
        seen += [item["date"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 60
    assert seen == sorted(seen)
    assert len(set(seen)) == 60
    assert admin.get(url + "&cursor=%%%").status_code == 400
    assert admin.get("/api/v1/repos/acme/rocket/daily?since=yesterday").status_code == 400


def test_series_and_lists(admin: TestClient) -> None:
    repo = admin.get("/api/v1/repos/acme/rocket").json()
    assert repo["last_14_days"]["views_unique"] == 11
    weekly = admin.get("/api/v1/repos/acme/rocket/weekly").json()["items"]
    assert len(weekly) == 6
    monthly = admin.get("/api/v1/repos/acme/rocket/monthly").json()["items"]
    assert [m["date"][:7] for m in monthly] == ["2026-01", "2026-02", "2026-03"]
    referrers = admin.get("/api/v1/repos/acme/rocket/referrers").json()
    assert referrers["date"] == date(2026, 3, 1).isoformat()
    assert referrers["items"][0]["referrer"] == "github.com"
    runs = admin.get("/api/v1/runs").json()["items"]
    assert runs[0]["status"] == "partial"
    detail = admin.get(f"/api/v1/runs/{runs[0]['id']}").json()
    failed = [r["reason"] for r in detail["results"] if r["outcome"] == "failed"]
    assert failed == ["403 from GitHub"]


def test_openapi_document_is_valid_and_served(admin: TestClient) -> None:
    validate(document())
    served = admin.get("/api/openapi.json").json()
    assert set(served["paths"]) >= {"/api/v1/repos", "/api/v1/repos/{owner}/{name}/daily"}


def test_schemathesis_against_the_document(seeded: Database, app: object) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    admin = find_user(seeded, "admin")
    assert admin is not None
    token, _ = create_token(seeded, admin.id, "schemathesis")
    schema = schemathesis.openapi.from_dict(document())
    schema.app = app
    headers = {"Authorization": f"Bearer {token}"}

    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) == 12
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            # a random cursor is schema-valid text but no cursor: 400 is right for it
            case.call_and_validate(
                headers=headers, excluded_checks=[schemathesis.checks.positive_data_acceptance]
            )

        check()
