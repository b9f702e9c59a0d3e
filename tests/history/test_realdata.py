"""Every real archive in tests/data/realdata imports, with the values its own tool kept.

Expected values are read here by a deliberately plain reader per format, then reduced by
the source tool's own merge rule; the archive must hold exactly those days and values
(no day invented, none lost, explicit zeros kept, empty cells not observed).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from ghtraffic.history.importers import detect
from ghtraffic.storage.archive import Archive

from .helpers import REALDATA, Days, run, stored

#: Folder -> the extra arguments its import needs (formats that do not record the repo).
FOLDERS: dict[str, list[str]] = {
    "ghrs_SeisSol_SeisSol": ["--repo", "SeisSol/SeisSol"],
    "ghrs_jgehrcke_ghrs-test": [],
    "sangonzal_debevv_nanoMODBUS": ["--repo", "debevv/nanoMODBUS"],
    "sangonzal_icesat2py_icepyx": ["--repo", "icesat2py/icepyx"],
    "sangonzal_markusschanta_awesome-jupyter": ["--repo", "markusschanta/awesome-jupyter"],
    "sangonzal_sangonzal_repository-traffic-action": [
        "--repo",
        "sangonzal/repository-traffic-action",
    ],
    "nchah_jpmorgan-payments_embedded-finance": ["--repo", "jpmorgan-payments/embedded-finance"],
    "text_HafidIdrissi_github-traffic-archive": ["--repo", "HafidIdrissi/github-traffic-archive"],
    "custom_NCAR_i-wrf": ["--repo", "NCAR/i-wrf"],
    "custom_analyticsinmotion_github-stats": ["--owner", "analyticsinmotion"],
    "text_pancsta_asyncmachine-go": ["--repo", "pancsta/asyncmachine-go"],
    "text_Significant-Gravitas_AutoGPT": [],
}
EXPECTED_FORMAT = {
    "ghrs": "github-repo-stats",
    "sangonzal": "repository-traffic-action",
    "nchah": "github-traffic-stats",
    "text_HafidIdrissi": "github-traffic-archive",
    "custom_NCAR": "ncar-metrics",
    "custom_analyticsinmotion": "github-stats",
    "text_pancsta": "github-repo-stats",
    "text_Significant-Gravitas": "github-repo-stats",
}


def _format_of(folder: str) -> str:
    return next(fmt for prefix, fmt in EXPECTED_FORMAT.items() if folder.startswith(prefix))


def data_files() -> list[Path]:
    return sorted(
        path
        for path in REALDATA.rglob("*")
        if path.is_file() and path.name != "PROVENANCE.md" and path.suffix != ".txt"
    )


def test_every_data_file_belongs_to_a_known_import() -> None:
    folders = {path.relative_to(REALDATA).parts[0] for path in data_files()}
    assert folders == set(FOLDERS)


@pytest.mark.parametrize("folder", sorted(FOLDERS))
def test_every_file_is_detected_in_its_format(folder: str) -> None:
    found = detect(REALDATA / folder)
    assert found.skipped == []
    assert list(found.by_format) == [_format_of(folder)]
    files = [path for path in data_files() if path.relative_to(REALDATA).parts[0] == folder]
    assert sorted(found.by_format[_format_of(folder)]) == files


# Plain readers, one per tool, applying the tool's own merge rule ------------------------


def _cell(text: str) -> int | None:
    return None if text.strip() == "" else int(float(text))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _put(days: Days, repo: str, day: date, values: Mapping[str, int | None]) -> None:
    """Merge by the maximum (the ghrs rule; for files with one row per day: the row)."""
    stored_day = days.setdefault(repo.lower(), {}).setdefault(day, dict.fromkeys(METRICS))
    for name, value in values.items():
        old = stored_day[name]
        stored_day[name] = value if old is None else old if value is None else max(old, value)


METRICS = ("views", "views_unique", "clones", "clones_unique")
GHRS = {"views_total": "views", "views_unique": "views_unique", "clones_total": "clones"}
GHRS["clones_unique"] = "clones_unique"


def ghrs(path: Path, repo: str, days: Days) -> None:
    seen: set[tuple[date, str]] = set()
    for row in _rows(path):
        values = {metric: _cell(row[column]) for column, metric in GHRS.items()}
        day = date.fromisoformat(row["time_iso8601"][:10])
        _put(days, repo, day, values)
        seen.update((day, name) for name, value in values.items() if value is not None)
    if path.name.endswith("_series_fragment.csv"):
        # A fragment is the window of a run at the UTC time in its name: a day GitHub
        # left out of the run's whole days (today-13..today-1) is an observed zero.
        today = datetime.strptime(path.name[:17], "%Y-%m-%d_%H%M%S").date()
        for back in range(1, 14):
            day = today - timedelta(days=back)
            zeros = {name: 0 for name in METRICS if (day, name) not in seen}
            if zeros:
                _put(days, repo, day, zeros)


def two_columns(date_column: str, total: str, unique: str, metric: str) -> Reader:
    def read(path: Path, repo: str, days: Days) -> None:
        for row in _rows(path):
            values = {metric: int(row[total]), f"{metric}_unique": int(row[unique])}
            _put(days, repo, date.fromisoformat(row[date_column]), values)

    return read


def hafid_json(metric: str) -> Reader:
    def read(path: Path, repo: str, days: Days) -> None:
        for entry in json.loads(path.read_text()):
            values = {metric: entry["count"], f"{metric}_unique": entry["uniques"]}
            _put(days, repo, date.fromisoformat(entry["timestamp"][:10]), values)

    return read


def analytics(path: Path, repo: str, days: Days) -> None:
    owner = repo.split("/")[0]
    for row in _rows(path):
        values = {
            "views": int(row["views"]),
            "views_unique": int(row["unique_visitors"]),
            "clones": int(row["clones"]),
            "clones_unique": int(row["unique_cloners"]),
        }
        _put(days, f"{owner}/{row['repository']}", date.fromisoformat(row["date"]), values)


Reader = Callable[[Path, str, Days], None]

#: Every file with a daily series: (path below realdata, repo or owner argument, reader).
DAILY: list[tuple[str, list[str], Reader]] = [
    ("ghrs_SeisSol_SeisSol/ghrs-data/views_clones_aggregate.csv",
     ["--repo", "SeisSol/SeisSol"], ghrs),
    ("ghrs_SeisSol_SeisSol/fragments_from_history", ["--repo", "SeisSol/SeisSol"], ghrs),
    *(
        (f"ghrs_jgehrcke_ghrs-test/jgehrcke/{name}/ghrs-data/views_clones_aggregate.csv",
         ["--repo", f"jgehrcke/{name}"], ghrs)
        for name in ("covid-19-germany-gae", "github-repo-stats")
    ),
    *(
        (f"text_pancsta_asyncmachine-go/{name}", ["--repo", "pancsta/asyncmachine-go"], ghrs)
        for name in (
            "views_clones_aggregate@028369cc.csv",
            "views_clones_aggregate@d85090b2.csv",
            "2025-11-06_230949_views_clones_series_fragment.csv",
            "2025-11-14_230934_views_clones_series_fragment.csv",
        )
    ),
    *(
        (f"text_Significant-Gravitas_AutoGPT/Significant-Gravitas/{name}/ghrs-data/"
         "views_clones_aggregate.csv", ["--repo", f"Significant-Gravitas/{name}"], ghrs)
        for name in ("Auto-GPT", "AutoGPT")
    ),
    *(
        (f"{folder}/{sub}traffic/{kind}.csv", ["--repo", repo],
         two_columns("_date", f"total_{kind}", f"unique_{kind}", kind))
        for folder, sub, repo in (
            ("sangonzal_debevv_nanoMODBUS", "", "debevv/nanoMODBUS"),
            ("sangonzal_icesat2py_icepyx", "doc/source/tracking/", "icesat2py/icepyx"),
            ("sangonzal_markusschanta_awesome-jupyter", "", "markusschanta/awesome-jupyter"),
            ("sangonzal_sangonzal_repository-traffic-action", "",
             "sangonzal/repository-traffic-action"),
        )
        for kind in ("views", "clones")
    ),
    *(
        (f"nchah_jpmorgan-payments_embedded-finance/metrics/{name}.csv",
         ["--repo", "jpmorgan-payments/embedded-finance"],
         two_columns("date", metric, unique, metric))
        for name, metric, unique in (
            ("traffic-stats", "views", "unique_visitors/cloners"),
            ("traffic-stats-sorted", "views", "unique_visitors/cloners"),
            ("clone-stats", "clones", "unique_cloners"),
            ("clone-stats-sorted", "clones", "unique_cloners"),
        )
    ),
    *(
        (f"text_HafidIdrissi_github-traffic-archive/{kind}.csv",
         ["--repo", "HafidIdrissi/github-traffic-archive"],
         two_columns("date", "count", "uniques", kind))
        for kind in ("views", "clones")
    ),
    *(
        (f"text_HafidIdrissi_github-traffic-archive/{kind}.json",
         ["--repo", "HafidIdrissi/github-traffic-archive"], hafid_json(kind))
        for kind in ("views", "clones")
    ),
    *(
        (f"custom_NCAR_i-wrf/traffic/{kind}.csv", ["--repo", "NCAR/i-wrf"],
         two_columns("date", f"{kind}_total", f"{kind}_unique", kind))
        for kind in ("views", "clones")
    ),
    ("custom_analyticsinmotion_github-stats/data/traffic.csv",
     ["--owner", "analyticsinmotion"], analytics),
]  # fmt: skip


@pytest.mark.parametrize(("source", "args", "reader"), DAILY, ids=[case[0] for case in DAILY])
def test_daily_values_equal_the_source_after_its_merge(
    source: str, args: list[str], reader: Reader, archive: Archive
) -> None:
    path = REALDATA / source
    expected: Days = {}
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    for file in files:
        reader(file, args[1] if args[0] == "--repo" else f"{args[1]}/x", expected)
    url = archive.db.url.render_as_string(hide_password=False)
    result = run(["import", "auto", str(path), *args], url)
    assert "0 rows rejected" in result.output
    assert stored(archive) == expected
    again = run(["import", "auto", str(path), *args], url)
    assert "0 added, 0 raised" in again.output
    assert stored(archive) == expected
