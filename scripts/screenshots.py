"""The README's pictures of the dashboard, from the demo: ``docs/images/*.png``.

Runs ``ghtraffic demo --no-serve`` into a fresh SQLite file (or uses ``--database``),
serves the dashboard on 127.0.0.1, signs in with Chromium (Playwright) and saves the
overview and a repository page, each under 200 KB. It also writes
``docs/images/pages.sha256``, the hash of the templates and static files the pictures
show (``SHOWN``): ``tests/web/test_screenshots.py`` fails when the pages changed since, so the
pictures are made again with the pages.

    .venv/bin/python scripts/screenshots.py [--database FILE] [--out DIR] [--width 1400]
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from ghtraffic.config import Settings
from ghtraffic.fakegithub.server import free_port
from ghtraffic.identity.accounts import add_user, find_user
from ghtraffic.report.pdf import QUIET_ARGS
from ghtraffic.storage.database import Database, sqlite_url
from ghtraffic.web.app import create_app
from ghtraffic.web.config import WebConfig

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "src" / "ghtraffic" / "web"
OUT = ROOT / "docs" / "images"
NAME, PASSWORD = "screenshots", "screenshots-on-loopback-only"
LIMIT_BYTES = 250_000
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", *QUIET_ARGS]


#: What the pictures show: the two pages' templates and the first-party static files.
SHOWN = (
    "templates/base.html",
    "templates/macros.html",
    "templates/overview.html",
    "templates/overview_table.html",
    "templates/overview_rows.html",
    "templates/repo.html",
    "static/app.css",
    "static/app.js",
    "static/charts.css",
    "static/charts.js",
)


def pages_hash() -> str:
    """A hash of what the pictures show (``SHOWN``)."""
    digest = hashlib.sha256()
    for name in SHOWN:
        digest.update(name.encode())
        digest.update((WEB / name).read_bytes().replace(b"\r\n", b"\n"))
    return digest.hexdigest()


@contextmanager
def serving(database: Path) -> Iterator[str]:
    db = Database(sqlite_url(database))
    db.upgrade()
    if find_user(db, NAME) is None:
        add_user(db, NAME, PASSWORD, admin=True)
    app = create_app(db, Settings(), config=WebConfig(secure_cookies=False))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        db.dispose()


def shoot(base: str, out: Path, width: int) -> list[Path]:
    from playwright.sync_api import sync_playwright

    saved = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": 1000})
        page.goto(base + "/login")
        page.fill("input[name=name]", NAME)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        page.wait_for_selector("[data-drawn=chart]")
        first = page.locator("#repos tbody tr td.name a").first.get_attribute("href") or "/"
        shots = (
            ("overview.png", "/?range=90d"),
            ("repository.png", first.split("?")[0] + "?range=90d"),
        )
        for name, path in shots:
            page.goto(base + path)
            page.wait_for_selector("[data-drawn=chart]")
            page.wait_for_timeout(300)
            target = out / name
            page.screenshot(path=str(target), clip={"x": 0, "y": 0, "width": width, "height": 1000})
            if target.stat().st_size > LIMIT_BYTES:
                raise SystemExit(f"{target}: {target.stat().st_size} bytes, over {LIMIT_BYTES}")
            saved.append(target)
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, help="an archive to show instead of the demo's")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--width", type=int, default=1400)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        database = args.database
        if database is None:
            database = Path(folder) / "demo.sqlite"
            print("collecting the demo's simulated traffic ...", flush=True)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "ghtraffic",
                    "demo",
                    "--repos",
                    "12",
                    "--days",
                    "120",
                    "--no-serve",
                    "--database",
                    str(database),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        with serving(database) as base:
            for path in shoot(base, args.out, args.width):
                print(
                    f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
                    f"{path.stat().st_size / 1000:.0f} KB"
                )
    if args.out == OUT:
        (OUT / "pages.sha256").write_text(pages_hash() + "\n")


if __name__ == "__main__":
    main()
