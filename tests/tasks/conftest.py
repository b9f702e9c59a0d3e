"""PostgreSQL archives of their own (a schema each) and the environment of the CLI."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.engine import Engine

from tests.conftest import POSTGRES_URL, _postgres_admin


@pytest.fixture
def pg_url() -> Iterator[str]:
    admin = _postgres_admin()
    if not isinstance(admin, Engine):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(admin)
        pytest.skip(admin)
    schema = f"test_{uuid.uuid4().hex}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def cli_env(api_url: str, database_url: str, home: Path, owners: tuple[str, ...]) -> dict[str, str]:
    """The environment of a ``ghtraffic`` subprocess on the fake GitHub."""
    config = home / "ghtraffic.toml"
    config.write_text("[collect]\nowners = [" + ", ".join(f'"{o}"' for o in owners) + "]\n")
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("GHTRAFFIC_", "GITHUB_", "GH_"))
    }
    return {
        **base,
        "GITHUB_TOKEN": "demo-token",
        "GHTRAFFIC_HOME": str(home),
        "GHTRAFFIC_API_URL": api_url,
        "GHTRAFFIC_DATABASE_URL": database_url,
        "GHTRAFFIC_CONFIG": str(config),
    }
