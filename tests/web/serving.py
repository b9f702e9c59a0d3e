"""`ghtraffic serve` as a real process for tests: started on a free port over a SQLite
archive with an admin and an API token, waited for, and read through live streams."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ghtraffic.fakegithub.server import free_port
from ghtraffic.identity.accounts import add_user
from ghtraffic.identity.tokens import create_token
from ghtraffic.storage.database import Database
from tests.cli.helpers import clean_env

PASSWORD = "correct horse battery"


@dataclass
class Served:
    process: subprocess.Popen[str]
    base: str
    token: str
    database_url: str

    @property
    def bearer(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}"}


def admin_token(database_url: str) -> str:
    """An API token of a new admin of the archive (upgraded first)."""
    db = Database(database_url)
    try:
        db.upgrade()
        user = add_user(db, "admin", PASSWORD, admin=True)
        token, _ = create_token(db, user.id, "tests")
        return token
    finally:
        db.dispose()


@contextmanager
def serving(
    tmp_path: Path, toml: str = "", *args: str, env: dict[str, str] | None = None
) -> Iterator[Served]:
    """``ghtraffic serve`` with ``toml`` as its ``ghtraffic.toml``; killed on exit if it
    still runs."""
    url = f"sqlite:///{tmp_path / 'archive.sqlite'}"
    token = admin_token(url)
    config = tmp_path / "ghtraffic.toml"
    config.write_text(toml)
    port = free_port()
    environment = clean_env(tmp_path, GHTRAFFIC_DATABASE_URL=url, **(env or {}))
    command = [sys.executable, "-m", "ghtraffic", "serve", "--config", str(config)]
    process = subprocess.Popen(
        [*command, "--port", str(port), *args],
        env=environment,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    served = Served(process, f"http://127.0.0.1:{port}", token, url)
    try:
        wait_healthy(served)
        yield served
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def wait_healthy(served: Served, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise AssertionError(f"serve ended: {served.process.communicate()[1]}")
        try:
            if httpx.get(f"{served.base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("serve did not answer /healthz")


@dataclass
class Stream:
    """A live stream read on a thread of its own: its lines, and whether it ended."""

    served: Served
    lines: list[str] = field(default_factory=list)
    hello: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)

    def start(self) -> Stream:
        threading.Thread(target=self._read, daemon=True).start()
        assert self.hello.wait(15), f"no hello on the stream: {self.lines}"
        return self

    def _read(self) -> None:
        url = f"{self.served.base}/events/stream"
        try:
            with httpx.stream("GET", url, headers=self.served.bearer, timeout=60) as response:
                assert response.status_code == 200
                for line in response.iter_lines():
                    self.lines.append(line)
                    if line == "event: hello":
                        self.hello.set()
        except httpx.HTTPError as error:
            self.lines.append(f"! {type(error).__name__}")
        finally:
            self.ended.set()
