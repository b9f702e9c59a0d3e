"""The dashboard in a real Chromium against a real server: sign in, overview, a repository,
ranges, a live update without reload, and a viewer refused. Screenshots go to artifacts/."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette

from ghtraffic.fakegithub.server import free_port
from ghtraffic.storage.archive import Archive
from tests.web.conftest import ARTIFACTS, PASSWORD
from tests.web.seed import NEWEST, add_day

pytestmark = pytest.mark.slow


@pytest.fixture
def server(app: Starlette) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


def _sign_in(page: Any, base: str, name: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def test_admin_walks_the_dashboard_and_sees_a_live_update(
    browser: Any, server: str, archive: Archive, backend: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _sign_in(page, server, "admin")
    assert page.locator("#repos tbody tr").count() == 3
    page.wait_for_selector(".uplot")
    page.screenshot(path=str(ARTIFACTS / f"overview-{backend}.png"), full_page=True)
    page.fill("input[data-filter]", "anvil")
    assert page.locator("#repos tbody tr:not([hidden])").count() == 1
    page.fill("input[data-filter]", "")
    page.click("#repos a[href^='/repos/acme/rocket']")
    page.wait_for_selector("#plot-traffic .uplot")
    page.click("a[data-range='90d']")
    page.wait_for_url("**range=90d")
    page.wait_for_selector("#plot-traffic .uplot")
    page.click("button[data-grain=weekly]")
    page.screenshot(path=str(ARTIFACTS / f"repo-{backend}.png"), full_page=True)
    page.wait_for_selector("body[data-live=connected]", state="attached")
    before = page.locator("[data-kpi=Views]").inner_text()
    at = datetime.combine(NEWEST, datetime.min.time(), UTC) + timedelta(days=1, hours=4)
    add_day(archive, 101, NEWEST + timedelta(days=1), 5000, at)
    page.wait_for_selector("body[data-live-updates='1']", state="attached", timeout=15000)
    after = page.locator("[data-kpi=Views]").inner_text()
    assert after != before
    page.screenshot(path=str(ARTIFACTS / f"repo-live-{backend}.png"), full_page=True)
    page.goto(server + "/collection")
    page.screenshot(path=str(ARTIFACTS / f"collection-{backend}.png"), full_page=True)
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, storage_state=context.storage_state()
    )
    small = phone.new_page()
    small.goto(server + "/")
    small.screenshot(path=str(ARTIFACTS / f"overview-phone-{backend}.png"), full_page=True)
    phone.close()
    dark = browser.new_context(
        color_scheme="dark",
        viewport={"width": 1280, "height": 900},
        storage_state=context.storage_state(),
    )
    night = dark.new_page()
    night.goto(server + "/repos/acme/rocket")
    night.wait_for_selector("#plot-traffic .uplot")
    night.screenshot(path=str(ARTIFACTS / f"repo-dark-{backend}.png"), full_page=True)
    dark.close()
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_viewer_is_refused_an_ungranted_repo(browser: Any, server: str, backend: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    _sign_in(page, server, "viewer")
    assert page.locator("#repos tbody tr").count() == 2
    response = page.goto(server + "/repos/globex/secret-plan")
    assert response is not None
    assert response.status == 404
    assert "secret-plan" not in page.content().split("<main", 1)[1]
    page.screenshot(path=str(ARTIFACTS / f"viewer-refused-{backend}.png"))
    context.close()


def test_the_overview_table_sorts_filters_and_pages_in_place(
    browser: Any, server: str, archive: Archive, backend: str
) -> None:
    from tests.web.test_overview import add_repos

    add_repos(archive, 130)  # 133 repositories: two pages of the table
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _sign_in(page, server, "admin")
    rows = page.locator("#repos tbody tr")
    assert rows.count() == 100
    assert rows.first.get_attribute("data-name") == "globex/secret-plan"
    page.evaluate("window.__same = 1")  # gone if the page were loaded again

    def after(count: int) -> None:
        page.wait_for_selector(f"[data-table-region][data-loads='{count}']", state="attached")

    page.click("#repos th a[data-key=sort-name]")
    after(1)
    assert page.url.endswith("?range=30d&sort=name")
    assert rows.first.get_attribute("data-name") == "acme/anvil"
    assert page.locator("#repos th[aria-sort=ascending] a").get_attribute("data-key") == "sort-name"
    page.click("#repos th a[data-key=sort-name]")
    after(2)
    assert "dir=desc" in page.url
    assert rows.first.get_attribute("data-name") == "globex/secret-plan"
    page.click("a[data-key=next]")
    after(3)
    assert "page=2" in page.url
    assert rows.count() == 33
    assert page.locator("[data-count]").inner_text().startswith("101–133 of 133")
    page.go_back()
    after(4)
    assert rows.count() == 100
    assert "page=2" not in page.url
    page.fill("input[data-filter]", "r12")
    after(5)
    assert sorted(r.get_attribute("data-name") for r in rows.all()) == [
        f"bulk/r{i}" for i in range(120, 130)
    ]
    assert "q=r12" in page.url
    assert "dir=desc" in page.url  # the order stays
    page.click("details.bounds summary")
    page.fill("input[name=min_views]", "125")
    after(6)
    assert [r.get_attribute("data-name") for r in rows.all()] == [
        f"bulk/r{i}" for i in (129, 128, 127, 126, 125)
    ]
    page.screenshot(path=str(ARTIFACTS / f"overview-table-{backend}.png"), full_page=True)
    assert page.evaluate("window.__same") == 1
    shared = page.url
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors

    # the same address, without a script, shows the same table
    plain = browser.new_context(java_script_enabled=False)
    bare = plain.new_page()
    _sign_in(bare, server, "admin")
    bare.goto(shared)
    assert bare.locator("#repos tbody tr").count() == 5
    with bare.expect_navigation():
        bare.click("#repos th a[data-key=sort-views]")
    assert "sort=" not in bare.url
    assert bare.locator("#repos tbody tr").first.get_attribute("data-name") == "bulk/r129"
    bare.goto(server + "/?sort=stars")
    bare.fill("input[data-filter]", "anvil")
    with bare.expect_navigation():
        bare.click("form[data-table-form] button[type=submit]")
    assert "q=anvil" in bare.url
    assert "sort=stars" in bare.url
    assert bare.locator("#repos tbody tr").count() == 1
    plain.close()
