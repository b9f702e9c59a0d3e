"""The collection page lists the repositories no collection has read, with the reason."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.testclient import TestClient

from ghtraffic.config import Settings
from ghtraffic.domain import RepoOutcome
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.web.app import create_app
from tests.web.conftest import CONFIG, login

AT = datetime(2026, 3, 2, 6, tzinfo=UTC)


def test_never_archived_section(seeded: Database, archive: Archive) -> None:
    run_id = archive.start_run("https://api.github.com", AT)
    archive.record_result(run_id, RepoOutcome("acme/rocket", "ok", repo_id=1, finished_at=AT))
    reason = "GitHub answered 404 Not Found: check the name and the token access"
    archive.record_result(run_id, RepoOutcome("acme/gone", "failed", reason=reason))
    settings = Settings(repos=("acme/rocket", "acme/gone", "acme/later"))
    with TestClient(create_app(seeded, settings, config=CONFIG), follow_redirects=False) as client:
        page = login(client, "admin").get("/collection")
    assert page.status_code == 200
    section = page.text.split('id="never-archived"')[1].split("</section>")[0]
    assert "acme/gone" in section
    assert reason in section
    assert "acme/later" in section
    assert "no collection has tried it yet" in section
    assert "acme/rocket" not in section
