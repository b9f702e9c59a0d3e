"""Printing report pages to PDF through the system Chromium (Playwright's ``page.pdf``)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Route

CHROMIUM = Path(os.environ.get("GHTRAFFIC_CHROMIUM", "/usr/bin/chromium"))
#: Chromium refuses to start as root (containers, CI images) unless its sandbox is off.
SANDBOX = () if os.name != "posix" or os.geteuid() != 0 else ("--no-sandbox",)
#: What keeps Chromium from reaching out or drawing on a GPU it may not have.
QUIET_ARGS = (
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)
ARGS = (*SANDBOX, *QUIET_ARGS)
#: Pages print on A4 with 10 mm margins at ``SCALE``; the page is laid out at the width
#: that fills the printed line exactly, so the charts are drawn at their printed size.
SCALE = 0.7
MARGIN_MM = 10
WIDTH = round((210 - 2 * MARGIN_MM) / 25.4 * 96 / SCALE)
HEIGHT = 1400


#: The optional dependencies of PDF printing, as ``pyproject.toml`` declares them.
EXTRA = "ghtraffic[pdf]"


def unavailable() -> str | None:
    """Why PDFs cannot be printed here (one line saying what to install), or ``None``."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return (
            f"PDFs need Playwright, which is not installed: pip install '{EXTRA}' "
            "(or leave out --pdf)"
        )
    if not CHROMIUM.is_file():
        return (
            f"PDFs need Chromium, which is missing at {CHROMIUM}: install chromium or set "
            "GHTRAFFIC_CHROMIUM to its path (or leave out --pdf)"
        )
    return None


def print_pages(out: Path, pages: Sequence[Path]) -> list[Path]:
    """Print each page (HTML inside ``out``) to ``out/pdf/`` with the same relative path.

    Each page is loaded from ``file://`` with every other request refused, and printed
    once its charts are drawn. A failure raises ``ReportError``.
    """
    from playwright.sync_api import Error

    from ghtraffic.report.site import ReportError

    try:
        return _print(out, pages)
    except Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ReportError(f"cannot print the report to PDF: {first}") from None
    except OSError as exc:
        raise ReportError(f"cannot write the PDF into {out / 'pdf'}: {exc.strerror}") from None


def _refuse_network(route: Route) -> None:
    if route.request.url.startswith("file:"):
        route.continue_()
    else:
        route.abort()


def _print(out: Path, pages: Sequence[Path]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    margin = f"{MARGIN_MM}mm"
    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(ARGS))
        try:
            context = browser.new_context(
                viewport={"width": WIDTH, "height": HEIGHT}, color_scheme="light"
            )
            context.route("**/*", _refuse_network)
            page = context.new_page()
            for html in pages:
                relative = html.resolve().relative_to(out.resolve())
                target = out / "pdf" / relative.with_suffix(".pdf")
                target.parent.mkdir(parents=True, exist_ok=True)
                page.goto(html.resolve().as_uri())
                page.wait_for_selector("html[data-ready=true]", state="attached", timeout=30_000)
                page.pdf(
                    path=str(target),
                    format="A4",
                    print_background=True,
                    scale=SCALE,
                    margin={"top": margin, "right": margin, "bottom": margin, "left": margin},
                )
                written.append(target)
        finally:
            browser.close()
    return written
