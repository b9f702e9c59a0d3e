"""``ghtraffic user``/``public`` commands, the scheduler and the asset build's checks."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from ghtraffic.cli.users import public_command, user_group
from ghtraffic.identity.accounts import authenticate
from ghtraffic.identity.tokens import user_for_token
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.web import vendor as assets
from ghtraffic.web.scheduler import Scheduler, catch_up_due, next_time
from tests.web.seed import seed


def test_user_commands(db: Database, archive: Archive) -> None:
    seed(archive)
    url = db.url.render_as_string(hide_password=False)
    runner = CliRunner()
    base = ["--database-url", url]
    added = runner.invoke(
        user_group, ["add", "ann", "--password-stdin", *base], input="s3cret-pass\n"
    )
    assert added.exit_code == 0, added.output
    assert authenticate(db, "ann", "s3cret-pass") is not None
    assert runner.invoke(user_group, ["grant", "ann", "acme/rocket", *base]).exit_code == 0
    listed = runner.invoke(user_group, ["list", *base])
    assert "acme/rocket" in listed.output
    token = runner.invoke(user_group, ["token", "ann", *base]).output.strip()
    assert user_for_token(db, token) is not None
    assert runner.invoke(user_group, ["revoke", "ann", "acme/rocket", *base]).exit_code == 0
    bad = runner.invoke(user_group, ["grant", "ann", "a b/c", *base])
    assert bad.exit_code == 2
    assert runner.invoke(public_command, ["acme/rocket", *base]).exit_code == 0
    assert runner.invoke(public_command, ["no/such", *base]).exit_code == 2


def test_cron_and_catch_up() -> None:
    at = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    assert next_time("17 3 * * *", at) == datetime(2026, 3, 1, 3, 17, tzinfo=UTC)
    assert catch_up_due(None, at, 24)
    assert catch_up_due(at - timedelta(hours=25), at, 24)
    assert not catch_up_due(at - timedelta(hours=2), at, 24)


def test_never_two_runs_at_once() -> None:
    started = 0

    async def run() -> None:
        nonlocal started
        started += 1
        await asyncio.sleep(0.05)

    async def scenario() -> tuple[bool, bool]:
        scheduler = Scheduler(run, "17 3 * * *")
        first = await scheduler.trigger()
        second = await scheduler.trigger()
        await asyncio.sleep(0.1)
        return first, second

    assert asyncio.run(scenario()) == (True, False)
    assert started == 1


def _tarball() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, body in (
            ("package/dist/uPlot.iife.min.js", b"js"),
            ("package/dist/uPlot.min.css", b"css"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


def test_tarball_integrity_and_extraction(tmp_path: Path) -> None:
    data = _tarball()
    good = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    assets.check_integrity(data, good)
    with pytest.raises(assets.AssetError):
        assets.check_integrity(data + b"x", good)
    assets._from_tarball(data, "uplot", tmp_path)
    assert (tmp_path / "uPlot.iife.min.js").read_bytes() == b"js"


def test_lock_file_names_the_tarball() -> None:
    url, integrity = assets._locked("uplot", assets.FRONTEND_DIR)
    assert url.startswith("https://")
    assert url.endswith(".tgz")
    assert integrity.startswith("sha512-")


def test_static_assets_are_small_and_long_cached(admin: object) -> None:
    from starlette.testclient import TestClient

    assert isinstance(admin, TestClient)
    total = 0
    for name in ("app.js", "app.css", "vendor/uPlot.iife.min.js", "vendor/uPlot.min.css"):
        response = admin.get(f"/static/{name}", headers={"accept-encoding": "gzip"})
        if response.status_code == 404 and name.startswith("vendor/"):
            pytest.skip("vendored assets not built: python -m ghtraffic.web.vendor build")
        assert response.status_code == 200
        assert "immutable" in response.headers["cache-control"]
        total += int(response.headers.get("content-length", len(response.content)))
    assert total < 300_000
