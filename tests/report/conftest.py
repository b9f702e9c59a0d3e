"""A small archive collected from the fake GitHub (with a gap that loses days), and its
report written once per back end for the tests of this folder."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select, update

from ghtraffic.collect.run import run_collection
from ghtraffic.config import Settings
from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import running
from ghtraffic.github.retry import RetryPolicy
from ghtraffic.report import ReportData, load_report, write_site
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.tables import PathItem, Repo
from tests.conftest import DbFactory

START = datetime(2026, 1, 8, 22, 0, tzinfo=UTC)
OWNERS = ("octo-demo", "acme-labs", "globex")
FAST = RetryPolicy(attempts=8, initial=0.01, maximum=0.05, secondary_initial=0.01)
#: Days between collections: the 20-day gap loses days GitHub no longer serves.
STEPS = (1, 1, 20, 1, 1)
XSS = "<img src=x onerror=alert('xss')><script>alert('boom')</script>"


@dataclass(frozen=True)
class Seeded:
    archive: Archive
    out: Path
    data: ReportData
    pages: list[Path]
    #: The repository whose description and newest path titles carry ``XSS``.
    hostile: str


def _collect(api_url: str, archive: Archive) -> None:
    settings = Settings(
        api_url=api_url,
        token=SecretStr("demo-token"),
        owners=OWNERS,
        concurrency=4,
        requests_per_minute=0,
        cadence="daily",  # every repository at every step, as the gap's arithmetic assumes
    )
    summary = asyncio.run(run_collection(settings, archive=archive, retry=FAST))
    assert summary.exit_code == 0, summary.line()


def _plant_hostile_text(archive: Archive) -> str:
    """A repository description and popular-path titles as an attacker could set them."""
    with archive.db.session() as session:
        repo = session.scalars(select(Repo).order_by(Repo.full_name)).first()
        assert repo is not None
        session.execute(update(Repo).where(Repo.id == repo.id).values(description=XSS))
        session.execute(update(PathItem).where(PathItem.repo_id == repo.id).values(title=XSS))
        return repo.full_name


@pytest.fixture(scope="module")
def seeded(make_db: DbFactory, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    with make_db() as db, running(FakeGitHubConfig(repos=4, seed=5, start=START)) as fake:
        archive = Archive(db)
        for days in STEPS:
            _collect(fake.api_url, archive)
            fake.advance_days(days)
        hostile = _plant_hostile_text(archive)
        out = tmp_path_factory.mktemp("report")
        data = load_report(archive)
        pages = write_site(data, out)
        yield Seeded(archive, out, data, pages, hostile)
