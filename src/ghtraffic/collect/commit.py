"""Write what one repository's read observed, in one transaction, and say how it fared."""

from __future__ import annotations

from collections.abc import Callable

from ghtraffic.collect.reader import Observed
from ghtraffic.collect.window import window_totals
from ghtraffic.domain import RepoOutcome
from ghtraffic.history.counts import record_release_downloads
from ghtraffic.storage.archive import Archive, RepoBatch

#: Runs inside a repository's transaction, just before it commits (same connection).
InCommit = Callable[[RepoBatch, RepoOutcome], None]


def commit(
    archive: Archive,
    o: Observed,
    etags: dict[str, tuple[str, str]],
    *,
    in_commit: InCommit | None = None,
) -> RepoOutcome:
    """Facts and the day's facts snapshot, the daily max-merge, the window's totals and
    span, whole weeks, the day's referrer and path lists, release downloads, the
    responses' ETags and the success time: together or not at all. ``in_commit`` adds
    writes that must commit with them (the run log's result, a queued processing job)."""
    repo_id = o.facts.github_id
    added = raised = 0
    with archive.repo_batch() as batch:
        requested = o.requested if o.requested.lower() != o.facts.full_name.lower() else None
        batch.upsert_repo(o.facts, o.at, requested_name=requested)
        batch.record_repo_snapshot(repo_id, o.today, o.facts, o.at)
        if o.daily is not None:
            stats = batch.merge_daily(repo_id, o.daily, o.at)
            added, raised = stats.added, stats.raised
            batch.record_window(repo_id, window_totals(o.today, o.daily, *o.totals), o.at)
        if o.weekly:
            batch.merge_weekly(repo_id, o.weekly, o.at)
        if o.referrers is not None:
            batch.replace_referrers(repo_id, o.today, o.referrers, o.at)
        if o.paths is not None:
            batch.replace_paths(repo_id, o.today, o.paths, o.at)
        if o.downloads:
            record_release_downloads(batch, repo_id, o.today, o.at, o.downloads)
        batch.put_etags(etags, o.at)
        batch.mark_success(repo_id, o.at)
        outcome = outcome_of(o, added, raised)
        if in_commit is not None:
            in_commit(batch, outcome)
    return outcome


def outcome_of(o: Observed, added: int, raised: int) -> RepoOutcome:
    """``ok``, or, when some calls failed, ``deferred`` (the rate limit) or ``failed``;
    what arrived is kept either way."""
    outcome = "ok"
    if o.problems:
        outcome = "deferred" if o.rate_limited else "failed"
    return RepoOutcome(
        o.facts.full_name,
        outcome,
        reason="; ".join(o.problems) + " (the rest is kept)" if o.problems else None,
        repo_id=o.facts.github_id,
        requests=o.requests,
        points=o.points,
        days_added=added,
        days_raised=raised,
        finished_at=o.at,
    )
