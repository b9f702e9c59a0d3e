"""``ghtraffic fetch`` in a terminal: the token is asked for with hidden input, the
repository with normal input, and the traffic is printed as JSON without storing anything."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, running

from .helpers import TOKEN, clean_env, error_line, repos_of, run_cli, served_traffic

TOKEN_PROMPT = "GitHub token:"
REPO_PROMPT = "Repository (owner/repo):"

# Makes the pseudo-terminal the controlling terminal of the new session, as a login does,
# then runs ``python -m ghtraffic`` with the remaining arguments.
ATTACH = (
    "import fcntl, runpy, sys, termios\n"
    "fcntl.ioctl(0, termios.TIOCSCTTY, 0)\n"
    "sys.argv[0] = 'ghtraffic'\n"
    "runpy.run_module('ghtraffic', run_name='__main__', alter_sys=True)\n"
)


class Terminal:
    """A process attached to a pseudo-terminal; ``output`` is everything the screen showed."""

    def __init__(self, args: Sequence[str], *, env: dict[str, str], cwd: Path) -> None:
        self.master, self.slave = os.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", ATTACH, *args],
            stdin=self.slave,
            stdout=self.slave,
            stderr=self.slave,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        self._raw = bytearray()
        self._slave_open = True

    @property
    def output(self) -> str:
        return self._raw.decode("utf-8", "replace").replace("\r\n", "\n")

    def echo_on(self) -> bool:
        return bool(termios.tcgetattr(self.slave)[3] & termios.ECHO)

    def _read(self, wait: float) -> bool:
        """Read what is there; False once the terminal is closed."""
        ready, _, _ = select.select([self.master], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 4096)
        except OSError:
            return False
        self._raw += chunk
        return bool(chunk)

    def wait_for(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self._read(0.2)
                raise AssertionError(f"terminal never got there; it shows {self.output!r}")
            self._read(0.05)

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def finish(self, timeout: float = 30.0) -> int:
        """Wait for the process to end and collect the rest of the screen."""
        if self._slave_open:
            os.close(self.slave)
            self._slave_open = False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(0.1):
            pass
        return self.proc.wait(timeout=max(1.0, deadline - time.monotonic()))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self._slave_open:
            os.close(self.slave)
        os.close(self.master)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGitHub]:
    with running(FakeGitHubConfig(repos=8, seed=1)) as server:
        yield server


@pytest.fixture(scope="module")
def repo(fake: FakeGitHub) -> str:
    names = repos_of(fake.world(), "acme-labs")
    assert names, "the fake has no acme-labs repository"
    return names[0]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def test_prompts_hide_the_token_and_print_the_traffic(
    fake: FakeGitHub, repo: str, home: Path, tmp_path: Path
) -> None:
    env = clean_env(home, GHTRAFFIC_API_URL=fake.api_url)
    terminal = Terminal(["fetch"], env=env, cwd=tmp_path)
    try:
        terminal.wait_for(lambda: TOKEN_PROMPT in terminal.output and not terminal.echo_on())
        terminal.type(f"{TOKEN}\n")
        terminal.wait_for(lambda: REPO_PROMPT in terminal.output)
        assert terminal.echo_on(), "the repository is typed with normal, visible input"
        terminal.type(f"{repo}\n")
        code = terminal.finish()
    finally:
        terminal.close()
    screen = terminal.output

    assert code == 0, screen
    assert TOKEN not in screen
    between = screen.split(TOKEN_PROMPT, 1)[1].split(REPO_PROMPT, 1)[0]
    assert between.strip() == "", f"something showed while the token was typed: {between!r}"
    shown_repo_line = f"{REPO_PROMPT} {repo}\n"
    assert shown_repo_line in screen
    document = json.loads(screen.split(shown_repo_line, 1)[1])
    assert document == served_traffic(fake.api_url, repo)
    assert list(document) == ["views", "clones", "referrers", "paths"]
    assert "Traceback" not in screen
    assert list(home.iterdir()) == [], "fetch must store nothing"


@pytest.mark.parametrize("variable", ["GITHUB_TOKEN", "GH_TOKEN"])
def test_token_from_the_environment_means_no_prompt_and_pure_json(
    fake: FakeGitHub, repo: str, home: Path, tmp_path: Path, variable: str
) -> None:
    env = clean_env(home, GHTRAFFIC_API_URL=fake.api_url, **{variable: TOKEN})
    result = run_cli(["fetch", repo], env=env, cwd=tmp_path)
    assert result.code == 0, result
    assert result.stderr == ""
    assert json.loads(result.stdout) == served_traffic(fake.api_url, repo)
    assert list(home.iterdir()) == []


def test_a_rejected_token_is_one_line_and_exit_2(
    fake: FakeGitHub, repo: str, home: Path, tmp_path: Path
) -> None:
    wrong = "wrong-token-8d1f"
    env = clean_env(home, GHTRAFFIC_API_URL=fake.api_url, GITHUB_TOKEN=wrong)
    result = run_cli(["fetch", repo], env=env, cwd=tmp_path)
    line = error_line(result, 2)
    assert "rejected the token" in line
    assert wrong not in line
    assert result.stdout == ""
    assert list(home.iterdir()) == []
