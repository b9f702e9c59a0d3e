"""The system Chromium of the browser tests, driven by Playwright: the tests are skipped
where either is missing (and fail under ``CI=true``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from ghtraffic.report.pdf import QUIET_ARGS

CHROMIUM = "/usr/bin/chromium"
#: Chromium as the tests start it (the sandbox is off: the tests may run as root).
ARGS = ["--no-sandbox", *QUIET_ARGS]


def need_browser() -> None:
    """Skip the test (fail it under ``CI=true``) unless Playwright and Chromium are here."""
    missing = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "playwright is not installed (pip install playwright)"
    if missing is None and not Path(CHROMIUM).exists():
        missing = f"Chromium is missing at {CHROMIUM} (apt-get install chromium)"
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{missing}; CI=true requires the browser tests")
        pytest.skip(missing)


@contextmanager
def chromium(artifacts: Path) -> Iterator[Any]:
    """A launched Chromium, closed on exit; ``artifacts`` (for screenshots) is made first."""
    need_browser()
    from playwright.sync_api import sync_playwright

    artifacts.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()
