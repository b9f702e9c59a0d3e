"""The simulated traffic, checked without HTTP: shapes, revisions and bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ghtraffic.fakegithub.model import Per, TrafficModel

MODEL = TrafficModel(seed=3)
PERS: tuple[Per, ...] = ("day", "week")
REPO_IDS = st.integers(min_value=1, max_value=60)
INSTANTS = st.datetimes(
    min_value=datetime(2025, 10, 1), max_value=datetime(2026, 3, 1), timezones=st.just(UTC)
)


@settings(max_examples=60, deadline=None)
@given(REPO_IDS, INSTANTS, st.integers(min_value=1, max_value=400))
def test_visible_values_only_grow_and_never_exceed_final(
    repo_id: int, now: datetime, later_hours: int
) -> None:
    later = now + timedelta(hours=later_hours)
    for offset in range(-16, 1):
        day = now.date() + timedelta(days=offset)
        final = MODEL.final_day(repo_id, day)
        first, second = MODEL.visible_day(repo_id, day, now), MODEL.visible_day(repo_id, day, later)
        for metric in ("views", "views_unique", "clones", "clones_unique"):
            a, b, f = first.metric(metric), second.metric(metric), final.metric(metric)
            assert a is not None
            assert b is not None
            assert f is not None
            assert 0 <= a <= b <= f
        assert (second.views_unique or 0) <= (second.views or 0)
        assert (second.clones_unique or 0) <= (second.clones or 0)


@settings(max_examples=40, deadline=None)
@given(REPO_IDS, INSTANTS, st.sampled_from(PERS))
def test_bodies_are_consistent(repo_id: int, now: datetime, per: Per) -> None:
    for body, key in (
        (MODEL.views_body(repo_id, now, per), "views"),
        (MODEL.clones_body(repo_id, now, per), "clones"),
    ):
        rows = body[key]
        assert body["count"] == sum(r["count"] for r in rows)
        if rows:
            assert max(r["uniques"] for r in rows) <= body["uniques"]
            assert body["uniques"] <= sum(r["uniques"] for r in rows) or per == "week"
        for row in rows:
            day = date.fromisoformat(row["timestamp"][:10])
            assert row["timestamp"].endswith("T00:00:00Z")
            assert row["uniques"] <= row["count"]
            if per == "week":
                assert day.weekday() == 0


def test_old_window_ends_today_omits_zeros_and_truncates_the_oldest_day() -> None:
    now = datetime(2025, 11, 20, 15, 30, tzinfo=UTC)
    first, last = MODEL.window_days(now)
    assert (first, last) == (date(2025, 11, 7), date(2025, 11, 20))
    zero_seen = False
    for repo_id in range(1, 60):
        window = MODEL.daily_window(repo_id, now)
        assert [d.day for d in window] == [first + timedelta(days=i) for i in range(14)]
        oldest = MODEL.visible_day(repo_id, first, now)
        assert window[0].views == (oldest.views or 0) * (24 - 15) // 24
        today = MODEL.final_day(repo_id, last)
        assert (window[-1].views or 0) <= (today.views or 0)
        served = {r["timestamp"][:10] for r in MODEL.views_body(repo_id, now)["views"]}
        for day in window:
            assert (day.day.isoformat() in served) == ((day.views or 0) > 0)
            zero_seen |= day.views == 0
    assert zero_seen


def test_new_window_is_fourteen_complete_days_ending_yesterday_with_zeros() -> None:
    now = datetime(2026, 1, 5, 23, tzinfo=UTC)
    assert MODEL.window_days(now) == (date(2025, 12, 22), date(2026, 1, 4))
    for repo_id in range(1, 30):
        rows = MODEL.views_body(repo_id, now)["views"]
        assert [r["timestamp"][:10] for r in rows] == [
            (date(2025, 12, 22) + timedelta(days=i)).isoformat() for i in range(14)
        ]
        for row, day in zip(rows, MODEL.daily_window(repo_id, now), strict=True):
            assert row["count"] == MODEL.visible_day(repo_id, day.day, now).views


def test_weekly_buckets_start_on_monday_and_sum_the_days() -> None:
    now = datetime(2026, 1, 8, 10, tzinfo=UTC)
    for repo_id in range(1, 20):
        daily = MODEL.daily_window(repo_id, now)
        weekly = MODEL.clones_body(repo_id, now, "week")["clones"]
        for bucket in weekly:
            monday = date.fromisoformat(bucket["timestamp"][:10])
            assert monday.weekday() == 0
            days = [d for d in daily if monday <= d.day < monday + timedelta(days=7)]
            assert bucket["count"] == sum(d.clones or 0 for d in days)
            assert bucket["uniques"] >= max(d.clones_unique or 0 for d in days)


def test_traffic_is_realistic_and_deterministic() -> None:
    other = TrafficModel(seed=3)
    day = date(2026, 1, 2)
    values = [MODEL.final_day(r, day) for r in range(1, 200)]
    assert values == [other.final_day(r, day) for r in range(1, 200)]
    views = sorted(v.views or 0 for v in values)
    assert views[0] == 0
    assert views[-1] > 500
    ci = [v for v in values if (v.clones or 0) > 20 * max(1, v.clones_unique or 0)]
    assert ci  # CI-heavy repos: clones far above clone uniques
    assert [TrafficModel(seed=4).final_day(r, day) for r in range(1, 20)] != values[:19]


def test_some_days_are_revised_late() -> None:
    day = date(2026, 1, 1)
    revised = [r for r in range(1, 300) if MODEL.revision(r, day) is not None]
    assert 0.05 < len(revised) / 299 < 0.25
    repo_id = next(r for r in revised if (MODEL.final_day(r, day).views or 0) > 10)
    rev = MODEL.revision(repo_id, day)
    assert rev is not None
    revealed_at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=rev.lag_days)
    before = MODEL.visible_day(repo_id, day, revealed_at - timedelta(hours=1))
    after = MODEL.visible_day(repo_id, day, revealed_at)
    assert (before.views or 0) < (after.views or 0) == MODEL.final_day(repo_id, day).views


def test_bursts_bring_a_new_referrer() -> None:
    for repo_id in range(1, 400):
        for offset in range(60):
            day = date(2025, 11, 1) + timedelta(days=offset)
            burst = MODEL.burst(repo_id, day)
            if burst is None or MODEL.profile(repo_id).quiet_lists:
                continue
            now = datetime.combine(day + timedelta(days=2), datetime.min.time(), UTC)
            names = [r["referrer"] for r in MODEL.referrers_body(repo_id, now)]
            if burst.referrer in names:
                return
    raise AssertionError("no burst referrer found")
