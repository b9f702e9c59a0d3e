"""Spike detection on the archive and attribution of spikes to referrers.

Which days are judged: only *complete* days, i.e. days on or before the repository's
newest window's ``last_day`` and before that window's collection day (an old-shape window
ends with today, still growing; a new-shape one ends with yesterday). Of those, only the
days whose values changed since the last processing (``days``) are judged, so a day
GitHub revises upward later is judged again.

A day is a spike (an *event*) when its value exceeds ``median + k × MAD`` of the
archived days among the ``history`` days before it and is at least ``minimum``. A spike on
the day right after an event of the same metric continues that event (a burst lasting
several days is one event). An event exists once per (repository, day, metric); when
GitHub later raises the day, the event's value is raised with it.

Attribution: the referrers whose 14-day count grew most between the newest referrer
snapshot taken on or before the spike day (which cannot hold the whole day yet) and the
oldest snapshot taken after it whose window covers the day. Without that second snapshot
an event keeps ``referrers = NULL`` and later processing retries.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, select, update
from sqlalchemy.orm import Session

from ghtraffic.processing.baseline import Baseline, baseline, is_spike
from ghtraffic.processing.config import ProcessingSettings
from ghtraffic.storage.tables import PopularSnapshot, ReferrerItem, TrafficDaily, TrafficWindow
from ghtraffic.storage.tables_processing import TrafficEvent
from ghtraffic.storage.upsert import insert_for

#: Events this many days old or newer get their referrers filled in when still missing.
ATTRIBUTION_DAYS = 30


@dataclass(frozen=True, slots=True)
class NewEvent:
    id: int
    day: date
    metric: str
    value: int
    base: Baseline
    threshold: float


@dataclass
class Detection:
    new: list[NewEvent]
    raised: int = 0


def complete_until(session: Session, repo_id: int) -> date | None:
    """The newest complete day of the repository (``None`` before its first window)."""
    W = TrafficWindow
    row = session.execute(
        select(W.day, W.last_day).where(W.repo_id == repo_id).order_by(W.day.desc()).limit(1)
    ).first()
    if row is None:
        return None
    collected, last_day = row
    return min(last_day, collected - timedelta(days=1))


def detect(
    session: Session,
    repo_id: int,
    days: Collection[date],
    settings: ProcessingSettings,
    now: datetime,
) -> Detection:
    """Judge ``days`` (those complete), create new events, raise existing ones."""
    result = Detection(new=[])
    until = complete_until(session, repo_id)
    candidates = sorted(d for d in days if until is not None and d <= until)
    if not candidates or not settings.spike_metrics:
        return result
    first, last = candidates[0], candidates[-1]
    history = timedelta(days=settings.spike_history)
    D = TrafficDaily
    metrics = settings.spike_metrics
    series: dict[str, dict[date, int]] = {m: {} for m in metrics}
    rows = session.execute(
        select(D.day, *(getattr(D, m) for m in metrics)).where(
            D.repo_id == repo_id, D.day.between(first - history, last)
        )
    )
    for day, *observed in rows:
        for metric, value in zip(metrics, observed, strict=True):
            if value is not None:
                series[metric][day] = value
    E = TrafficEvent
    existing = {
        (day, metric): (event_id, value)
        for event_id, day, metric, value in session.execute(
            select(E.id, E.day, E.metric, E.value).where(
                E.repo_id == repo_id, E.day.between(first - timedelta(days=1), last)
            )
        )
    }
    found: list[dict[str, Any]] = []
    spiking = set(existing)
    for metric in metrics:
        values = series[metric]
        for day in candidates:
            value = values.get(day)
            if value is None:
                continue
            known = existing.get((day, metric))
            if known is not None:
                event_id, stored = known
                if value > stored:
                    session.execute(
                        update(E)
                        .where(E.id == event_id, E.value < value)
                        .values(value=value, updated_at=now)
                    )
                    result.raised += 1
                continue
            before = [
                values[d]
                for d in (day - timedelta(days=i) for i in range(1, settings.spike_history + 1))
                if d in values
            ]
            if len(before) < settings.spike_min_history:
                continue
            base = baseline(before)
            if not is_spike(value, base, k=settings.spike_k, minimum=settings.spike_min):
                continue
            continues = (day - timedelta(days=1), metric) in spiking
            spiking.add((day, metric))
            if continues:
                continue
            found.append(
                {
                    "repo_id": repo_id,
                    "day": day,
                    "metric": metric,
                    "value": value,
                    "baseline": base.median,
                    "mad": base.mad,
                    "threshold": base.threshold(settings.spike_k),
                    "referrers": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    if found:
        stmt = (
            insert_for(session, cast(Table, E.__table__))
            .values(found)
            .on_conflict_do_nothing(index_elements=["repo_id", "day", "metric"])
            .returning(E.id, E.day, E.metric)
        )
        created = {(day, metric): event_id for event_id, day, metric in session.execute(stmt)}
        for row in found:
            new_id = created.get((row["day"], row["metric"]))
            if new_id is not None:
                result.new.append(
                    NewEvent(
                        new_id,
                        row["day"],
                        row["metric"],
                        row["value"],
                        Baseline(row["baseline"], row["mad"]),
                        row["threshold"],
                    )
                )
    return result


def attribute_pending(
    session: Session, repo_id: int, now: datetime, top: int
) -> dict[int, list[dict[str, Any]]]:
    """Fill in the referrers of the repository's recent events that have none yet;
    returns ``{event id: referrers}`` for those filled in now."""
    E = TrafficEvent
    pending = session.execute(
        select(E.id, E.day).where(
            E.repo_id == repo_id,
            E.referrers.is_(None),
            E.day >= now.date() - timedelta(days=ATTRIBUTION_DAYS),
        )
    ).all()
    if not pending:
        return {}
    found = referrer_growth(session, repo_id, [day for _, day in pending], top)
    filled: dict[int, list[dict[str, Any]]] = {}
    for event_id, day in pending:
        referrers = found.get(day)
        if referrers is None:
            continue
        session.execute(update(E).where(E.id == event_id).values(referrers=referrers))
        filled[event_id] = referrers
    return filled


def referrer_growth(
    session: Session, repo_id: int, days: Iterable[date], top: int
) -> dict[date, list[dict[str, Any]]]:
    """Per spike day: the ``top`` referrers whose 14-day count grew most across the day
    (``[{"referrer", "growth", "count"}]``); days without a snapshot after them are absent."""
    wanted = sorted(set(days))
    if not wanted:
        return {}
    lo, hi = wanted[0] - timedelta(days=16), wanted[-1] + timedelta(days=16)
    P, W, R = PopularSnapshot, TrafficWindow, ReferrerItem
    snapshots = session.execute(
        select(P.day, W.first_day, W.last_day)
        .outerjoin(W, and_(W.repo_id == P.repo_id, W.day == P.day))
        .where(P.repo_id == repo_id, P.kind == "referrers", P.day.between(lo, hi))
        .order_by(P.day)
    ).all()
    counts: dict[date, dict[str, int]] = {}
    for day, referrer, count in session.execute(
        select(R.day, R.referrer, R.count).where(R.repo_id == repo_id, R.day.between(lo, hi))
    ):
        counts.setdefault(day, {})[referrer] = count
    result: dict[date, list[dict[str, Any]]] = {}
    for spike in wanted:
        before_day: date | None = None
        after_day: date | None = None
        for day, first_day, last_day in snapshots:
            if day <= spike:
                before_day = day
                continue
            start = first_day if first_day is not None else day - timedelta(days=14)
            end = last_day if last_day is not None else day - timedelta(days=1)
            if start <= spike <= end:
                after_day = day
                break
        if after_day is None:
            continue
        before = counts.get(before_day, {}) if before_day is not None else {}
        after = counts.get(after_day, {})
        grown = sorted(
            ((name, count - before.get(name, 0), count) for name, count in after.items()),
            key=lambda item: (-item[1], item[0]),
        )
        result[spike] = [
            {"referrer": name, "growth": growth, "count": count}
            for name, growth, count in grown[:top]
            if growth > 0
        ]
    return result
