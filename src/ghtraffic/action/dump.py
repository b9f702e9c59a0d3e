"""Write an archive as its text form (``textform.py``), in place over an earlier one.

Each file is rewritten only when its text changes, and lines are sorted by their key, so
git sees the lines a run added or changed and nothing else. Files of repositories no
longer in the archive under that folder (a rename moves the folder) are removed. The one
file not made from the archive alone is ``seen.csv``: the archive keeps a repository's
newest read, the file a line per day read, so its earlier lines are kept from the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ghtraffic.action import textform as tf
from ghtraffic.action.textform import Seen
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.tables import Repo, RepoAlias
from ghtraffic.storage.tables_history import StarHistory


@dataclass
class DumpReport:
    """What a dump wrote: repositories, and the files it created, changed or removed."""

    repos: int = 0
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def dump(archive: Archive, root: Path) -> DumpReport:
    """Write every repository of ``archive`` under ``root`` (created when missing)."""
    report = DumpReport()
    old_seen = _seen_by_id(root)
    kept: set[Path] = set()

    def put(path: Path, text: str) -> None:
        kept.add(path)
        if tf.write_text(path, text):
            report.written.append(path)

    put(root / tf.FORMAT_FILE, tf.json_text(tf.format_document()))
    put(root / tf.README_FILE, tf.README)
    with archive.db.read_session() as session:
        repos = sorted(session.scalars(select(Repo)), key=lambda r: (r.full_name.casefold(), r.id))
        used: set[str] = set()
        for repo in repos:
            folder = root / tf.REPOS_DIR / _folder_name(repo, used)
            for name, text in _repo_files(session, repo, old_seen.get(repo.id, {})).items():
                put(folder / name, text)
            report.repos += 1
    report.removed = _remove_others(root / tf.REPOS_DIR, kept)
    return report


def _remove_others(repos: Path, kept: set[Path]) -> list[Path]:
    """Remove the repositories' files not in ``kept`` (a renamed repository's former
    folder, a table now empty), then the folders left empty; returns the files removed."""
    removed = [path for path in sorted(repos.glob("*/*/*")) if path.is_file() and path not in kept]
    for path in removed:
        path.unlink()
    for folder in [*sorted(repos.glob("*/*"), reverse=True), *sorted(repos.glob("*"))]:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return removed


def _folder_name(repo: Repo, used: set[str]) -> str:
    name = f"{tf.folder_part(repo.owner)}/{tf.folder_part(repo.name)}"
    if name.casefold() in used:  # two repositories once of the same name
        name = f"{name}@{repo.id}"
    used.add(name.casefold())
    return name


def _repo_files(session: Session, repo: Repo, old_seen: Seen) -> dict[str, str]:
    files = {tf.REPO_FILE: tf.json_text(_repo_document(session, repo))}
    files[tf.SEEN_FILE] = tf.csv_text(tf.SEEN_COLUMNS, _seen_lines(repo, old_seen))
    aliases = [
        (a.name, tf.encode(a.first_seen_at), _unless(a.last_seen_at, repo.last_seen_at))
        for a in session.scalars(select(RepoAlias).where(RepoAlias.repo_id == repo.id))
    ]
    if aliases:
        files[tf.ALIASES_FILE] = tf.csv_text(tf.ALIAS_COLUMNS, sorted(aliases))
    for spec in tf.TABLE_FILES:
        lines = table_lines(session, spec, repo.id)
        if lines:
            files[spec.name] = tf.csv_text(spec.columns, lines)
    return files


def _unless(value: datetime, newest: datetime) -> str:
    """A time, blank when it is the repository's newest read (that line stays as it is)."""
    return "" if value == newest else tf.encode(value)


def _repo_document(session: Session, repo: Repo) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": repo.id,
        "owner": repo.owner,
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.private,
        "fork": repo.fork,
        "archived": repo.archived,
        "description": repo.description,
        "first_seen_at": tf.encode(repo.first_seen_at),
    }
    stars = session.get(StarHistory, repo.id)
    if stars is not None:
        document["star_history"] = {
            "source": stars.source,
            "stars_listed": stars.stars_listed,
            "checked_at": tf.encode(stars.checked_at),
            "reason": stars.reason,
        }
    return document


def _seen_lines(repo: Repo, old: Seen) -> list[tuple[str, str, str]]:
    seen = dict(old)
    for at, slot in ((repo.last_seen_at, 0), (repo.last_success_at, 1)):
        if at is None:
            continue
        pair = list(seen.get(at.date(), (None, None)))
        kept = pair[slot]
        pair[slot] = at if kept is None or at > kept else kept
        seen[at.date()] = (pair[0], pair[1])
    return [(day.isoformat(), tf.encode(a), tf.encode(b)) for day, (a, b) in sorted(seen.items())]


def table_lines(session: Session, spec: tf.TableFile, repo_id: int) -> list[list[str]]:
    """A repository's rows of one table file, as the file's lines (cells), sorted."""
    table = spec.sql_table
    rows = session.execute(
        select(*(table.c[name] for name in spec.columns)).where(table.c.repo_id == repo_id)
    ).all()
    width = len(spec.key)
    # Sorted here, not by the database: collations differ between SQLite and PostgreSQL.
    ordered = sorted(rows, key=lambda row: tuple(row[:width]))
    return [[tf.encode(value) for value in row] for row in ordered]


def _seen_by_id(root: Path) -> dict[int, Seen]:
    """The ``seen.csv`` of every repository already under ``root``, by repository id."""
    found: dict[int, Seen] = {}
    for folder in tf.repo_folders(root):
        document = tf.read_repo_document(folder)
        found[int(document["id"])] = tf.read_seen(folder)
    return found
