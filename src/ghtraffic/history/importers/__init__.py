"""Importers of other tools' traffic archives, one module per format.

``FORMAT=auto`` detects the format of every file by its name and first line (see each
module for its exact headers); a folder is searched recursively (hidden folders are
skipped) and must hold files of one format only. Files of no known format are listed as
skipped, never read in part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ghtraffic.history.importers import (
    generic,
    github_repo_stats,
    github_stats,
    github_traffic_archive,
    github_traffic_stats,
    ncar_metrics,
    repository_traffic_action,
)
from ghtraffic.history.importers.base import (
    ImportData,
    Importer,
    ImportFailure,
    Target,
    header_of,
)

#: In detection order (every header is distinct, so the order only matters for speed).
IMPORTERS: dict[str, Importer] = {
    importer.name: importer
    for importer in (
        generic.IMPORTER,
        github_repo_stats.IMPORTER,
        repository_traffic_action.IMPORTER,
        github_traffic_stats.IMPORTER,
        github_traffic_archive.IMPORTER,
        ncar_metrics.IMPORTER,
        github_stats.IMPORTER,
    )
}
#: Names of formats in earlier releases (the handles of the tools' authors), still accepted.
ALIASES = {
    "ghrs": github_repo_stats.NAME,
    "sangonzal": repository_traffic_action.NAME,
    "nchah": github_traffic_stats.NAME,
    "hafid": github_traffic_archive.NAME,
    "ncar": ncar_metrics.NAME,
    "analyticsinmotion": github_stats.NAME,
}
FORMATS = ("auto", *IMPORTERS)
SUFFIXES = (".csv", ".json")


@dataclass
class Found:
    """The files of one path, by format, and those of no known format."""

    by_format: dict[str, list[Path]] = field(default_factory=dict)
    skipped: list[Path] = field(default_factory=list)


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise ImportFailure(f"{path} does not exist")
    found = []
    for candidate in sorted(path.rglob("*")):
        relative = candidate.relative_to(path).parts
        if any(part.startswith(".") for part in relative):
            continue
        if candidate.is_file() and candidate.suffix.lower() in SUFFIXES:
            found.append(candidate)
    return found


def detect(path: Path, fmt: str = "auto") -> Found:
    """Classify every file of ``path`` (only as ``fmt`` unless it is ``auto``)."""
    fmt = ALIASES.get(fmt, fmt)
    if fmt != "auto" and fmt not in IMPORTERS:
        raise ImportFailure(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    candidates = IMPORTERS if fmt == "auto" else {fmt: IMPORTERS[fmt]}
    found = Found()
    for file in _files(path):
        for name, importer in candidates.items():
            if importer.accepts(file):
                found.by_format.setdefault(name, []).append(file)
                break
        else:
            found.skipped.append(file)
    return found


def read_path(
    path: Path, fmt: str = "auto", target: Target | None = None
) -> tuple[ImportData, list[Path]]:
    """Read ``path`` in ``fmt``; returns what was read and the files that were skipped."""
    target = target or Target()
    found = detect(path, fmt)
    if not found.by_format:
        raise ImportFailure(_nothing_known(path, ALIASES.get(fmt, fmt), found.skipped))
    if len(found.by_format) > 1:
        names = ", ".join(sorted(found.by_format))
        raise ImportFailure(
            f"{path} holds files of several formats ({names}): import one folder or name"
            " the format (ghtraffic import FORMAT PATH)"
        )
    ((name, files),) = found.by_format.items()
    return IMPORTERS[name].read(files, path, target), found.skipped


def _looks(file: Path) -> str:
    """What a file of no known format starts with, for the error."""
    if file.suffix.lower() == ".json":
        return "JSON of no known shape"
    header = ",".join(header_of(file))
    if not header:
        return "no header (empty, or not UTF-8 text)"
    shown = header if len(header) <= 120 else header[:117] + "..."
    return f'the header "{shown}"'


def _nothing_known(path: Path, fmt: str, files: list[Path]) -> str:
    """One line: what was found instead, and the formats there are."""
    if not files:
        return f"{path} holds no .csv or .json file: point at a file or folder another tool wrote"
    wanted = "a format ghtraffic knows" if fmt == "auto" else f"the {fmt} format"
    if path.is_file():
        found = f"{path} is not in {wanted}: it has {_looks(files[0])}"
    else:
        others = f" (and {len(files) - 1} more files)" if len(files) > 1 else ""
        found = f"{path} holds no file in {wanted}: {files[0].name} has {_looks(files[0])}{others}"
    if fmt == "auto":
        return f"{found} (known formats: {', '.join(IMPORTERS)})"
    return f"{found} ({fmt}: {IMPORTERS[fmt].description})"


__all__ = [
    "FORMATS",
    "IMPORTERS",
    "Found",
    "ImportData",
    "ImportFailure",
    "Target",
    "detect",
    "read_path",
]
