"""The report opened from disk in a real Chromium with the network refused: charts drawn,
no request beyond file://, untrusted text shown as text. Screenshots go to artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ghtraffic.report import pdf
from tests.browser import chromium, need_browser
from tests.cli.helpers import clean_env, run_cli
from tests.report.conftest import XSS, Seeded

ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = pytest.mark.slow


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium(ARTIFACTS) as launched:
        yield launched


class Offline:
    """A browser context with the network off: every request that is not file:// is
    aborted and remembered, as are console errors and dialogs."""

    def __init__(self, browser: Any, **options: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
        self.context.set_offline(True)
        self.refused: list[str] = []
        self.requested: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requested.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)

    def _route(self, route: Any) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: Path) -> None:
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("html[data-ready=true]", state="attached")

    def check_clean(self) -> None:
        assert self.refused == []
        assert [u for u in self.requested if not u.startswith(("file:", "data:"))] == []
        assert self.errors == []
        assert self.dialogs == []


def _drawn_charts(page: Any) -> list[dict[str, Any]]:
    """Per chart on the page: its canvas size and whether any pixel was painted."""
    result: list[dict[str, Any]] = page.evaluate(
        """() => Array.from(document.querySelectorAll('[data-chart]')).map(el => {
            const canvas = el.querySelector('.uplot canvas');
            if (!canvas) { return {chart: el.dataset.chart, width: 0, height: 0, painted: false}; }
            const box = canvas.getBoundingClientRect();
            const pixels = canvas.getContext('2d')
                .getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = false;
            for (let i = 3; i < pixels.length; i += 4) { if (pixels[i]) { painted = true; break; } }
            return {chart: el.dataset.chart, width: box.width, height: box.height, painted};
        })"""
    )
    return result


def _assert_all_drawn(page: Any, expected: set[str]) -> None:
    charts = _drawn_charts(page)
    assert {c["chart"] for c in charts} == expected
    for chart in charts:
        assert chart["width"] > 0, chart
        assert chart["height"] > 0, chart
        assert chart["painted"], chart


@pytest.fixture
def index(browser: Any, seeded: Seeded) -> Offline:
    """The report's index, opened from disk in a context with the network off."""
    offline = Offline(browser)
    offline.open(seeded.out / "index.html")
    return offline


def test_the_report_from_disk_draws_its_charts_with_the_network_off(
    index: Offline, seeded: Seeded, backend: str
) -> None:
    page = index.page
    assert page.locator("#repos tbody tr").count() == 4
    _assert_all_drawn(page, {"combined"})
    page.screenshot(path=str(ARTIFACTS / f"report-index-{backend}.png"), full_page=True)
    busiest = seeded.data.pages[0].repo.full_name
    page.click(f"#repos tr[data-repo='{busiest}'] a")
    page.wait_for_selector("html[data-ready=true]", state="attached")
    assert page.url.endswith(f"/repos/{busiest}.html")
    assert page.locator("h1").inner_text() == busiest
    _assert_all_drawn(page, {"daily", "weekly", "stars"})
    legend = page.locator("[data-chart=daily] .legend")
    assert legend.locator(".legend-head").inner_text().startswith("Total, ")
    views = legend.locator("[data-series=views] .legend-value").inner_text()
    assert views.replace(",", "").isdigit()  # a figure before any hover, not "--"
    page.screenshot(path=str(ARTIFACTS / f"report-repo-{backend}.png"), full_page=True)
    page.click("text=All repositories")
    page.wait_for_selector("#repos")
    index.check_clean()
    index.context.close()


def test_the_report_in_dark_mode_draws_on_a_dark_background(
    browser: Any, seeded: Seeded, backend: str
) -> None:
    offline = Offline(browser, color_scheme="dark")
    offline.open(seeded.out / "repos" / f"{seeded.data.pages[0].repo.full_name}.html")
    _assert_all_drawn(offline.page, {"daily", "weekly", "stars"})
    background = offline.page.evaluate("getComputedStyle(document.body).backgroundColor")
    channels = [int(c) for c in background[background.index("(") + 1 : -1].split(",")[:3]]
    assert max(channels) < 60, background
    offline.page.screenshot(path=str(ARTIFACTS / f"report-repo-dark-{backend}.png"), full_page=True)
    offline.check_clean()
    offline.context.close()


def test_hostile_description_and_path_title_show_as_text_and_never_run(
    index: Offline, seeded: Seeded, backend: str
) -> None:
    page = index.page
    row = page.locator(f"#repos tr[data-repo='{seeded.hostile}']")
    assert XSS in row.inner_text()
    index.open(seeded.out / "repos" / f"{seeded.hostile}.html")
    assert page.locator(".description").inner_text() == XSS
    assert XSS in page.locator("#paths").inner_text()
    assert page.locator("main img").count() == 0
    page.wait_for_timeout(300)  # an onerror handler would have fired by now
    page.screenshot(path=str(ARTIFACTS / f"report-hostile-{backend}.png"), full_page=True)
    index.check_clean()  # no dialog opened, no error
    index.context.close()


def test_the_command_prints_the_index_and_the_repo_pages_to_pdf(
    seeded: Seeded, tmp_path: Path
) -> None:
    need_browser()
    assert pdf.unavailable() is None
    name = seeded.data.pages[0].repo.full_name
    url = seeded.archive.db.url.render_as_string(hide_password=False)
    out = tmp_path / "site"
    done = run_cli(
        ["report", "--out", str(out), "--repo", name, "--pdf", "--database-url", url],
        env=clean_env(tmp_path / "home"),
        cwd=tmp_path,
        timeout=180,
    )
    assert done.code == 0, done
    assert "PDF written: 2 file(s)" in done.stdout
    for path in (out / "pdf" / "index.pdf", out / "pdf" / "repos" / f"{name}.pdf"):
        data = path.read_bytes()
        assert data.startswith(b"%PDF-")
        assert len(data) > 10_000


def test_the_pages_policy_refuses_a_script_slipped_into_a_page(
    browser: Any, seeded: Seeded, backend: str
) -> None:
    index = seeded.out / "index.html"
    html = index.read_text(encoding="utf-8")
    slipped = seeded.out / "slipped.html"
    slipped.write_text(
        html.replace("</main>", "<script>document.title = 'it ran'</script></main>"),
        encoding="utf-8",
    )
    offline = Offline(browser)
    offline.open(slipped)
    assert offline.page.title() != "it ran"
    assert any("Content Security Policy" in error for error in offline.errors), offline.errors
    _assert_all_drawn(offline.page, {"combined"})  # the page's own scripts still run
    offline.context.close()
