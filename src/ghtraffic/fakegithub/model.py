"""Deterministic simulated traffic: what GitHub's traffic endpoints show for a repo at an instant.

Everything here is a pure function of ``(seed, repo id, day, now)``. ``final_day`` is the value a
day settles on; ``visible_day`` is what of it GitHub shows at ``now`` (the current day grows hour
by hour, some days get a late upward revision 1–9 days later); ``daily_window`` and the
``*_body`` functions apply GitHub's 14-day window shape, which changed on the switch date:
before it the window ends with today (partial), its oldest day is truncated and zero days are
omitted; from it on the window is 14 complete days ending yesterday with explicit zeros.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from ghtraffic.domain import DayValues

#: The day GitHub switched to the new window shape (complete days, explicit zeros).
DEFAULT_SWITCH_DATE = date(2025, 12, 24)
WINDOW_DAYS = 14

Per = Literal["day", "week"]
Metric = Literal["views", "clones"]
JSON = dict[str, Any]

_GROWTH_EPOCH = date(2025, 1, 1)
#: Shares of busy and modest repositories; the rest are quiet.
BUSY_SHARE = 0.05
MODEST_SHARE = 0.25
_WEEKDAY = (1.05, 1.12, 1.1, 1.05, 0.95, 0.55, 0.6)
_BURST_REFERRERS = (
    "news.ycombinator.com",
    "reddit.com",
    "chatgpt.com",
    "lobste.rs",
    "t.co",
    "dev.to",
)
#: Referrer pool: search-engine labels and host names with a base share of a day's views.
_REFERRERS: tuple[tuple[str, float], ...] = (
    ("Google", 0.30),
    ("github.com", 0.18),
    ("Bing", 0.04),
    ("DuckDuckGo", 0.02),
    ("cn.bing.com", 0.01),
    ("Yahoo", 0.006),
    ("Baidu", 0.004),
    ("stackoverflow.com", 0.02),
    ("pypi.org", 0.02),
    ("chatgpt.com", 0.015),
    ("t.co", 0.01),
    ("reddit.com", 0.01),
    ("linkedin.com", 0.008),
    ("dev.to", 0.006),
    ("medium.com", 0.006),
    ("perplexity.ai", 0.004),
    ("news.ycombinator.com", 0.004),
    ("docs.github.com", 0.003),
    ("app.slack.com", 0.003),
    ("statics.teams.cdn.office.net", 0.003),
    ("lobste.rs", 0.002),
    ("kagi.com", 0.002),
)
_ISSUE_TITLES = (
    "Crash on startup with Python 3.13",
    "Support Windows paths",
    "Docs: typo in the quick start",
    "Feature request: JSON output",
    "Memory grows when processing large files",
    'Rendering breaks with <b>bold</b> & "quotes"',
    "Release 2.0 planning",
)
#: Path templates: suffix after ``/OWNER/REPO``, page title, base share of a day's views.
_PATHS: tuple[tuple[str, str, float], ...] = (
    ("", "GitHub - {full}{desc}", 0.45),
    ("/issues", "Issues · {full} · GitHub", 0.08),
    ("/blob/main/README.md", "{name}/README.md at main · {full} · GitHub", 0.06),
    ("/releases", "Releases · {full} · GitHub", 0.05),
    ("/pulls", "Pull requests · {full} · GitHub", 0.04),
    ("/actions", "Actions · {full} · GitHub", 0.03),
    ("/tree/main/docs", "{name}/docs at main · {full} · GitHub", 0.03),
    ("/wiki", "Home · {full} Wiki · GitHub", 0.02),
    ("/discussions", "{full} · Discussions · GitHub", 0.02),
    ("/blob/main/CHANGELOG.md", "{name}/CHANGELOG.md at main · {full} · GitHub", 0.015),
    ("/stargazers", "Stargazers · {full} · GitHub", 0.01),
    ("/graphs/traffic", "Traffic · {full} · GitHub", 0.008),
    ("/security", "Security Overview · {full} · GitHub", 0.005),
)
_ISSUE_SHARE = 0.02


def _key(*parts: object) -> int:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _rng(*parts: object) -> random.Random:
    return random.Random(_key(*parts))


def _unit(*parts: object) -> float:
    """A deterministic uniform number in [0, 1) for the given key."""
    return _key(*parts) / 2.0**64


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam < 40:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rng.random()
            if p < limit:
                return k
            k += 1
    return max(0, round(rng.gauss(lam, math.sqrt(lam))))


def _uniques(count: int, ratio: float) -> int:
    if count <= 0:
        return 0
    return min(count, max(1, round(count * ratio)))


def floor_hour(now: datetime) -> datetime:
    """GitHub refreshes traffic hourly: an instant counts as the start of its UTC hour."""
    now = now.astimezone(UTC)
    return now.replace(minute=0, second=0, microsecond=0)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def timestamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def dedup_uniques(daily_uniques: list[int], ratio: float) -> int:
    """A de-duplicated uniques figure: at least the largest part, at most the sum."""
    total = sum(daily_uniques)
    if total == 0:
        return 0
    return max(max(daily_uniques), min(total, round(total * ratio)))


@dataclass(frozen=True, slots=True)
class RepoProfile:
    """The slow-changing character of one repository's traffic."""

    level: float  # typical views per weekday
    unique_ratio: float
    ci: bool  # clones dominated by CI: clones >> clone uniques
    clone_level: float
    ci_uniques: float
    growth: float  # relative growth per year
    dedup: float  # window uniques / sum of daily uniques
    burst_rate: float
    quiet_lists: bool  # referrer and path lists always empty
    referrers: tuple[tuple[str, float, float], ...]  # (name, share, unique ratio)


@dataclass(frozen=True, slots=True)
class Burst:
    start: date
    days: int
    factor: float
    extra: float
    referrer: str


@dataclass(frozen=True, slots=True)
class Revision:
    lag_days: int  # the late part shows from day + lag_days on
    fraction: float  # share of the final value that arrives late


class TrafficModel:
    """Simulated (or replayed) traffic of every repository, keyed by the repository id.

    ``finals`` replaces the synthetic final day values for the repos it names (replay mode);
    a day missing from such a mapping is a zero day.
    """

    def __init__(
        self,
        seed: int = 1,
        *,
        switch_date: date = DEFAULT_SWITCH_DATE,
        finals: Mapping[int, Mapping[date, DayValues]] | None = None,
    ) -> None:
        self.seed = seed
        self.switch_date = switch_date
        self._finals = finals or {}
        self._profiles: dict[int, RepoProfile] = {}
        self._final_cache: dict[tuple[int, int], DayValues] = {}
        self._body_cache: dict[tuple[object, ...], Any] = {}

    # -- per repository -------------------------------------------------------------------

    def profile(self, repo_id: int) -> RepoProfile:
        cached = self._profiles.get(repo_id)
        if cached is not None:
            return cached
        rng = _rng(self.seed, repo_id, "profile")
        # As in a real organisation: most repositories are quiet (0–2 views a day), a
        # quarter modest, one in twenty busy and prone to bursts.
        tier = rng.random()
        busy = tier < BUSY_SHARE
        if busy:
            level = math.exp(rng.uniform(math.log(300), math.log(6000)))
        elif tier < BUSY_SHARE + MODEST_SHARE:
            level = math.exp(rng.uniform(math.log(4), math.log(120)))
        else:
            level = rng.uniform(0.0, 1.6)
        ci = rng.random() < 0.15
        if ci:
            clone_level = math.exp(rng.uniform(math.log(30), math.log(2500)))
        else:
            clone_level = level * rng.uniform(0.05, 0.5)
        pool = list(_REFERRERS)
        keep = [pool[0], pool[1]]
        rest = pool[2:]
        rng.shuffle(rest)
        keep += rest[: rng.randint(3, 12)]
        referrers = tuple(
            (name, share * rng.lognormvariate(0, 0.5), rng.uniform(0.3, 0.9))
            for name, share in keep
        )
        profile = RepoProfile(
            level=level,
            unique_ratio=rng.uniform(0.22, 0.6),
            ci=ci,
            clone_level=clone_level,
            ci_uniques=rng.uniform(2, 40),
            growth=rng.uniform(-0.15, 0.6),
            dedup=rng.uniform(0.55, 0.85),
            burst_rate=rng.uniform(0.04, 0.1) if busy else rng.uniform(0.005, 0.02),
            quiet_lists=rng.random() < 0.12,
            referrers=referrers,
        )
        self._profiles[repo_id] = profile
        return profile

    def burst(self, repo_id: int, day: date) -> Burst | None:
        """The traffic burst (1–3 days, with a new referrer) covering ``day``, if any."""
        rate = self.profile(repo_id).burst_rate
        for back in (0, 1, 2):
            start = day - timedelta(days=back)
            rng = _rng(self.seed, repo_id, start.toordinal(), "burst")
            if rng.random() >= rate:
                continue
            days = rng.randint(1, 3)
            if back < days:
                return Burst(
                    start=start,
                    days=days,
                    factor=rng.uniform(2.5, 12.0),
                    extra=math.exp(rng.uniform(math.log(15), math.log(3000))),
                    referrer=rng.choice(_BURST_REFERRERS),
                )
        return None

    def revision(self, repo_id: int, day: date) -> Revision | None:
        """A late upward revision of ``day`` (about 13% of days), if any."""
        rng = _rng(self.seed, repo_id, day.toordinal(), "revision")
        if rng.random() >= 0.13:
            return None
        return Revision(lag_days=rng.randint(1, 9), fraction=rng.uniform(0.25, 0.9))

    def final_day(self, repo_id: int, day: date) -> DayValues:
        """The value ``day`` settles on once GitHub has counted everything."""
        key = (repo_id, day.toordinal())
        cached = self._final_cache.get(key)
        if cached is not None:
            return cached
        replayed = self._finals.get(repo_id)
        value = (
            self._replayed(replayed, day) if replayed is not None else self._synthetic(repo_id, day)
        )
        if len(self._final_cache) > 500_000:
            self._final_cache.clear()
        self._final_cache[key] = value
        return value

    @staticmethod
    def _replayed(days: Mapping[date, DayValues], day: date) -> DayValues:
        found = days.get(day)
        views = (found.views or 0) if found else 0
        clones = (found.clones or 0) if found else 0
        return DayValues(
            day,
            views,
            min(views, (found.views_unique or 0) if found else 0),
            clones,
            min(clones, (found.clones_unique or 0) if found else 0),
        )

    def _synthetic(self, repo_id: int, day: date) -> DayValues:
        p = self.profile(repo_id)
        rng = _rng(self.seed, repo_id, day.toordinal(), "day")
        weekday = _WEEKDAY[day.weekday()]
        growth = max(0.2, 1.0 + p.growth * (day - _GROWTH_EPOCH).days / 365.25)
        burst = self.burst(repo_id, day)
        lam = p.level * weekday * growth * rng.lognormvariate(0, 0.35)
        ratio = p.unique_ratio * rng.lognormvariate(0, 0.12)
        extra_clones = 0.0
        if burst is not None:
            decay = 0.5 ** (day - burst.start).days
            lam = lam * (1 + (burst.factor - 1) * decay) + burst.extra * decay
            ratio = max(ratio, 0.7)
            extra_clones = burst.extra * decay * 0.04
        views = _poisson(rng, lam)
        views_unique = _uniques(views, ratio)
        if rng.random() < 0.01:  # a bot: every view a new visitor
            views_unique = views
        if p.ci:
            ci_weekday = 1.0 if day.weekday() < 5 else 0.35
            clones = _poisson(rng, p.clone_level * ci_weekday * rng.lognormvariate(0, 0.6))
            clones_unique = min(clones, max(1 if clones else 0, _poisson(rng, p.ci_uniques)))
        else:
            lam_c = p.clone_level * weekday * growth * rng.lognormvariate(0, 0.5)
            clones = _poisson(rng, lam_c + extra_clones)
            clones_unique = _uniques(clones, rng.uniform(0.45, 0.95))
        return DayValues(day, views, views_unique, clones, clones_unique)

    # -- what GitHub shows ----------------------------------------------------------------

    def visible_day(self, repo_id: int, day: date, now: datetime) -> DayValues:
        """What GitHub shows for ``day`` at ``now`` (before window truncation and zero omission).

        Non-decreasing in ``now`` and never above ``final_day``.
        """
        now = floor_hour(now)
        start = day_start(day)
        if now < start:
            return DayValues(day, 0, 0, 0, 0)
        final = self.final_day(repo_id, day)
        hours = min(24, int((now - start).total_seconds() // 3600))
        rev = self.revision(repo_id, day)
        fraction = rev.fraction if rev is not None else 0.0
        revealed = rev is not None and (now.date() - day).days >= rev.lag_days

        def part(value: int | None) -> int:
            value = value or 0
            late = math.floor(value * fraction)
            return (value - late) * hours // 24 + (late if revealed else 0)

        views, clones = part(final.views), part(final.clones)
        return DayValues(
            day,
            views,
            _fix_uniques(views, part(final.views_unique), final.views_unique),
            clones,
            _fix_uniques(clones, part(final.clones_unique), final.clones_unique),
        )

    def new_shape(self, now: datetime) -> bool:
        """True when ``now`` is on or after the switch to complete days with explicit zeros."""
        return now.astimezone(UTC).date() >= self.switch_date

    def window_days(self, now: datetime) -> tuple[date, date]:
        """First and last day of the daily window served at ``now``."""
        today = now.astimezone(UTC).date()
        if self.new_shape(now):
            return today - timedelta(days=WINDOW_DAYS), today - timedelta(days=1)
        return today - timedelta(days=WINDOW_DAYS - 1), today

    def daily_window(self, repo_id: int, now: datetime) -> list[DayValues]:
        """Every day of the window as served at ``now``, zeros included (the oldest truncated
        in the old shape). The served body omits the zero days of each metric in the old shape.
        """
        now = floor_hour(now)
        key = ("window", repo_id, now)
        cached = self._body_cache.get(key)
        if cached is not None:
            result: list[DayValues] = cached
            return result
        first, _last = self.window_days(now)
        days = [
            self.visible_day(repo_id, first + timedelta(days=i), now) for i in range(WINDOW_DAYS)
        ]
        if not self.new_shape(now):
            days[0] = _truncate(days[0], 24 - now.hour)
        self._remember(key, days)
        return days

    def views_body(self, repo_id: int, now: datetime, per: Per = "day") -> JSON:
        """The ``/traffic/views`` body exactly as served at ``now``."""
        return self._traffic_body(repo_id, now, per, "views")

    def clones_body(self, repo_id: int, now: datetime, per: Per = "day") -> JSON:
        """The ``/traffic/clones`` body exactly as served at ``now``."""
        return self._traffic_body(repo_id, now, per, "clones")

    def _traffic_body(self, repo_id: int, now: datetime, per: Per, metric: Metric) -> JSON:
        now = floor_hour(now)
        key = (metric, repo_id, now, per)
        cached = self._body_cache.get(key)
        if cached is not None:
            body: JSON = cached
            return body
        dedup = self.profile(repo_id).dedup
        pairs = [_pair(day, metric) for day in self.daily_window(repo_id, now)]
        omit_zeros = not self.new_shape(now)
        if per == "week":
            weeks: dict[date, list[tuple[int, int]]] = {}
            for day, count, uniques in pairs:
                monday = day - timedelta(days=day.weekday())
                weeks.setdefault(monday, []).append((count, uniques))
            buckets = [
                (monday, sum(c for c, _ in vals), dedup_uniques([u for _, u in vals], dedup))
                for monday, vals in sorted(weeks.items())
            ]
        else:
            buckets = pairs
        body = {
            "count": sum(count for _, count, _ in pairs),
            "uniques": dedup_uniques([u for _, _, u in pairs], dedup),
            metric: [
                {"timestamp": timestamp(day), "count": count, "uniques": uniques}
                for day, count, uniques in buckets
                if not (omit_zeros and count == 0)
            ],
        }
        self._remember(key, body)
        return body

    def referrers_body(self, repo_id: int, now: datetime) -> list[JSON]:
        """The ``/traffic/popular/referrers`` body at ``now``: top 10 over the window."""
        now = floor_hour(now)
        key = ("referrers", repo_id, now)
        cached = self._body_cache.get(key)
        if cached is not None:
            rows: list[JSON] = cached
            return rows
        profile = self.profile(repo_id)
        counts: dict[str, _Tally] = {}
        if not profile.quiet_lists:
            for served in self.daily_window(repo_id, now):
                views = served.views or 0
                if views == 0:
                    continue
                week = served.day.toordinal() // 7
                for i, (name, share, ratio) in enumerate(profile.referrers):
                    if i >= 2 and _unit(self.seed, repo_id, name, week, "on") < 0.2:
                        continue
                    jitter = 0.6 + 0.8 * _unit(self.seed, repo_id, name, served.day, "j")
                    _add(counts, name, math.floor(views * share * jitter), ratio)
                burst = self.burst(repo_id, served.day)
                if burst is not None:
                    _add(counts, burst.referrer, math.floor(views * 0.55), 0.85)
        rows = _top(counts, "referrer", profile.dedup)
        self._remember(key, rows)
        return rows

    def paths_body(
        self, repo_id: int, full_name: str, now: datetime, description: str | None = None
    ) -> list[JSON]:
        """The ``/traffic/popular/paths`` body at ``now``: top 10 over the window."""
        now = floor_hour(now)
        key = ("paths", repo_id, full_name, now)
        cached = self._body_cache.get(key)
        if cached is not None:
            rows: list[JSON] = cached
            return rows
        profile = self.profile(repo_id)
        name = full_name.split("/", 1)[-1]
        desc = f": {description}" if description else ""
        titles: dict[str, str] = {}
        counts: dict[str, _Tally] = {}
        if not profile.quiet_lists:
            for served in self.daily_window(repo_id, now):
                views = served.views or 0
                if views == 0:
                    continue
                for suffix, title, share in _PATHS:
                    path = f"/{full_name}{suffix}"
                    titles[path] = title.format(full=full_name, name=name, desc=desc)
                    jitter = 0.5 + _unit(self.seed, repo_id, suffix, served.day, "p")
                    _add(counts, path, math.floor(views * share * jitter), 0.6)
                week = served.day.toordinal() // 7
                number = 1 + int(_unit(self.seed, repo_id, week, "issue") * 120)
                path = f"/{full_name}/issues/{number}"
                issue = _ISSUE_TITLES[number % len(_ISSUE_TITLES)]
                titles[path] = f"{issue} · Issue #{number} · {full_name} · GitHub"
                _add(counts, path, math.floor(views * _ISSUE_SHARE * 1.5), 0.7)
        rows = _top(counts, "path", profile.dedup)
        rows = [
            {
                "path": r["path"],
                "title": titles[r["path"]],
                "count": r["count"],
                "uniques": r["uniques"],
            }
            for r in rows
        ]
        self._remember(key, rows)
        return rows

    def _remember(self, key: tuple[object, ...], value: Any) -> None:
        if len(self._body_cache) > 100_000:
            self._body_cache.clear()
        self._body_cache[key] = value


def _fix_uniques(count: int, uniques: int, final_uniques: int | None) -> int:
    if count > 0 and uniques == 0 and (final_uniques or 0) > 0:
        uniques = 1
    return min(count, uniques)


def _truncate(value: DayValues, keep_hours: int) -> DayValues:
    """The part of a day after ``24 - keep_hours`` hours (the rolling window's oldest day)."""

    def cut(v: int | None) -> int:
        return (v or 0) * keep_hours // 24

    views, clones = cut(value.views), cut(value.clones)
    return DayValues(
        value.day,
        views,
        _fix_uniques(views, cut(value.views_unique), value.views_unique),
        clones,
        _fix_uniques(clones, cut(value.clones_unique), value.clones_unique),
    )


def _pair(value: DayValues, metric: Metric) -> tuple[date, int, int]:
    if metric == "views":
        return value.day, value.views or 0, value.views_unique or 0
    return value.day, value.clones or 0, value.clones_unique or 0


@dataclass(slots=True)
class _Tally:
    count: int = 0
    uniques: list[int] = field(default_factory=list)


def _add(counts: dict[str, _Tally], name: str, count: int, ratio: float) -> None:
    if count <= 0:
        return
    tally = counts.setdefault(name, _Tally())
    tally.count += count
    tally.uniques.append(max(1, math.floor(count * ratio)))


def _top(counts: dict[str, _Tally], label: str, dedup: float) -> list[JSON]:
    ranked = sorted(counts.items(), key=lambda item: (-item[1].count, item[0]))[:10]
    return [
        {label: name, "count": t.count, "uniques": min(t.count, dedup_uniques(t.uniques, dedup))}
        for name, t in ranked
    ]
