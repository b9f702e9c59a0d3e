"""Status after importing real archives: the runs an archive records keep their windows.

A day inside a recorded run's window is never lost: GitHub's omitted days there are
observed zeros, exported and reported as such. Gaps of merged files that do not say
when their runs were are *unexplained*, never lost. Status, export and report agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from ghtraffic.readmodels import series
from ghtraffic.report.data import load_report
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.records import RepoStatus
from ghtraffic.storage.tables import TrafficWindow

from .helpers import REALDATA, run, stored

HELD_OUT = REALDATA.parent / "realdata-more"
AS_OF = datetime(2027, 1, 1, tzinfo=UTC)

#: Every real archive kept for the tests: (path, the arguments its import needs).
ARCHIVES: list[tuple[Path, list[str]]] = [
    (HELD_OUT / "nchah_paesanilab_github-traffic-stats", ["--owner", "paesanilab"]),
    (HELD_OUT / "ghrs_TouK_nussknacker-repo-stats", []),
    (HELD_OUT / "ghrs_MFlowCode_stats", ["--repo", "MFlowCode/MFC"]),
    (HELD_OUT / "sangonzal_ansible-middleware_keycloak", ["--repo", "ansible-middleware/keycloak"]),
    (REALDATA / "ghrs_SeisSol_SeisSol", ["--repo", "SeisSol/SeisSol"]),
    (REALDATA / "ghrs_jgehrcke_ghrs-test", []),
    (REALDATA / "text_pancsta_asyncmachine-go", ["--repo", "pancsta/asyncmachine-go"]),
    (REALDATA / "sangonzal_icesat2py_icepyx", ["--repo", "icesat2py/icepyx"]),
    (REALDATA / "nchah_jpmorgan-payments_embedded-finance", ["--repo", "jp/embedded"]),
    (REALDATA / "custom_NCAR_i-wrf", ["--repo", "NCAR/i-wrf"]),
]


def _import(archive: Archive, path: Path, args: list[str]) -> dict[str, RepoStatus]:
    url = archive.db.url.render_as_string(hide_password=False)
    run(["import", "auto", str(path), *args], url)
    return {repo.full_name.lower(): repo for repo in archive.status(AS_OF).repos}


def _spans(archive: Archive) -> dict[str, list[tuple[date, date]]]:
    """Every recorded window span, by lower-cased repository name."""
    names = {repo.repo_id: repo.full_name.lower() for repo in archive.status(AS_OF).repos}
    found: dict[str, list[tuple[date, date]]] = {}
    with archive.db.read_session() as session:
        query = select(TrafficWindow.repo_id, TrafficWindow.first_day, TrafficWindow.last_day)
        for repo_id, first, last in session.execute(query):
            found.setdefault(names[repo_id], []).append((first, last))
    return found


def _days(first: date, last: date) -> Iterator[date]:
    while first <= last:
        yield first
        first += timedelta(days=1)


@pytest.mark.parametrize(("path", "args"), ARCHIVES, ids=[path.name for path, _ in ARCHIVES])
def test_no_lost_day_inside_a_recorded_run_and_export_agrees(
    path: Path, args: list[str], archive: Archive
) -> None:
    statuses = _import(archive, path, args)
    days = stored(archive)
    report = load_report(archive, now=AS_OF)
    pages = {page.repo.full_name.lower(): page for page in report.pages}
    for name, spans in _spans(archive).items():
        inside = {day for first, last in spans for day in _days(first, last)}
        status = statuses[name]
        assert not inside & set(status.lost_days), name
        assert not inside & set(status.unexplained_days), name
        # Every day of a run's window is exported: observed, or an observed zero.
        assert inside <= set(days[name]), sorted(inside - set(days[name]))[:5]
    for name, status in statuses.items():
        # Without a recorded run between two windows, nothing counts as lost here.
        assert status.lost_days == ()
        assert not status.at_risk  # every day here left GitHub's window long ago
        assert pages[name].lost_count == status.lost_count
        gaps = set(status.unexplained_days)
        assert not gaps & set(days[name])


def test_github_traffic_stats_runs_cover_every_day_between_them(archive: Archive) -> None:
    path, args = ARCHIVES[0]
    (status,) = _import(archive, path, args).values()
    assert (status.lost_count, status.unexplained_count) == (0, 0)
    days = stored(archive)["paesanilab/mbpol_openmm_plugin"]
    # Runs at 00:00 Pacific time: the first run's whole days start with 2018-07-30, the
    # last run returned 2018-09-23 (its today, partial).
    assert (min(days), max(days)) == (date(2018, 7, 30), date(2018, 9, 23))
    assert len(days) == (max(days) - min(days)).days + 1
    # 2018-08-25 is in no file: the run of 2018-08-26 saw it whole, without traffic,
    # though no run of 2018-09-02 followed.
    assert days[date(2018, 8, 25)] == dict.fromkeys(days[date(2018, 8, 25)], 0)
    # Clones: the runs read them (the files are empty): zero on every whole day.
    assert days[date(2018, 9, 1)]["clones"] == 0


def test_github_repo_stats_fragments_and_lists_are_runs(archive: Archive) -> None:
    path, args = ARCHIVES[2]
    (status,) = _import(archive, path, args).values()
    assert (status.lost_count, status.unexplained_count) == (0, 0)
    spans = _spans(archive)["mflowcode/mfc"]
    assert len(spans) == 14  # one window per UTC day of the runs 2025-08-14..08-27
    with archive.db.read_session() as session:  # spans only: no GitHub totals to show
        assert series.newest_windows(session, {status.repo_id}) == {}
    days = stored(archive)["mflowcode/mfc"]
    # GitHub's clones lagged in mid-August 2025: the run of 08-20 saw none for 08-15
    # (an observed zero then), later runs and the aggregate raised it; never lowered.
    assert days[date(2025, 8, 15)]["clones"] == 60


def test_merged_files_leave_their_gaps_unexplained(archive: Archive) -> None:
    touk = _import(archive, *ARCHIVES[1])
    card = touk["touk/nussknacker-card-example"]
    assert card.lost_count == 0
    assert card.unexplained_count == 590  # quiet days, or no run: the aggregate cannot say
    keycloak = _import(archive, *ARCHIVES[3])["ansible-middleware/keycloak"]
    assert keycloak.lost_count == 0
    stop = set(_days(date(2025, 2, 17), date(2025, 3, 17)))
    assert stop <= set(keycloak.unexplained_days)  # the workflow stopped: no row at all


def test_imported_star_and_fork_history_shows(archive: Archive) -> None:
    stars = REALDATA / "ghrs_SeisSol_SeisSol" / "ghrs-data"
    url = archive.db.url.render_as_string(hide_password=False)
    run(["import", "auto", str(stars), "--repo", "SeisSol/SeisSol"], url)
    repo = archive.find_repo("SeisSol/SeisSol")
    assert repo is not None
    with archive.db.read_session() as session:
        points = series.snapshots(session, repo.id)
        now = series.stars_on(session, {repo.id}, date(2026, 9, 1))
        before = series.stars_on(session, {repo.id}, date(2015, 7, 1))
    newest = points[-1]
    assert (newest.day, newest.stars, newest.forks) == (date(2026, 8, 21), 346, 132)
    assert now == {repo.id: 346}
    assert before == {repo.id: 1}  # the first stargazer, 2015-01-30
    assert points[0].forks == 0  # forks count from the first fork event, 2015-07-27
    page = load_report(archive, now=AS_OF).pages[0]
    assert (page.stars, page.forks) == (346, 132)
    assert page.chart["stars"]["series"]["stars"][-1] == 346
