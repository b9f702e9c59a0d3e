"""The views that show everything the archive keeps, in a real Chromium against a real
server: a referrer over time, release downloads, the events page reached from a spike,
compare by URL, legends that read without a pointer, and the live badge going offline and
coming back by itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.applications import Starlette

from ghtraffic.history.counts import record_release_downloads
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.tables_processing import TrafficEvent
from tests.web.conftest import ARTIFACTS, PASSWORD
from tests.web.live import Live, running
from tests.web.seed import NEWEST

pytestmark = pytest.mark.slow


def _sign_in(page: Any, base: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=name]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def _legend(page: Any, chart: str) -> dict[str, str]:
    """The legend of a chart as a reader sees it: its heading, and each series' figure."""
    box = page.locator(f"#plot-{chart} .legend")
    found = {"head": box.locator(".legend-head").inner_text()}
    for item in box.locator(".legend-item").all():
        found[item.get_attribute("data-series")] = item.locator(".legend-value").inner_text()
    return found


def _add_downloads(archive: Archive) -> None:
    at = datetime.combine(NEWEST, datetime.min.time(), UTC)
    with archive.repo_batch() as batch:
        for back in range(10, -1, -1):  # 5 more downloads a day, 3 on the newest day
            day = NEWEST - timedelta(days=back)
            count = 100 + 5 * (10 - back) - (2 if back == 0 else 0)
            record_release_downloads(batch, 101, day, at, {"v1.0/rocket.tar.gz": count})


def _add_spike(archive: Archive) -> int:
    day = NEWEST - timedelta(days=3)
    at = datetime.combine(NEWEST, datetime.min.time(), UTC)
    with archive.db.session() as session:
        event = TrafficEvent(
            repo_id=101,
            day=day,
            metric="views",
            value=400,
            baseline=20.0,
            mad=3.0,
            threshold=38.0,
            referrers=[{"referrer": "news.ycombinator.com", "growth": 350, "count": 380}],
            created_at=at,
            updated_at=at,
        )
        session.add(event)
        session.flush()
        event_id = int(event.id)
        session.commit()
    return event_id


@pytest.fixture
def site(app: Starlette) -> Any:
    with running(app) as live:
        yield live


def test_a_referrer_over_time_and_the_top_stacked(browser: Any, site: Live) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    _sign_in(page, site.url)
    page.goto(site.url + "/repos/acme/rocket?range=90d")
    page.click("text=Referrers over time")
    page.wait_for_selector("#plot-top[data-drawn=chart]")
    stacked = _legend(page, "top")
    assert stacked["head"].startswith("Newest")
    assert "--" not in stacked.values()
    page.click("#keys a:text('github.com')")
    page.wait_for_selector("#plot-one[data-drawn=chart]")
    assert "key=github.com" in page.url
    one = _legend(page, "one")
    assert one["count"] == "30"  # the newest list's 14-day count (30 + 0 days back)
    assert one["uniques"] == "9"
    # hovering a point shows that day's figures
    box = page.locator("#plot-one .u-over").bounding_box()
    page.mouse.move(box["x"] + 2, box["y"] + box["height"] / 2)
    assert _legend(page, "one")["head"] != one["head"]
    page.screenshot(path=str(ARTIFACTS / "referrer-over-time.png"), full_page=True)


def test_release_downloads_per_day_and_per_week(browser: Any, site: Live, archive: Archive) -> None:
    _add_downloads(archive)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    _sign_in(page, site.url)
    page.goto(site.url + "/repos/acme/rocket?range=30d")
    page.click(".subnav a:text('Downloads')")
    page.wait_for_selector("#plot-gains[data-drawn=chart]")
    row = page.locator("#assets tbody tr").first
    assert row.locator("td").all_inner_texts() == ["v1.0/rocket.tar.gz", "148", "48", "3", "33"]
    daily = _legend(page, "gains")
    assert daily["v1.0/rocket.tar.gz"] == "48"  # gained over the range
    page.click("button[data-grain=weekly]")
    assert page.locator("button[data-grain=weekly]").get_attribute("aria-pressed") == "true"
    weekly = _legend(page, "gains")
    assert weekly["v1.0/rocket.tar.gz"] == "48"
    assert weekly["head"].startswith("Total")
    assert _legend(page, "total")["v1.0/rocket.tar.gz"] == "148"


def test_a_spike_marker_leads_to_the_events_page(
    browser: Any, site: Live, archive: Archive
) -> None:
    event_id = _add_spike(archive)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    _sign_in(page, site.url)
    page.goto(site.url + "/repos/acme/rocket?range=30d")
    page.wait_for_selector("#plot-traffic[data-drawn=chart]")
    # a click on the marker tells the story of the spike
    over = page.locator("#plot-traffic .u-over")
    box = over.bounding_box()
    offset = (30 - 1 - 3) / (30 - 1)  # the spike's day among the range's 30
    page.mouse.click(box["x"] + box["width"] * offset, box["y"] + 20)
    popover = page.locator("#plot-traffic .mark-popover")
    popover.wait_for(state="visible")
    text = popover.inner_text()
    assert "400 views" in text
    assert "20.0× the usual 20" in text
    assert "news.ycombinator.com" in text
    page.screenshot(path=str(ARTIFACTS / "spike-popover.png"))
    popover.locator("a").click()
    page.wait_for_url(f"**/events?**#spike-{event_id}")
    row = page.locator(f"#spike-{event_id}")
    assert "acme/rocket" in row.inner_text()
    assert "grew most from news.ycombinator.com" in row.inner_text()
    # every repository, failures only
    page.goto(site.url + "/events?range=90d&kind=failure")
    kinds = {r.get_attribute("data-kind") for r in page.locator("#events tbody tr").all()}
    assert kinds == {"failure"}
    assert "403 from GitHub" in page.locator("#events").inner_text()
    page.goto(site.url + "/events?range=90d&kind=spike&repo=acme/anvil")
    assert page.locator("#events").count() == 0
    assert "Nothing happened" in page.locator("main").inner_text()


def test_compare_two_repositories_and_an_earlier_period_by_url(browser: Any, site: Live) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    _sign_in(page, site.url)
    address = (
        site.url + "/compare?repos=acme/rocket,acme/anvil&metric=views&range=custom"
        "&since=2026-02-16&until=2026-03-01&vs_since=2026-01-19"
    )
    page.goto(address)
    page.wait_for_selector("#plot-compare[data-drawn=chart]")
    legend = _legend(page, "compare")
    rows = page.locator("#compared tbody tr")
    assert rows.count() == 2
    # seed: views (index*10 + d%7) * 2 for the newest 30 days, halved before them
    rocket = sum((10 + d % 7) * 2 for d in range(14))
    earlier = sum((10 + d % 7) * (2 if d < 30 else 1) for d in range(28, 42))
    assert legend["acme/rocket"] == f"{rocket:,}"
    assert legend["acme/rocket (earlier)"] == f"{earlier:,}"
    assert rows.first.locator("td").nth(1).inner_text() == f"{rocket:,}"
    again = browser.new_page(viewport={"width": 1400, "height": 900})
    again.context.add_cookies(page.context.cookies())
    again.goto(address)
    again.wait_for_selector("#plot-compare[data-drawn=chart]")
    assert _legend(again, "compare") == legend  # the link reproduces the view
    page.goto(site.url + "/compare?repos=acme/rocket,nobody/nothing")
    assert "nobody/nothing: no such repository" in page.locator("[role=alert]").inner_text()


def test_invalid_dates_get_a_message(browser: Any, site: Live) -> None:
    page = browser.new_page()
    _sign_in(page, site.url)
    page.goto(site.url + "/?range=custom&since=2026-13-40&until=2026-02-01")
    assert "2026-13-40: not a date" in page.locator("[data-range-error]").inner_text()


def test_the_live_badge_goes_offline_and_comes_back(app: Starlette, browser: Any) -> None:
    live = Live(app)
    live.start()
    try:
        page = browser.new_page()
        _sign_in(page, live.url)
        page.wait_for_selector("body[data-live=connected]", state="attached")
        assert page.locator("#live").inner_text() == "live"
        live.stop()
        page.wait_for_selector("body[data-live=offline]", state="attached", timeout=15000)
        assert page.locator("#live").inner_text() == "offline, reconnecting"
        page.screenshot(path=str(ARTIFACTS / "live-offline.png"))
        live.start()
        page.wait_for_selector("body[data-live=connected]", state="attached", timeout=30000)
        assert page.locator("#live").inner_text() == "live"
    finally:
        live.stop()
