"""Spikes in the archive become events: once per day and metric, on complete days only,
attributed to the referrers that grew, with the value following GitHub's revisions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ghtraffic.domain import DayValues
from ghtraffic.readmodels.events import ReferrerGrowth, deliveries, events
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from tests.processing.helpers import Recorder, collect, day, new_repo, processor

#: 28 days alternating 100 and 110 views: median 105, every deviation 5, so the scaled
#: MAD is 5 × 1.4826 = 7.413 and the threshold with k = 3.5 is 105 + 25.9455 = 130.9455.
HISTORY = {day(i): 100 if i % 2 == 0 else 110 for i in range(28)}
SPIKE = day(28)
BEFORE = [("Google", 300), ("github.com", 100)]
AFTER = [("Google", 320), ("news.ycombinator.com", 200), ("github.com", 105)]
#: Judge only days with all 28 days before them archived: the early days of the
#: alternating history have short, lopsided baselines.
FULL = {"spike_min_history": 28}


def history(archive: Archive, repo_id: int) -> None:
    """Collected on the spike day: the window ends the day before."""
    collect(archive, repo_id, SPIKE, HISTORY, referrers=BEFORE)


@pytest.mark.parametrize(("views", "expected"), [(130, 0), (131, 1)])
def test_a_day_above_median_plus_k_mad_is_one_event(
    archive: Archive, db: Database, views: int, expected: int
) -> None:
    repo_id = new_repo(archive)
    channel = Recorder()
    proc = processor(db, FULL, transports=[channel])
    proc.process_repo(repo_id, collect(archive, repo_id, SPIKE, HISTORY, referrers=BEFORE))
    now = collect(archive, repo_id, day(29), {SPIKE: views}, referrers=AFTER)
    result = proc.process_repo(repo_id, now)

    found = events(db, [repo_id])
    assert len(found) == expected == len(result.new_events) == len(channel.sent)
    if expected:
        event = found[0]
        assert (event.day, event.metric, event.value) == (SPIKE, "views", 131)
        assert event.baseline == 105
        assert event.mad == pytest.approx(7.413)
        assert event.threshold == pytest.approx(130.9455)
        assert event.referrers == (
            ReferrerGrowth("news.ycombinator.com", 200, 200),
            ReferrerGrowth("Google", 20, 320),
            ReferrerGrowth("github.com", 5, 105),
        )
        assert channel.sent[0].data["referrers"][0]["referrer"] == "news.ycombinator.com"


def test_reprocessing_and_revisions_never_duplicate_an_event(
    archive: Archive, db: Database
) -> None:
    repo_id = new_repo(archive)
    channel = Recorder()
    proc = processor(db, FULL, transports=[channel])
    history(archive, repo_id)
    proc.process_repo(repo_id, collect(archive, repo_id, day(29), {SPIKE: 400}, referrers=AFTER))
    first = events(db, [repo_id])
    assert [e.value for e in first] == [400]

    # Processed again, rebuilt from scratch, and by a second processor: nothing new.
    now = collect(archive, repo_id, day(29), {SPIKE: 400}, referrers=AFTER)
    assert proc.process_repo(repo_id, now).new_events == []
    assert proc.process_repo(repo_id, now, full=True).new_events == []
    assert processor(db, FULL, transports=[channel]).process_repo(repo_id, now).new_events == []

    # GitHub revises the day upward two days later: the same event, with the new value.
    now = collect(archive, repo_id, day(31), {SPIKE: 650, day(29): 105, day(30): 100})
    assert proc.process_repo(repo_id, now).raised_events == 1
    found = events(db, [repo_id])
    assert [(e.id, e.value) for e in found] == [(first[0].id, 650)]
    assert len(channel.sent) == 1
    assert len(deliveries(db)) == 1


def test_the_newest_partial_day_is_not_judged_until_it_is_complete(
    archive: Archive, db: Database
) -> None:
    repo_id = new_repo(archive)
    proc = processor(db, FULL)
    # Old window shape: collected on the spike day, the window ends with it (still growing).
    now = collect(archive, repo_id, SPIKE, {**HISTORY, SPIKE: 900}, old_shape=True)
    proc.process_repo(repo_id, now)
    assert events(db) == []
    now = collect(archive, repo_id, day(29), {SPIKE: 1400, day(29): 50}, old_shape=True)
    proc.process_repo(repo_id, now)
    assert [(e.day, e.value) for e in events(db)] == [(SPIKE, 1400)]


def test_tiny_counts_are_no_spike_and_settings_apply(archive: Archive, db: Database) -> None:
    quiet = {day(i): 0 for i in range(28)}
    small, large = new_repo(archive), new_repo(archive)
    default = processor(db)
    collect(archive, small, day(29), {**quiet, SPIKE: 19})
    collect(archive, large, day(29), {**quiet, SPIKE: 20})
    default.process_repo(small, processor_now := collect(archive, small, day(29), {}))
    default.process_repo(large, processor_now)
    assert [(e.repo_id, e.value) for e in events(db)] == [(large, 20)]

    sensitive = new_repo(archive)
    collect(archive, sensitive, day(29), {**quiet, SPIKE: 6})
    processor(db, {"spike_min": 5}).process_repo(sensitive, processor_now)
    assert {e.repo_id for e in events(db)} == {large, sensitive}

    strict = new_repo(archive)
    collect(archive, strict, day(29), {**HISTORY, SPIKE: 131})
    processor(db, {**FULL, "spike_k": 4}).process_repo(strict, processor_now)
    assert strict not in {e.repo_id for e in events(db)}


def test_a_burst_over_several_days_is_one_event(archive: Archive, db: Database) -> None:
    repo_id = new_repo(archive)
    proc = processor(db, FULL)
    history(archive, repo_id)
    burst = {SPIKE: 900, day(29): 700, day(30): 400}
    proc.process_repo(repo_id, collect(archive, repo_id, day(31), burst))
    assert [e.day for e in events(db)] == [SPIKE]


def test_clones_spike_separately_and_metrics_can_be_limited(archive: Archive, db: Database) -> None:
    repo_id, views_only = new_repo(archive), new_repo(archive)
    rows = {d: DayValues(d, v, v // 2, 30 + v % 3, 10) for d, v in HISTORY.items()}
    rows[SPIKE] = DayValues(SPIKE, 500, 300, 400, 50)
    now = collect(archive, repo_id, day(29), rows)
    collect(archive, views_only, day(29), rows)
    processor(db, FULL).process_repo(repo_id, now)
    processor(db, {**FULL, "spike_metrics": ["views"]}).process_repo(views_only, now)
    assert sorted((e.repo_id, e.metric) for e in events(db)) == [
        (repo_id, "clones"),
        (repo_id, "views"),
        (views_only, "views"),
    ]


def test_old_spikes_found_in_a_first_pass_are_kept_but_not_sent(
    archive: Archive, db: Database
) -> None:
    repo_id = new_repo(archive)
    channel = Recorder()
    now = collect(archive, repo_id, day(40), {**HISTORY, SPIKE: 900})
    processor(db, FULL, transports=[channel]).process_repo(repo_id, now)
    assert [e.day for e in events(db)] == [SPIKE]
    assert channel.sent == []
    assert now.date() - timedelta(days=7) > SPIKE


def test_referrers_are_filled_in_when_a_covering_list_arrives_later(
    archive: Archive, db: Database
) -> None:
    repo_id = new_repo(archive)
    proc = processor(db, FULL)
    history(archive, repo_id)
    now = collect(archive, repo_id, day(29), {SPIKE: 400})  # no referrer list this time
    proc.process_repo(repo_id, now)
    assert events(db)[0].referrers is None
    now = collect(archive, repo_id, day(30), {day(29): 105}, referrers=AFTER)
    proc.process_repo(repo_id, now)
    referrers = events(db)[0].referrers
    assert referrers is not None
    assert referrers[0].referrer == "news.ycombinator.com"


def test_events_read_newest_first_and_filtered(archive: Archive, db: Database) -> None:
    a, b = new_repo(archive), new_repo(archive)
    for repo_id in (a, b):
        collect(archive, repo_id, day(29), {**HISTORY, SPIKE: 900})
    later = date.fromordinal(SPIKE.toordinal() + 5)
    now = collect(
        archive, b, day(40), {d: 105 for d in (day(29 + i) for i in range(11))} | {later: 2000}
    )
    proc = processor(db, FULL)
    proc.process_repo(a, now)
    proc.process_repo(b, now)
    assert [(e.repo_id, e.day) for e in events(db)] == [(b, later), (b, SPIKE), (a, SPIKE)]
    assert [e.day for e in events(db, [a])] == [SPIKE]
    assert [e.day for e in events(db, since=later)] == [later]
    assert len(events(db, limit=1)) == 1
    assert events(db, []) == []
