"""Imports as a user sees them: popular lists, round trips, the max rule, ids, errors."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq  # type: ignore[import-untyped]
from sqlalchemy import func, select

from ghtraffic.domain import DayValues, RepoFacts
from ghtraffic.history.identity import adopt_imported, synthetic_id
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.tables import PopularSnapshot, ReferrerItem, Repo
from ghtraffic.storage.tables_history import DownloadCount, RepoCount
from tests.processing.helpers import processor
from tests.processing.test_rollups import assert_consistent

from .helpers import REALDATA, run, stored

SEISSOL = REALDATA / "ghrs_SeisSol_SeisSol"
SNAPSHOTS = SEISSOL / "ghrs-data" / "snapshots"
PANCSTA_FRAGMENT = (
    REALDATA / "text_pancsta_asyncmachine-go/2025-11-06_230949_views_clones_series_fragment.csv"
)
HEADER = "repo,date,views,views_unique,clones,clones_unique"
AT = datetime(2026, 9, 1, tzinfo=UTC)


def _url(archive: Archive) -> str:
    return archive.db.url.render_as_string(hide_password=False)


def _newest_per_day(kind: str) -> dict[date, Path]:
    newest: dict[date, Path] = {}
    for path in sorted(SNAPSHOTS.glob(f"*_top_{kind}_snapshot.csv")):
        newest[date.fromisoformat(path.name[:10])] = path  # sorted: the last run wins
    return newest


def test_seissol_snapshots_import_as_referrer_and_path_history(archive: Archive) -> None:
    run(["import", "auto", str(SNAPSHOTS), "--repo", "SeisSol/SeisSol"], _url(archive))
    for kind in ("referrers", "paths"):
        newest = _newest_per_day(kind)
        result = run(
            ["export", "--kind", kind, "--format", "csv", "--repo", "seissol/seissol"],
            _url(archive),
        )
        exported: dict[str, list[list[str]]] = {}
        for row in csv.DictReader(io.StringIO(result.output)):
            label = row["referrer"] if kind == "referrers" else row["path"]
            exported.setdefault(row["date"], []).append([label, row["count"], row["uniques"]])
        expected = {}
        for day, path in newest.items():
            with path.open(newline="") as handle:
                rows = list(csv.reader(handle))[1:]
            expected[day.isoformat()] = rows
        # Days whose snapshot file lists nothing have a header but no items.
        assert {d: r for d, r in exported.items()} == {d: r for d, r in expected.items() if r}
        with archive.db.read_session() as session:
            headers = session.scalar(
                select(func.count())
                .select_from(PopularSnapshot)
                .where(PopularSnapshot.kind == kind)
            )
        assert headers == len(newest)


def test_legacy_referrer_header_imports(archive: Archive) -> None:
    path = (
        REALDATA / "ghrs_jgehrcke_ghrs-test/jgehrcke/covid-19-germany-gae/ghrs-data/snapshots"
        "/2021-01-02_140959_top_referrers_snapshot.csv"
    )
    run(["import", "ghrs", str(path), "--repo", "jgehrcke/covid-19-germany-gae"], _url(archive))
    with archive.db.read_session() as session:
        first = session.scalars(select(ReferrerItem).order_by(ReferrerItem.rank)).first()
    assert first is not None
    assert (first.day, first.referrer, first.count, first.uniques) == (
        date(2021, 1, 2), "github.com", 88, 43,
    )  # fmt: skip


def test_export_import_export_round_trip(archive: Archive, make_db: object) -> None:
    url = _url(archive)
    run(["import", "auto", str(REALDATA / "ghrs_jgehrcke_ghrs-test")], url)
    run(
        ["import", "auto", str(PANCSTA_FRAGMENT), "--repo", "pancsta/asyncmachine-go"],
        url,
    )
    first = run(["export", "--format", "csv"], url).output
    first_json = run(["export", "--format", "json"], url).output
    assert first.splitlines()[0] == HEADER
    # The fragment's empty cell lies in the whole days of its run's window (taken
    # 2025-11-06): GitHub left out a day without views, an observed zero.
    assert "pancsta/asyncmachine-go,2025-11-03,0,0,7,7" in first.splitlines()
    with make_db() as other:  # type: ignore[operator]
        other_url = other.url.render_as_string(hide_password=False)
        source = Path(other.url.database or "x").parent if other.is_sqlite else None
        target = (source or Path("/tmp")) / "export.csv"
        target.write_text(first)
        run(["import", "auto", str(target)], other_url)
        assert run(["export", "--format", "csv"], other_url).output == first
        json_file = target.with_suffix(".json")
        json_file.write_text(first_json)
        other_archive = Archive(other)
        run(["import", "generic", str(json_file)], other_url)
        assert run(["export", "--format", "json"], other_url).output == first_json
        assert stored(other_archive) == stored(archive)


def test_import_never_lowers_and_reports_every_row(archive: Archive, tmp_path: Path) -> None:
    with archive.repo_batch() as batch:
        batch.upsert_repo(RepoFacts(42, "me", "proj"), AT)
        batch.merge_daily(42, [DayValues(date(2026, 1, 1), 10, 5, 3, 1)], AT)
    source = tmp_path / "in.csv"
    source.write_text(
        f"{HEADER}\n"
        "me/proj,2026-01-01,7,6,,0\n"  # views lower (kept 10), uniques raised, clones absent
        "me/proj,2026-01-02,0,0,,\n"  # an explicit zero day; clones not observed
        "me/proj,2026-01-03,-1,0,0,0\n"  # rejected: negative
        "me/proj,2026-13-01,1,1,1,1\n"  # rejected: no such date
        "me/proj,2026-01-04,1,1\n"  # rejected: too few cells
        "noowner,2026-01-05,1,1,1,1\n"  # rejected: not OWNER/NAME
    )
    result = run(["import", "auto", str(source)], _url(archive))
    assert result.output.splitlines()[0] == (
        "imported generic: 1 file, 6 rows read; days 1 added, 1 raised, 0 unchanged;"
        " 4 rows rejected"
    )
    assert f"rejected {source}:4: views is negative: -1" in result.output
    assert f"rejected {source}:5: date is not YYYY-MM-DD: '2026-13-01'" in result.output
    assert f"rejected {source}:6: 4 cells where the header has 6" in result.output
    assert f"rejected {source}:7: repository 'noowner' is not OWNER/NAME" in result.output
    assert stored(archive)["me/proj"] == {
        date(2026, 1, 1): {"views": 10, "views_unique": 6, "clones": 3, "clones_unique": 1},
        date(2026, 1, 2): {"views": 0, "views_unique": 0, "clones": None, "clones_unique": None},
    }
    again = run(["import", "auto", str(source), "--strict"], _url(archive), code=1)
    assert "days 0 added, 0 raised, 2 unchanged" in again.output


def test_synthetic_id_is_stable_and_adopted_by_a_collection(archive: Archive) -> None:
    url = _url(archive)
    path = SEISSOL / "ghrs-data" / "views_clones_aggregate.csv"
    run(["import", "auto", str(path), "--repo", "SeisSol/SeisSol"], url)
    imported = archive.find_repo("seissol/seissol")
    assert imported is not None
    assert imported.id == synthetic_id("SEISSOL/seissol") < 0
    before = stored(archive)["seissol/seissol"]
    # A collection later stores the repository under GitHub's id, with a higher value.
    day = max(before)
    higher = (before[day]["views"] or 0) + 100
    with archive.repo_batch() as batch:
        batch.upsert_repo(RepoFacts(4_567, "SeisSol", "SeisSol"), AT)
        batch.merge_daily(4_567, [DayValues(day, views=higher)], AT)
    proc = processor(archive.db)
    for repo_id in (imported.id, 4_567):
        proc.process_repo(repo_id, AT)
    with archive.db.session() as session:
        assert adopt_imported(session, AT) == [("SeisSol/SeisSol", imported.id, 4_567)]
    # The owner's and all-repository roll-ups count the history once, not twice.
    proc.process_repo(4_567, AT)
    assert_consistent(archive.db, [4_567], ["seissol"])
    with archive.db.read_session() as session:
        assert session.scalars(select(Repo.id)).all() == [4_567]
    after = stored(archive)["seissol/seissol"]
    assert after[day]["views"] == higher
    assert {d: v for d, v in after.items() if d != day} == {
        d: v for d, v in before.items() if d != day
    }
    # A later import of the same name writes into the collected repository.
    result = run(["import", "auto", str(path), "--repo", "seissol/SEISSOL"], url)
    assert "days 0 added, 0 raised, 808 unchanged" in result.output


def test_repo_is_required_when_the_format_does_not_record_it(archive: Archive) -> None:
    result = run(
        ["import", "auto", str(REALDATA / "sangonzal_debevv_nanoMODBUS")], _url(archive), code=2
    )
    assert result.output.strip().splitlines() == [
        f"error: {REALDATA / 'sangonzal_debevv_nanoMODBUS'} (repository-traffic-action) does not"
        " record its repository: give it with --repo OWNER/NAME"
    ]


def test_a_folder_of_several_formats_is_refused(archive: Archive) -> None:
    result = run(["import", "auto", str(REALDATA)], _url(archive), code=2)
    assert "holds files of several formats" in result.output


def test_counts_and_downloads_are_imported(archive: Archive) -> None:
    url = _url(archive)
    run(["import", "auto", str(REALDATA / "custom_NCAR_i-wrf"), "--repo", "NCAR/i-wrf"], url)
    run(
        ["import", "github-repo-stats", str(SEISSOL / "ghrs-data"), "--repo", "SeisSol/SeisSol"],
        url,
    )
    with archive.db.read_session() as session:
        pulls = session.scalar(
            select(DownloadCount.count).where(
                DownloadCount.name == "ncar/iwrf", DownloadCount.day == date(2026, 4, 3)
            )
        )
        stars = session.execute(
            select(RepoCount.day, RepoCount.value)
            .where(RepoCount.metric == "stars", RepoCount.source == "events")
            .order_by(RepoCount.day)
        ).first()
    assert pulls == 703
    assert stars is not None
    assert tuple(stars) == (date(2015, 1, 30), 1)


def test_export_kinds_and_parquet(archive: Archive, tmp_path: Path) -> None:
    url = _url(archive)
    run(["import", "auto", str(REALDATA / "text_HafidIdrissi_github-traffic-archive"),
         "--repo", "HafidIdrissi/github-traffic-archive"], url)  # fmt: skip
    daily_csv = run(["export"], url).output
    out = tmp_path / "daily.parquet"
    run(["export", "--format", "parquet", "--output", str(out)], url)
    table = pq.read_table(out).to_pylist()
    rows = list(csv.DictReader(io.StringIO(daily_csv)))
    assert len(table) == len(rows) == 15
    assert table[0] == {
        "repo": "HafidIdrissi/github-traffic-archive",
        "date": date(2026, 8, 10),
        "views": 0,
        "views_unique": 0,
        "clones": 0,
        "clones_unique": 0,
    }
    paths = tmp_path / "paths.parquet"
    run(["export", "--kind", "paths", "--format", "parquet", "-o", str(paths)], url)
    assert pq.read_table(paths).column_names == [
        "repo", "date", "rank", "path", "title", "count", "uniques",
    ]  # fmt: skip
    repos = run(["export", "--kind", "repos", "--format", "json"], url).output
    assert '"first_day": "2026-08-10"' in repos
    no_output = run(["export", "--format", "parquet"], url, code=2)
    assert "--output" in no_output.output
