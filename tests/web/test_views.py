"""Pages without a browser: the collection banner that turns into the run's result, a
message for an invalid range, partial periods of the chart data, and the overview that
says when there is no earlier period to compare with."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from starlette.testclient import TestClient

from ghtraffic.config import Settings
from ghtraffic.domain import RepoOutcome
from ghtraffic.readmodels import chartdata
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.web.app import create_app
from tests.web.conftest import CONFIG, csrf_from, login


def test_the_collection_banner_turns_into_the_run_result(seeded: Database) -> None:
    archive = Archive(seeded)
    started: list[int] = []

    async def collect_now() -> bool:
        started.append(archive.start_run("https://api.github.com", datetime.now(UTC)))
        return True

    app = create_app(seeded, Settings(), config=CONFIG, collect_now=collect_now)
    with TestClient(app, follow_redirects=False) as client:
        login(client, "admin")
        page = client.get("/collection")
        answer = client.post("/collection/run", data={"csrf_token": csrf_from(page.text)})
        where = answer.headers["location"]
        assert re.fullmatch(r"/collection\?flash=started&after=\d+", where)
        assert "A collection has started" in client.get(where).text
        for name, repo_id in (("acme/rocket", 101), ("acme/anvil", 102), ("globex/x", 201)):
            outcome = RepoOutcome(name, "ok", repo_id, requests=4, points=4, days_added=1)
            archive.record_result(started[0], outcome)
        archive.finish_run(started[0], datetime.now(UTC))
        done = client.get(where).text
        assert f"Run #{started[0]} ended: ok, 3 ok, 0 failed" in done
        assert "A collection has started" not in done


def test_an_invalid_date_gets_a_message_not_a_silent_default(admin: TestClient) -> None:
    page = admin.get("/?range=custom&since=yesterday&until=2026-02-01").text
    assert "yesterday: not a date; give dates as YYYY-MM-DD" in page
    assert "Showing the last 30 days instead" in page
    assert "is not a range" in admin.get("/repos/acme/rocket?range=5y").text


def test_no_earlier_data_instead_of_a_percentage(admin: TestClient) -> None:
    # the seeded archive holds 60 days: 12 months has no previous year to compare with
    page = admin.get("/?range=12m").text
    assert "no earlier data" in page
    assert "the archive holds no earlier period to compare with" in page
    assert "%" not in page.split('data-kpi="Views"', 1)[1].split("</div>", 2)[1]
    assert "compared with the 30 days before" in admin.get("/?range=30d").text


def test_weekly_and_monthly_sums_mark_the_periods_a_range_cuts() -> None:
    days = chartdata.days_between(date(2026, 1, 7), date(2026, 3, 10))  # a Wednesday on
    values = {"views": [1] * len(days)}
    weeks = chartdata.weekly_sums(days, values)
    assert weeks["days"][0] == "2026-01-05"
    assert weeks["series"]["views"][0] == 5  # Wednesday to Sunday
    assert weeks["partial_first"] is True
    assert weeks["partial_last"] is True  # Monday and Tuesday of the last week
    assert weeks["span"] == ["2026-01-07", "2026-03-10"]
    months = chartdata.monthly_sums(days, values)
    assert months["series"]["views"] == [25, 28, 10]
    assert months["partial_first"]
    assert months["partial_last"]
    whole = chartdata.monthly_sums(
        chartdata.days_between(date(2026, 2, 1), date(2026, 2, 28)), values
    )
    assert "partial_first" not in whole
    assert chartdata.daily_or_weekly(days[:30], values)["grain"] == "day"
    long = chartdata.days_between(date(2025, 1, 1), date(2025, 12, 31))
    assert chartdata.daily_or_weekly(long, {"views": [1] * len(long)})["grain"] == "week"
