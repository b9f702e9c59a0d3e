"""jgehrcke/github-repo-stats ("ghrs"): a data-branch checkout or some of its files.

Layout: ``OWNER/REPO/ghrs-data/`` holding ``views_clones_aggregate.csv``, raw window
fragments ``snapshots/<UTC time>_views_clones_series_fragment.csv`` (ghrs deletes them
after merging; recover them from git history), ``snapshots/<UTC time>_top_referrers_snapshot.csv``
and ``..._top_paths_snapshot.csv`` (one per run), ``stargazers.csv``, ``forks.csv`` and
``stargazer-snapshots.csv``. The repository is the ``OWNER/REPO`` above ``ghrs-data`` in
the file's path, whether the import names the checkout, the ``ghrs-data`` folder or one
file in it; without one ``--repo`` is needed (and ``--repo`` replaces it).

Values, and what is zero:

* ghrs merges by the maximum per day and column, the same rule as ghtraffic, so the
  aggregate and every fragment are merged as they are.
* A fragment's empty cell is *not observed* (the endpoint did not return that day).
* The aggregate writes ``0`` where the API omitted a day of a window it served. Before
  late December 2025 GitHub omitted exactly the days without traffic, so such a ``0`` is
  kept as an observed zero. A day with no row at all stays absent (never filled in).
* Referrer and path lists take their day and time from the file name (UTC). ghrs keeps
  no page titles: paths get an empty title. Several runs on one day: the last one is kept.
* Each fragment is the window of one run at the UTC time in its name: the run's span is
  recorded and the days it left out of ``today-13 .. today-1`` are observed zeros (see
  ``runs``). A referrer or path list is a run too (ghrs reads every endpoint in one
  run): where the folder holds the repository's aggregate, which merged that run's
  window, a day of the run's zero span without a row there is an observed zero. The
  aggregate alone does not say when its runs were: its gaps stay unexplained.
* ``stargazers.csv``/``forks.csv`` are cumulative counts rebuilt from the current
  stargazers and forks (source ``events``); ``stargazer-snapshots.csv`` holds the star
  count read at a time (source ``snapshot``; the last reading of a day is kept).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from ghtraffic.domain import DayValues, PopularPath, Referrer
from ghtraffic.history.importers.base import (
    BadRow,
    CountValue,
    ImportData,
    PopularList,
    RepoHistory,
    Target,
    assign_repos,
    csv_records,
    day_values,
    file_moment,
    header_of,
    parse_count,
    parse_moment,
    parsed_records,
    where,
)
from ghtraffic.history.importers.runs import Run, add_run

NAME = "github-repo-stats"
#: The folder ghrs writes a repository's files into, under ``OWNER/REPO/``.
DATA_FOLDER = "ghrs-data"
#: ghrs column -> metric (older ``*_views_series_fragment.csv`` files use the same names).
SERIES = {
    "views_total": "views",
    "views_unique": "views_unique",
    "clones_total": "clones",
    "clones_unique": "clones_unique",
}
REFERRER_NAMES = ("referrer", "referrers")
PATH_NAMES = ("url_path", "path")
TOTAL_NAMES = ("views_total", "count_total", "count")
UNIQUE_NAMES = ("views_unique", "count_unique", "unique", "uniques")
COUNT_FILES = {
    "stars_cumulative": ("stars", "events"),
    "forks_cumulative": ("forks", "events"),
    "stargazers_cumulative_snapshot": ("stars", "snapshot"),
}
SERIES_FILE = re.compile(
    r"(views_clones_aggregate.*|.*_(views_clones|views|clones)_series_fragment)\.csv$"
)
SNAPSHOT_FILE = re.compile(r".*_top_(referrers|paths)_snapshot\.csv$")
FRAGMENT_FILE = re.compile(r".*_series_fragment\.csv$")


def _kind(path: Path) -> str | None:
    name = path.name
    if SNAPSHOT_FILE.match(name):
        return "snapshot"
    header = header_of(path)
    if not header or header[0] != "time_iso8601":
        return None
    if SERIES_FILE.match(name) or (set(header[1:]) <= set(SERIES) and len(header) > 1):
        return "series"
    if len(header) == 2 and header[1] in COUNT_FILES:
        return "counts"
    return None


def _recorded_repo(path: Path) -> str | None:
    """``OWNER/REPO`` from the two folders above the nearest ``ghrs-data`` of the file's
    whole path, so the data folder, one file of it and the checkout all give it."""
    parts = path.resolve().parts
    if DATA_FOLDER not in parts[:-1]:
        return None
    at = len(parts) - 1 - parts[:-1][::-1].index(DATA_FOLDER) - 1
    above = parts[1:at]  # without the root ("/")
    return f"{above[-2]}/{above[-1]}" if len(above) >= 2 else None


class GitHubRepoStatsImporter:
    name = NAME
    description = "jgehrcke/github-repo-stats data branch (OWNER/REPO/ghrs-data/)"

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower() == ".csv" and _kind(path) is not None

    def read(self, files: list[Path], root: Path, target: Target) -> ImportData:
        data = ImportData(NAME)
        repos = assign_repos({path: _recorded_repo(path) for path in files}, target, root, NAME)
        merged: list[RepoHistory] = []
        for path in files:
            history = data.repo(repos[path])
            data.files += 1
            kind = _kind(path)
            if kind == "series":
                rows: list[DayValues] = []
                self._series(path, root, data, rows)
                history.days.extend(rows)
                moment = file_moment(path.name)
                if FRAGMENT_FILE.match(path.name) and moment is not None:
                    header = header_of(path)
                    run = Run.at(
                        moment, views="views_total" in header, clones="clones_total" in header
                    )
                    add_run(history, rows, run)
                elif history not in merged:
                    merged.append(history)
            elif kind == "snapshot":
                self._snapshot(path, root, data, history.popular)
            elif kind == "counts":
                self._counts(path, root, data, history.counts)
        for history in merged:
            _list_runs(history)
        return data

    def _series(self, path: Path, root: Path, data: ImportData, out: list[DayValues]) -> None:
        day_of = partial(day_values, day_column="time_iso8601", metrics=SERIES, blank=True)
        out.extend(parsed_records(data, path, root, day_of))

    def _snapshot(self, path: Path, root: Path, data: ImportData, out: list[PopularList]) -> None:
        taken = file_moment(path.name)
        referrers: list[Referrer] = []
        paths: list[PopularPath] = []
        is_paths = path.name.endswith("_top_paths_snapshot.csv")
        records = list(csv_records(path))
        data.rows_read += len(records)
        if taken is None:
            for line, _ in records:
                data.reject(where(path, line, root), "the file name holds no UTC time (its day)")
            return
        for line, record in records:
            try:
                if "" in record:
                    raise BadRow(record[""])
                label = _pick(record, PATH_NAMES if is_paths else REFERRER_NAMES, "name")
                total = _pick(record, TOTAL_NAMES, "count")
                unique = _pick(record, UNIQUE_NAMES, "uniques")
                count = parse_count(total, "count")
                uniques = parse_count(unique, "uniques")
                assert count is not None
                assert uniques is not None
            except BadRow as exc:
                data.reject(where(path, line, root), str(exc))
                continue
            if is_paths:
                paths.append(PopularPath(label, "", count, uniques))
            else:
                referrers.append(Referrer(label, count, uniques))
        out.append(
            PopularList(
                taken.date(),
                taken,
                referrers=None if is_paths else tuple(referrers),
                paths=tuple(paths) if is_paths else None,
            )
        )

    def _counts(self, path: Path, root: Path, data: ImportData, out: list[CountValue]) -> None:
        column = header_of(path)[1]
        metric, source = COUNT_FILES[column]

        def count_of(record: dict[str, str]) -> CountValue:
            moment = parse_moment(record["time_iso8601"])
            value = parse_count(record[column], column)
            assert value is not None
            observed = moment if source == "snapshot" else None
            return CountValue(moment.date(), metric, source, value, observed)

        out.extend(parsed_records(data, path, root, count_of))


def _list_runs(history: RepoHistory) -> None:
    """The runs known only from their referrer and path lists, where the aggregate holds
    what their windows returned (one per UTC day; a fragment of that day says more)."""
    done = {window.day for window in history.windows}
    by_day: dict[date, list[DayValues]] = {}
    for row in history.days:
        by_day.setdefault(row.day, []).append(row)
    for moment in sorted({item.observed_at for item in history.popular if item.observed_at}):
        if moment.date() in done:
            continue
        done.add(moment.date())
        run = Run.at(moment)
        first, last = run.zero_span
        span = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        for row in add_run(history, [row for day in span for row in by_day.get(day, ())], run):
            by_day.setdefault(row.day, []).append(row)


def _pick(record: dict[str, str], names: tuple[str, ...], what: str) -> str:
    for name in names:
        if name in record:
            return record[name]
    raise BadRow(f"no {what} column (expected one of {', '.join(names)})")


IMPORTER = GitHubRepoStatsImporter()
