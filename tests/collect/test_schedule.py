"""The policy of which repositories a run reads: each one's interval and why, the urgency
order (never deferred behind one read more recently), and stretching the quietest first
when the budget is short."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ghtraffic.collect.schedule import (
    BUSY_VIEWS,
    LAST_CHANCE,
    MODEST_VIEWS,
    WINDOW_DAYS,
    choose,
    interval_of,
    is_due,
    stretch,
)
from ghtraffic.collect.targets import Target
from ghtraffic.storage.records import RepoState

TODAY = date(2026, 6, 15)


def state(
    repo_id: int,
    *,
    read_days_ago: int | None = 1,
    views_a_day: float = 0.0,
    spike_days_ago: int | None = None,
    release_days_ago: int | None = None,
) -> RepoState:
    read = TODAY - timedelta(days=read_days_ago) if read_days_ago is not None else None
    return RepoState(
        repo_id,
        f"acme/repo-{repo_id}",
        None,
        None,
        datetime.combine(read, time(3), UTC) if read is not None else None,
        None,
        last_covered_day=read - timedelta(days=1) if read is not None else None,
        views_14d=round(views_a_day * WINDOW_DAYS) if read is not None else None,
        last_spike_day=TODAY - timedelta(days=spike_days_ago) if spike_days_ago else None,
        last_release_day=TODAY - timedelta(days=release_days_ago) if release_days_ago else None,
    )


def test_each_kind_of_repository_gets_its_interval_and_says_why() -> None:
    def of(found: RepoState | None, cadence: str = "auto", most: int = 7) -> tuple[int, str]:
        interval = interval_of(found, TODAY, cadence=cadence, max_interval=most)
        return interval.days, interval.kind

    assert of(None) == (1, "new")
    assert of(state(1, views_a_day=BUSY_VIEWS)) == (1, "busy")
    assert of(state(1, views_a_day=MODEST_VIEWS)) == (4, "modest")
    assert of(state(1, views_a_day=MODEST_VIEWS), most=2) == (2, "modest")
    assert of(state(1, views_a_day=0.5)) == (7, "quiet")
    assert of(state(1, views_a_day=0.5), most=12) == (12, "quiet")
    assert of(state(1, views_a_day=0.5, spike_days_ago=3)) == (1, "busy")
    assert of(state(1, views_a_day=0.5, spike_days_ago=9)) == (7, "quiet")
    assert of(state(1, views_a_day=0.5, release_days_ago=5)) == (1, "busy")
    assert of(state(1, views_a_day=0.5, release_days_ago=10)) == (7, "quiet")
    assert of(state(1, views_a_day=0.5), cadence="daily") == (1, "daily")
    spiked = interval_of(state(1, spike_days_ago=3), TODAY, cadence="auto", max_interval=7).why
    assert spiked == f"a spike on {TODAY - timedelta(days=3)}"


@given(st.integers(0, 20), st.integers(1, 12))
def test_a_repository_is_due_once_its_interval_passed_or_its_days_are_about_to_leave(
    read_days_ago: int, every: int
) -> None:
    found = state(1, read_days_ago=read_days_ago, views_a_day=0.5)
    interval = interval_of(found, TODAY, cadence="auto", max_interval=every)
    left = WINDOW_DAYS - read_days_ago  # the oldest day not archived: the day of the read
    assert is_due(found, interval, TODAY) == (read_days_ago >= every or left <= LAST_CHANCE)
    assert is_due(None, interval, TODAY)


reads = st.one_of(st.none(), st.integers(0, 13))


@given(st.lists(st.tuples(reads, st.floats(0, 500)), min_size=1, max_size=40))
def test_the_urgency_order_never_defers_a_repository_behind_one_read_more_recently(
    repos: list[tuple[int | None, float]],
) -> None:
    states = {
        i: state(i, read_days_ago=days, views_a_day=views)
        for i, (days, views) in enumerate(repos)
        if days is not None
    }
    targets = [Target(f"acme/repo-{i}") for i in range(len(repos))]
    choice = choose(targets, states, TODAY, cadence="auto", max_interval=7, everything=True)
    assert len(choice.due) == len(targets)
    order = [int(t.requested.rsplit("-", 1)[1]) for t in choice.due]
    never = [i for i in order if i not in states]
    assert order[: len(never)] == never, "a repository never read comes first"
    read_at = [states[i].last_success_at or datetime.min for i in order[len(never) :]]
    assert read_at == sorted(read_at), "then the longest since its last read"


@given(
    st.lists(st.floats(0, 300), min_size=1, max_size=60),
    st.floats(0, 400),
    st.integers(3, 12),
)
def test_a_short_budget_stretches_the_quietest_first_and_never_past_max_interval(
    views: list[float], available: float, most: int
) -> None:
    states = {i: state(i, views_a_day=v) for i, v in enumerate(views)}
    intervals = {
        i: interval_of(s, TODAY, cadence="auto", max_interval=most) for i, s in states.items()
    }
    stretched = stretch(intervals, states, available, most)
    need = sum(i.points_per_day() for i in stretched.values())
    assert need <= available or all(i.days == most for i in stretched.values())
    assert all(stretched[i].days >= intervals[i].days for i in intervals)
    assert all(i.days <= most for i in stretched.values())
    longer = [i for i in intervals if stretched[i].days > intervals[i].days]
    kept = [i for i in intervals if stretched[i].days == intervals[i].days < most]
    if longer and kept:  # every stretched one had no more views than any one kept short
        assert max(views[i] for i in longer) <= min(views[i] for i in kept) + 1 / WINDOW_DAYS
