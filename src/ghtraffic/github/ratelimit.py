"""Rate-limit headers and the server's clock, read from every response.

Waits are always ``reset - server Date``: the server's clock may differ from this machine's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass(frozen=True, slots=True)
class RateLimitState:
    """The ``x-ratelimit-*`` headers of one response, with the server time it was observed at."""

    limit: int
    remaining: int
    used: int
    reset_at: datetime
    observed_at: datetime
    resource: str = "core"

    @property
    def wait_seconds(self) -> float:
        """Seconds until the window resets, measured on the server's clock (never negative)."""
        return max(0.0, (self.reset_at - self.observed_at).total_seconds())


def parse_http_date(value: str | None) -> datetime | None:
    """Parse an HTTP ``Date`` header into an aware UTC datetime (``None`` if absent or bad)."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _int(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        return None


def parse_rate_headers(
    headers: Mapping[str, str], observed_at: datetime | None = None
) -> RateLimitState | None:
    """Read ``x-ratelimit-*``; ``None`` when the response has none (e.g. GHES with limits off).

    ``observed_at`` defaults to the response's ``Date`` header, then to this machine's clock.
    """
    limit = _int(headers, "x-ratelimit-limit")
    remaining = _int(headers, "x-ratelimit-remaining")
    reset = _int(headers, "x-ratelimit-reset")
    if limit is None or remaining is None or reset is None:
        return None
    used = _int(headers, "x-ratelimit-used")
    when = observed_at or parse_http_date(headers.get("date")) or datetime.now(UTC)
    return RateLimitState(
        limit=limit,
        remaining=remaining,
        used=used if used is not None else max(0, limit - remaining),
        reset_at=datetime.fromtimestamp(reset, UTC),
        observed_at=when,
        resource=headers.get("x-ratelimit-resource") or "core",
    )


def retry_after_seconds(headers: Mapping[str, str], now: datetime | None) -> float | None:
    """The ``Retry-After`` header in seconds: a number, or an HTTP date relative to ``now``."""
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    at = parse_http_date(raw)
    if at is None or now is None:
        return None
    return max(0.0, (at - now).total_seconds())
