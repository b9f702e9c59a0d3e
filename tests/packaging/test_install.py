"""ghtraffic installed as a user installs it: the sdist and the wheel built from the files
a clean clone holds, the wheel installed into a new virtual environment, and what that
install serves and writes loaded in Chromium."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import venv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from ghtraffic.fakegithub.server import free_port
from tests.browser import chromium
from tests.cli.helpers import clean_env
from tests.web.serving import Served, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).parent / "artifacts"
VENDOR = ("uPlot.iife.min.js", "uPlot.min.css")
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.slow


def _run(*command: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=600, **kwargs
    )


def _clean_copy(target: Path) -> None:
    """The files git tracks and the new ones it does not ignore: what a clean clone holds,
    with this working tree's changes; no built chart library, no node_modules."""
    listed = _run("git", "ls-files", "-z", "-co", "--exclude-standard", cwd=ROOT)
    assert listed.returncode == 0, listed.stderr
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
    assert not (target / "src/ghtraffic/web/static/vendor").exists()


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    """The ``bin/`` of a new virtual environment holding the wheel built from a clean copy."""
    work = tmp_path / "install"
    source = work / "source"
    _clean_copy(source)
    built = _run(sys.executable, "-m", "build", "--outdir", work / "dist", source)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (sdist,) = (work / "dist").glob("ghtraffic-*.tar.gz")
    (wheel,) = (work / "dist").glob("ghtraffic-*.whl")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    for name in VENDOR:
        assert any(n.endswith(f"src/ghtraffic/web/static/vendor/{name}") for n in names)
    assert any(n.endswith("frontend/package-lock.json") for n in names)
    assert not any("node_modules" in n for n in names)
    with zipfile.ZipFile(wheel) as archive:
        inside = set(archive.namelist())
    assert {f"ghtraffic/web/static/vendor/{name}" for name in VENDOR} <= inside
    venv.create(work / "venv", with_pip=True)
    bin_dir = work / "venv" / "bin"
    pip = _run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel)
    assert pip.returncode == 0, pip.stderr[-3000:]
    return bin_dir


@contextmanager
def _serving(bin_dir: Path, home: Path, url: str) -> Iterator[str]:
    port = free_port()
    command = [str(bin_dir / "ghtraffic"), "serve", "--no-scheduler", "--port", str(port)]
    env = clean_env(home, GHTRAFFIC_DATABASE_URL=url)
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(Served(process, base, token="", database_url=url))
        yield base
    finally:
        process.terminate()
        process.communicate(timeout=30)


def _charts_drawn(page: Any) -> int:
    page.wait_for_selector(".uplot canvas")
    return int(page.locator(".uplot canvas").count())


def test_the_wheel_installs_a_dashboard_and_a_report_with_charts_or_says_what_is_missing(
    installed: Path, tmp_path: Path
) -> None:
    version = _run(installed / "ghtraffic", "--version")
    assert version.stdout.strip() == "ghtraffic, version 0.1.0"
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    env = clean_env(tmp_path, GHTRAFFIC_DATABASE_URL=url)
    demo = _run(
        installed / "ghtraffic", "demo", "--no-serve", "--repos", "4", "--days", "3",
        "--database", tmp_path / "demo.sqlite", env=env,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stderr
    user = _run(
        installed / "ghtraffic", "user", "add", "admin", "--admin", "--password-stdin",
        input=PASSWORD, env=env,
    )  # fmt: skip
    assert user.returncode == 0, user.stderr
    report = _run(installed / "ghtraffic", "report", "--out", tmp_path / "report", env=env)
    assert report.returncode == 0, report.stderr
    failed: list[str] = []
    with _serving(installed, tmp_path, url) as base, chromium(ARTIFACTS) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on(
            "response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None
        )
        page.goto(base + "/login")
        page.fill("input[name=name]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base + "/")
        assert _charts_drawn(page) >= 1
        page.screenshot(path=str(ARTIFACTS / "installed-overview.png"), full_page=True)
        page.goto((tmp_path / "report" / "index.html").as_uri())
        assert _charts_drawn(page) >= 1
    assert failed == []
    _without_its_chart_library(installed, tmp_path)


def _without_its_chart_library(installed: Path, tmp_path: Path) -> None:
    """``serve`` and ``report`` refuse in one line when the install lost its chart library."""
    where = "import ghtraffic.web.vendor as v; print(v.VENDOR_DIR)"
    vendor = Path(_run(installed / "python", "-c", where).stdout.strip())
    (vendor / "uPlot.iife.min.js").unlink()
    env = clean_env(tmp_path, GHTRAFFIC_DATABASE_URL=f"sqlite:///{tmp_path / 'a.sqlite'}")
    for command in (("serve", "--no-scheduler"), ("report", "--out", str(tmp_path / "r"))):
        result = _run(installed / "ghtraffic", *command, env=env)
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr.splitlines() == [
            "error: the chart library is not installed (uPlot.iife.min.js missing in "
            f"{vendor}): reinstall ghtraffic from a complete sdist or wheel "
            "(`pip install --force-reinstall ghtraffic`), or build one with npm on PATH"
        ]
