"""``ghtraffic status``: what the archive holds, what was lost and what is at risk."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import click
from rich.table import Table

from ghtraffic.cli.common import config_options, one_line_errors, out
from ghtraffic.collect.planner import Plan, archive_plan, plan_document, plan_lines
from ghtraffic.collect.schedule import Interval
from ghtraffic.config import Settings, load_settings
from ghtraffic.storage import queries
from ghtraffic.storage.archive import Archive, open_archive
from ghtraffic.storage.records import RepoStatus, StatusReport


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"]),
    help="Judge days at risk at this UTC time instead of now.",
)
@config_options
@one_line_errors
def status_command(
    as_json: bool,
    as_of: datetime | None,
    config_path: str | None,
    database_url: str | None,
    api_url: str | None,
) -> None:
    """Repos archived, first/last day, last success, days lost to gaps, days at risk, and
    the repositories no collection has read yet, with the reason."""
    settings = load_settings(config=config_path, database_url=database_url, api_url=api_url)
    archive = open_archive(settings.database_url)
    moment = as_of.replace(tzinfo=UTC) if as_of else datetime.now(UTC)
    if as_json:
        report = read_status(archive, moment, settings.repos)
        figures = archive_plan(archive, settings, moment, pending=len(report.never_archived))
        document = status_document(report, _star_sources(archive), figures)
        click.echo(json.dumps(document, indent=2))
    else:
        print_status(archive, moment, configured=settings.repos, settings=settings)


def read_status(archive: Archive, as_of: datetime, configured: Sequence[str] = ()) -> StatusReport:
    """The archive's status; ``configured``: the names of ``[collect] repos``."""
    with archive.db.read_session() as session:
        return queries.status(session, as_of, configured=configured)


def day_ranges(days: tuple[date, ...] | list[date]) -> list[tuple[date, date]]:
    """Consecutive days folded into (first, last) ranges."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(days):
        if ranges and day == ranges[-1][1] + timedelta(days=1):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def _ranges_text(days: tuple[date, ...]) -> str:
    parts = [str(a) if a == b else f"{a}..{b}" for a, b in day_ranges(days)]
    return ", ".join(parts)


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def status_document(
    report: StatusReport, star_sources: dict[int, str] | None = None, figures: Plan | None = None
) -> dict[str, Any]:
    """The status as JSON; ``star_history`` says where each repository's star history
    comes from: the dated stargazer list, or the daily snapshots; ``plan`` (with
    ``figures``) the rate budget at the repositories' cadence, and each repository's read
    interval and why."""
    sources = star_sources or {}
    intervals = figures.intervals if figures is not None else {}
    return {
        "as_of": _iso(report.as_of),
        "repos_archived": report.repos_archived,
        "total_days": report.total_days,
        "days_lost": sum(r.lost_count for r in report.repos),
        "days_unexplained": sum(r.unexplained_count for r in report.repos),
        "repos_at_risk": [r.full_name for r in report.at_risk],
        "never_archived": [
            {
                "repo": item.full_name,
                "reason": item.reason,
                "attempts": item.attempts,
                "last_tried_at": _iso(item.last_tried_at),
                "last_outcome": item.last_outcome,
            }
            for item in report.never_archived
        ],
        "last_run": None
        if report.last_run is None
        else {
            "id": report.last_run.id,
            "started_at": _iso(report.last_run.started_at),
            "finished_at": _iso(report.last_run.finished_at),
            "status": report.last_run.status,
            "repos_ok": report.last_run.repos_ok,
            "repos_failed": report.last_run.repos_failed,
            "repos_deferred": report.last_run.repos_deferred,
            "message": report.last_run.message,
        },
        "plan": plan_document(figures) if figures is not None else None,
        "repos": [
            {
                **_repo_document(r),
                "star_history": sources.get(r.repo_id, "snapshots"),
                **_interval_document(intervals.get(r.repo_id)),
            }
            for r in report.repos
        ],
    }


def _interval_document(interval: Interval | None) -> dict[str, Any]:
    if interval is None:
        return {"read_every_days": None, "cadence": None, "cadence_why": None}
    return {"read_every_days": interval.days, "cadence": interval.kind, "cadence_why": interval.why}


def _star_sources(archive: Archive) -> dict[int, str]:
    """Where each repository's star history comes from (default: the daily snapshots)."""
    from sqlalchemy import select

    from ghtraffic.storage.tables_history import StarHistory

    with archive.db.session() as session:
        rows = session.execute(select(StarHistory.repo_id, StarHistory.source))
        return {repo_id: source for repo_id, source in rows}


def _repo_document(r: RepoStatus) -> dict[str, Any]:
    return {
        "repo": r.full_name,
        "first_day": _iso(r.first_day),
        "last_day": _iso(r.last_day),
        "days_archived": r.days_archived,
        "last_success_at": _iso(r.last_success_at),
        "lost_days": [d.isoformat() for d in r.lost_days],
        "days_lost": r.lost_count,
        "unexplained_days": [d.isoformat() for d in r.unexplained_days],
        "days_unexplained": r.unexplained_count,
        "at_risk": r.at_risk,
        "leaves_window_at": _iso(r.leaves_window_at),
    }


def print_status(
    archive: Archive,
    as_of: datetime,
    *,
    brief: bool = False,
    configured: Sequence[str] = (),
    settings: Settings | None = None,
) -> None:
    """The status as a summary and tables of repositories (only the summary if ``brief``);
    with ``settings``, the rate budget at the repositories' cadence too."""
    report = read_status(archive, as_of, configured)
    figures = None
    if settings is not None:
        figures = archive_plan(archive, settings, as_of, pending=len(report.never_archived))
    last = report.last_run
    lost = sum(r.lost_count for r in report.repos)
    unexplained = sum(r.unexplained_count for r in report.repos)
    out.print(
        f"[bold]{report.repos_archived}[/bold] repos archived, {report.total_days:,} repo-days, "
        f"{lost} days lost to gaps, {len(report.at_risk)} repos at risk"
        + (f", {len(report.never_archived)} never archived" if report.never_archived else "")
    )
    if unexplained:
        out.print(
            f"{unexplained:,} days unexplained: gaps in imported files that do not say when"
            " their runs were (days without traffic, or a stop of that tool)"
        )
    if last is not None:
        out.print(
            f"last run #{last.id}: {last.status}, {last.repos_ok} ok, {last.repos_failed} failed, "
            f"{last.repos_deferred} deferred" + (f" ({last.message})" if last.message else "")
        )
    for line in plan_lines(figures) if figures is not None else ():
        out.print(line, markup=False)
    if brief:
        return
    _print_never_archived(report)
    if not report.repos:
        out.print("nothing archived yet: run `ghtraffic collect`")
        return
    table = Table(title_justify="left")
    for column in (
        "repository",
        "first day",
        "last day",
        "days",
        "last success",
        "lost",
        "unexplained",
        "at risk",
        "read every",
    ):
        right = column in ("days", "lost", "unexplained")
        table.add_column(column, justify="right" if right else "left")
    _whole_names(table, (r.full_name for r in report.repos))
    for r in report.repos:
        risk = ""
        if r.at_risk and r.leaves_window_at is not None:
            risk = f"leaves {r.leaves_window_at:%Y-%m-%d %H:%M} UTC"
        interval = figures.intervals.get(r.repo_id) if figures is not None else None
        table.add_row(
            r.full_name,
            _iso(r.first_day) or "-",
            _iso(r.last_day) or "-",
            str(r.days_archived),
            f"{r.last_success_at:%Y-%m-%d %H:%M}" if r.last_success_at else "never",
            _ranges_text(r.lost_days) if r.lost_days else "0",
            f"{r.unexplained_count:,}",
            risk,
            f"{interval.days} d ({interval.why})" if interval is not None else "-",
        )
    out.print(table)


def _whole_names(table: Table, names: Iterable[str]) -> None:
    """A repository's name is never cut: the other columns wrap instead."""
    first = table.columns[0]
    first.no_wrap = True
    first.min_width = max((len(name) for name in names), default=10)


def _print_never_archived(report: StatusReport) -> None:
    if not report.never_archived:
        return
    table = Table(title="never archived", title_justify="left")
    for column in ("repository", "tries", "last try", "reason"):
        table.add_column(column, justify="right" if column == "tries" else "left")
    _whole_names(table, (item.full_name for item in report.never_archived))
    for item in report.never_archived:
        table.add_row(
            item.full_name,
            str(item.attempts),
            f"{item.last_tried_at:%Y-%m-%d %H:%M}" if item.last_tried_at else "never",
            item.reason,
        )
    out.print(table)
