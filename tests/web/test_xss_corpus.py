"""Every string GitHub controls (repository names and descriptions, referrer names, path
titles and paths) is untrusted. Planted with a corpus of script-injection payloads, none
executes in Chromium, no injected element appears, and a strict CSP is sent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from ghtraffic.domain import DayValues, PopularPath, Referrer, RepoFacts, WindowTotals
from ghtraffic.storage.archive import Archive
from tests.web.test_browser import _sign_in, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow

CORPUS = (
    "<script>window.__xss=1</script>",
    '"><img src=x onerror="window.__xss=1">',
    "'><svg onload=window.__xss=1>",
    "javascript:window.__xss=1",
    "</title><script>window.__xss=1</script>",
    "{{7*7}}<iframe srcdoc='<script>parent.__xss=1</script>'>",
    '<a href="javascript:window.__xss=1">click</a>',
    "\u2028<script>window.__xss=1</script>",
)
DAY = date(2026, 3, 2)


def _plant(archive: Archive) -> None:
    at = datetime.combine(DAY, datetime.min.time(), UTC) + timedelta(hours=3)
    facts = RepoFacts(990, "acme", "xss-lab", stars=5, forks=1, description=" | ".join(CORPUS))
    with archive.repo_batch() as batch:
        batch.upsert_repo(facts, at)
        batch.record_repo_snapshot(990, DAY, facts, at)
        rows = [DayValues(DAY - timedelta(days=d), 10 + d, 5, 3, 1) for d in range(14)]
        batch.merge_daily(990, rows, at)
        batch.record_window(
            990, WindowTotals(DAY, DAY - timedelta(days=13), DAY, 200, 50, 40, 10), at
        )
        batch.replace_referrers(
            990, DAY, [Referrer(p, 10 - i, 5) for i, p in enumerate(CORPUS)], at
        )
        batch.replace_paths(
            990,
            DAY,
            [PopularPath(f"/acme/xss-lab/{i}{p}", p, 10 - i, 5) for i, p in enumerate(CORPUS)],
            at,
        )
        batch.mark_success(990, at)


def test_the_corpus_never_executes(browser: Any, server: str, archive: Archive) -> None:  # noqa: F811
    _plant(archive)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    responses: list[Any] = []
    page.on("response", lambda r: responses.append(r))
    _sign_in(page, server, "admin")
    for path in ("/", "/repos/acme/xss-lab", "/repos/acme/xss-lab?range=all", "/collection"):
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__xss") is None, path
        assert page.locator("img[src=x]").count() == 0, path
        assert page.locator("iframe").count() == 0, path
        assert page.locator("svg[onload]").count() == 0, path
        assert page.locator("a[href^='javascript:']").count() == 0, path
    page.goto(server + "/repos/acme/xss-lab")
    text = page.locator("body").inner_text()
    assert "<script>window.__xss=1</script>" in text  # shown as text, not run
    assert dialogs == []
    policy = next(r for r in responses if r.url.rstrip("/") == server).headers[
        "content-security-policy"
    ]
    assert "default-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[-1].split(";", 1)[0]
