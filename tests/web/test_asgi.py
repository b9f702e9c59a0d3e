"""The ASGI factory that ``uvicorn --factory --workers N`` runs: the configured archive,
migrated, served with the same pages and the same refusal of anonymous readers."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from ghtraffic.web.asgi import from_env


def test_the_factory_serves_the_configured_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("GHTRAFFIC_CONFIG", "GITHUB_TOKEN", "GH_TOKEN", "GHTRAFFIC_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GHTRAFFIC_HOME", str(tmp_path))
    monkeypatch.setenv("GHTRAFFIC_DATABASE_URL", f"sqlite:///{tmp_path / 'archive.sqlite'}")
    with TestClient(from_env(), base_url="http://127.0.0.1", follow_redirects=False) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/v1/repos").status_code == 401
        assert client.get("/").headers["location"].startswith("/login")
    assert (tmp_path / "archive.sqlite").exists()
