"""The text form round-trips every export and merges by the archive's rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from ghtraffic.action.dump import dump
from ghtraffic.action.load import load
from ghtraffic.action.textform import TextFormError
from ghtraffic.domain import DayValues, PopularPath, Referrer, RepoFacts, WeekValues, WindowTotals
from ghtraffic.history.identity import resolve
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database, sqlite_url
from ghtraffic.storage.tables import RepoSnapshot
from ghtraffic.storage.tables_processing import TrafficEvent

from ..cli.helpers import error_line, run_cli
from .helpers import exported

AT = datetime(2026, 3, 2, 9, 15, 30, 123456, tzinfo=UTC)
DAY = date(2026, 3, 1)
ODD = RepoFacts(9, "me", "Ünïcode.repo", private=True, description='a, "quoted"\nline')


def _fill(archive: Archive) -> None:
    with archive.repo_batch() as batch:
        batch.upsert_repo(ODD, AT, requested_name="me/Former")
        batch.merge_daily(9, [DayValues(DAY, 5, None, 0, None), DayValues(DAY - timedelta(1))], AT)
        batch.merge_weekly(9, [WeekValues(date(2026, 2, 23), 40, 12, 3, 2)], AT)
        batch.record_window(9, WindowTotals(DAY, DAY - timedelta(13), DAY, 50, None, 3, 2), AT)
        batch.replace_referrers(9, DAY, [Referrer("t.co", 3, 2), Referrer("Google", 3, 1)], AT)
        batch.replace_paths(9, DAY, [PopularPath("/me/a,b", 'Title, "q"', 2, 1)], AT)
        batch.replace_referrers(9, DAY - timedelta(1), [], AT)  # an empty list is kept
        batch.record_repo_snapshot(9, DAY, replace(ODD, watchers=4), AT)
        batch.mark_success(9, AT)
        batch.session.add(
            TrafficEvent(
                repo_id=9, day=DAY, metric="views", value=5, baseline=0.1, mad=1 / 3,
                threshold=2.000000001, referrers=[{"referrer": "t.co", "growth": 2}],
                created_at=AT, updated_at=AT,
            )
        )  # fmt: skip
    with archive.repo_batch() as batch:  # known by name only, as an import leaves it
        imported = resolve(batch, "someone/Imported", AT).repo_id
        batch.merge_daily(imported, [DayValues(DAY, 1, 1, None, None)], AT)


def _sqlite(tmp_path: Path, name: str) -> Archive:
    db = Database(sqlite_url(tmp_path / f"{name}.sqlite"))
    db.upgrade()
    return Archive(db)


def _files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_every_export_round_trips_and_the_text_is_stable(archive: Archive, tmp_path: Path) -> None:
    _fill(archive)
    text = tmp_path / "text"
    dump(archive, text)
    fresh = _sqlite(tmp_path, "fresh")
    report = load(fresh, text, AT)
    assert report.repos == 2
    assert exported(fresh) == exported(archive)
    again = tmp_path / "again"
    dump(fresh, again)
    assert _files(again) == _files(text)
    assert "me/Ünïcode.repo/repo.json" in "".join(_files(text))


def test_loading_merges_by_the_maximum_and_the_newest(archive: Archive, tmp_path: Path) -> None:
    _fill(archive)
    text = tmp_path / "text"
    dump(archive, text)
    other = _sqlite(tmp_path, "other")
    later = AT + timedelta(hours=1)
    with other.repo_batch() as batch:
        batch.upsert_repo(RepoFacts(9, "me", "renamed"), later)
        batch.upsert_repo(RepoFacts(77, "someone", "Imported"), later)  # collected since
        batch.merge_daily(9, [DayValues(DAY, 3, 4, 1, None)], later)
        batch.replace_referrers(9, DAY, [Referrer("bing", 1, 1)], later)
        batch.record_window(9, WindowTotals(DAY, DAY, DAY, 60), later)
        batch.record_window(9, WindowTotals(DAY - timedelta(1), DAY, DAY, 1), later)
        batch.record_repo_snapshot(9, DAY, RepoFacts(9, "me", "renamed", stars=99), later)
        batch.session.add(
            TrafficEvent(
                repo_id=9, day=DAY, metric="views", value=7, baseline=0, mad=0, threshold=0,
                created_at=later, updated_at=later,
            )
        )  # fmt: skip
    load(other, text, later)
    rows = exported(other)
    assert [r[4] for r in rows["windows"] if r[0] == "me/renamed"] == [1, 60]  # the newer
    assert [r[3] for r in rows["events"]] == [7]  # (repo, day, metric, value, ...)
    with other.db.read_session() as session:
        snapshot = session.get(RepoSnapshot, (9, DAY))
        assert snapshot is not None
        assert (snapshot.stars, snapshot.watchers) == (99, 4)  # the newer, the known watchers
    assert [r[1:] for r in rows["daily"] if r[0] == "me/renamed" and r[1] == DAY] == [
        (DAY, 5, 4, 1, None)
    ]
    assert [r[3] for r in rows["referrers"] if r[1] == DAY] == ["bing"]  # the newer list
    assert {r[:2] for r in rows["repos"]} == {("me/renamed", 9), ("someone/Imported", 77)}
    assert [r[:3] for r in rows["daily"] if r[0] == "someone/Imported"] == [
        ("someone/Imported", DAY, 1)
    ]  # the imported history adopted by the collected repository
    before = exported(other)
    load(other, text, later + timedelta(hours=1))
    assert exported(other) == before  # loading again changes nothing


def test_a_damaged_file_is_named_in_one_line(tmp_path: Path) -> None:
    source = _sqlite(tmp_path, "source")
    _fill(source)
    text = tmp_path / "text"
    dump(source, text)
    daily = next(text.rglob("daily.csv"))
    daily.write_text(daily.read_text() + "2026-03-02,many,,,\n")
    with pytest.raises(TextFormError, match=r"daily\.csv:4: invalid literal"):
        load(_sqlite(tmp_path, "target"), text, AT)


def test_load_refuses_a_folder_without_a_text_form(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "a.sqlite")
    result = run_cli(
        ["action", "load", str(tmp_path), "--database-url", url], env=_env(tmp_path), cwd=tmp_path
    )
    assert "holds no ghtraffic text form" in error_line(result, 1)


def _env(home: Path) -> dict[str, str]:
    from ..cli.helpers import clean_env

    return clean_env(home)


def test_a_renamed_repository_moves_its_folder_and_keeps_its_days_read(tmp_path: Path) -> None:
    archive = _sqlite(tmp_path, "archive")
    _fill(archive)
    text = tmp_path / "text"
    dump(archive, text)
    later = AT + timedelta(days=1)
    with archive.repo_batch() as batch:
        batch.upsert_repo(replace(ODD, name="renamed"), later)
        batch.mark_success(9, later)
    report = dump(archive, text)
    assert not (text / "repos" / "me" / "Ünïcode.repo").exists()
    seen = (text / "repos" / "me" / "renamed" / "seen.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in seen[1:]] == [str(AT.date()), str(later.date())]
    moved = {path.name for path in (text / "repos" / "me" / "renamed").iterdir()}
    assert {path.name for path in report.removed} == moved
