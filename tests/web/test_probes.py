"""The probes of load balancers and Kubernetes: `/healthz` answers while the process runs
(whatever the database does), `/readyz` only when the archive answers at the migration
this version needs, and says what to run when it does not."""

from __future__ import annotations

from sqlalchemy import text
from starlette.testclient import TestClient

from ghtraffic.config import Settings
from ghtraffic.storage.database import Database
from ghtraffic.storage.migrate import head_revision
from ghtraffic.web.app import create_app
from tests.web.conftest import CONFIG


def test_ready_at_the_newest_migration(db: Database) -> None:
    with TestClient(create_app(db, Settings(), config=CONFIG)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "migration": head_revision()}


def test_not_ready_while_the_archive_waits_for_its_migrations(db: Database) -> None:
    with db.session() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    with TestClient(create_app(db, Settings(), config=CONFIG)) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "not ready",
        "reason": f"the archive is at migration 0001 and this version needs {head_revision()}: "
        "run `ghtraffic db upgrade` with the newest version",
    }


def test_alive_but_not_ready_without_its_database() -> None:
    # A PostgreSQL server that is not there: nothing listens on port 1.
    db = Database("postgresql+psycopg://ghtraffic@127.0.0.1:1/ghtraffic?connect_timeout=2")
    try:
        with TestClient(create_app(db, Settings(), config=CONFIG)) as client:
            assert client.get("/healthz").status_code == 200
            ready = client.get("/readyz")
    finally:
        db.dispose()
    assert ready.status_code == 503
    assert ready.json() == {"status": "database unavailable"}
