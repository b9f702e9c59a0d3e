"""The notifications processing sends: a spike and a failed collection."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ghtraffic.notifications.base import Message


def _referrer_text(referrers: list[dict[str, Any]] | None) -> str:
    if referrers is None:
        return "Referrers: not known yet (no referrer list covers the day yet)."
    if not referrers:
        return "Referrers: no referrer grew across the day."
    parts = [f"{r['referrer']} (+{int(r['growth']):,})" for r in referrers]
    return "Referrers that grew most (14-day counts): " + ", ".join(parts) + "."


def spike_message(
    *,
    event_id: int,
    repo_id: int,
    full_name: str,
    day: date,
    metric: str,
    value: int,
    baseline: float,
    mad: float,
    threshold: float,
    referrers: list[dict[str, Any]] | None,
    link: str | None = None,
) -> Message:
    title = f"Traffic spike: {full_name} had {value:,} {metric} on {day.isoformat()}"
    text = (
        f"{full_name}: {value:,} {metric} on {day.isoformat()}, usually about "
        f"{baseline:,.0f} a day (spike threshold {threshold:,.0f}).\n" + _referrer_text(referrers)
    )
    fields = {
        "Repository": full_name,
        "Day": day.isoformat(),
        metric.capitalize(): f"{value:,}",
        "Usual": f"{baseline:,.0f}",
    }
    if referrers:
        fields["Top referrer"] = str(referrers[0]["referrer"])
    return Message(
        kind="spike",
        title=title,
        text=text,
        data={
            "event_id": event_id,
            "repo_id": repo_id,
            "repo": full_name,
            "day": day.isoformat(),
            "metric": metric,
            "value": value,
            "baseline": baseline,
            "mad": mad,
            "threshold": threshold,
            "referrers": referrers,
        },
        fields=fields,
        link=link,
    )


def failure_message(
    *, name: str, repo_id: int | None, reason: str | None, at: datetime, link: str | None = None
) -> Message:
    why = reason or "no reason given"
    return Message(
        kind="collection_failed",
        title=f"Collection failed: {name}",
        text=f"Collecting {name} failed at {at:%Y-%m-%d %H:%M} UTC: {why}",
        data={"repo": name, "repo_id": repo_id, "reason": reason, "at": at.isoformat()},
        fields={"Repository": name, "Reason": why},
        link=link,
    )
