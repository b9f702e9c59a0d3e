"""PostgreSQL archives of their own (a schema each)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import _postgres_admin, postgres_schema_url


@pytest.fixture
def pg_url() -> Iterator[str]:
    admin = _postgres_admin()
    if not isinstance(admin, Engine):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(admin)
        pytest.skip(admin)
    with postgres_schema_url() as url:
        yield url
