"""``ghtraffic credential …`` as a person runs it, and ``ghtraffic collect`` with nothing
but the credentials stored in the archive."""

from __future__ import annotations

import stat
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, free_port, running
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database, sqlite_url
from ghtraffic.storage.secrets import key_id
from tests.app_keys import new_app_keys

from .helpers import ARCHIVE_FILE, Result, clean_env, error_line

TOKEN = "ghp_cliStoredToken5e1f0c9a7b3d2e4f6a8b"
APP_ID = "4242"


@pytest.fixture(scope="module")
def keys() -> tuple[str, str]:
    return new_app_keys()


@pytest.fixture(scope="module")
def fake(keys: tuple[str, str]) -> Iterator[FakeGitHub]:
    config = FakeGitHubConfig(repos=6, seed=7, tokens={TOKEN: "octo-demo"}, apps={APP_ID: keys[1]})
    with running(config) as server:
        yield server


def run(args: Sequence[str], env: dict[str, str], cwd: Path, stdin: str | None = None) -> Result:
    done = subprocess.run(
        [sys.executable, "-m", "ghtraffic", *args],
        env=env,
        cwd=cwd,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def env_of(home: Path, fake: FakeGitHub, **extra: str) -> dict[str, str]:
    return clean_env(home, GHTRAFFIC_API_URL=fake.api_url, **extra)


def new_key(home: Path, fake: FakeGitHub) -> str:
    made = run(["credential", "new-key"], env_of(home, fake), home.parent)
    assert made.code == 0, made
    return made.stdout.strip()


def collected_repos(home: Path) -> int:
    db = Database(sqlite_url(home / ARCHIVE_FILE))
    try:
        return len(Archive(db).repo_states())
    finally:
        db.dispose()


def test_collect_with_only_a_stored_token(fake: FakeGitHub, tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = env_of(home, fake)
    added = run(["credential", "add", "main"], env, tmp_path, stdin=TOKEN + "\n")
    assert added.code == 0, added
    assert "stored token 'main'" in added.stdout
    key_file = home / "secret.key"
    assert f"created a new key in {key_file} (mode 0600)" in added.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    collected = run(["collect", "--owner", "acme-labs", "--quiet"], env, tmp_path)
    assert collected.code == 0, collected
    assert "repos:" in collected.stdout
    assert collected_repos(home) > 0
    for text in (added.stdout, added.stderr, collected.stdout, collected.stderr):
        assert TOKEN not in text


def test_collect_with_only_a_stored_app(
    fake: FakeGitHub, keys: tuple[str, str], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    key = new_key(home, fake)
    env = env_of(home, fake, GHTRAFFIC_SECRET_KEY=key)
    pem = tmp_path / "app.pem"
    pem.write_text(keys[0], encoding="utf-8")
    added = run(
        ["credential", "add", "acme-app", "--app-id", APP_ID, "--private-key-file", str(pem)],
        env,
        tmp_path,
    )
    assert added.code == 0, added
    assert f"stored GitHub App {APP_ID} 'acme-app'" in added.stdout
    assert f"key id {key_id(key)}" in added.stdout
    assert not (home / "secret.key").exists()  # the key of the environment is used
    pem.unlink()  # the archive holds the key now
    collected = run(["collect", "--quiet", "--requests-per-minute", "0"], env, tmp_path)
    assert collected.code == 0, collected
    assert collected_repos(home) == len(fake.world()["repos"])
    assert "BEGIN" not in collected.stdout + collected.stderr


def test_list_never_prints_a_value(fake: FakeGitHub, keys: tuple[str, str], tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = env_of(home, fake, PLANTED=TOKEN)
    pem = tmp_path / "app.pem"
    pem.write_text(keys[0], encoding="utf-8")
    for args in (
        ["credential", "add", "main", "--token-env", "PLANTED"],
        ["credential", "add", "app", "--app-id", APP_ID, "--private-key-file", str(pem),
         "--installation", "globex", "--installation", "40000001"],
    ):  # fmt: skip
        added = run(args, env, tmp_path)
        assert added.code == 0, added
    listed = run(["credential", "list"], env, tmp_path)
    assert listed.code == 0, listed
    assert "main" in listed.stdout
    assert "globex, 40000001" in listed.stdout
    shown = listed.stdout + listed.stderr
    assert TOKEN not in shown
    assert not any(line in shown for line in keys[0].splitlines()[1:-1])


def _store_main(home: Path, fake: FakeGitHub, key: str, cwd: Path) -> None:
    """``credential add main``: the token, stored with ``key``."""
    added = run(
        ["credential", "add", "main"],
        env_of(home, fake, GHTRAFFIC_SECRET_KEY=key),
        cwd,
        stdin=TOKEN,
    )
    assert added.code == 0, added


def test_a_wrong_or_missing_key_is_one_line(fake: FakeGitHub, tmp_path: Path) -> None:
    home = tmp_path / "home"
    stored_with, other = new_key(home, fake), new_key(home, fake)
    _store_main(home, fake, stored_with, tmp_path)
    wrong = run(
        ["collect", "--owner", "acme-labs"],
        env_of(home, fake, GHTRAFFIC_SECRET_KEY=other),
        tmp_path,
    )
    line = error_line(wrong, 2)
    assert line == (
        "error: the stored credentials cannot be decrypted with the key in "
        f"GHTRAFFIC_SECRET_KEY (key id {key_id(other)}; they were stored with "
        f"{key_id(stored_with)}): set the key they were stored with"
    )
    missing = run(["collect", "--owner", "acme-labs"], env_of(home, fake), tmp_path)
    assert "no key is set" in error_line(missing, 2)
    assert not (home / "secret.key").exists()
    mixed = run(
        ["credential", "add", "second"],
        env_of(home, fake, GHTRAFFIC_SECRET_KEY=other),
        tmp_path,
        stdin="another-token",
    )
    assert "cannot be decrypted" in error_line(mixed, 2)


def test_rekey_then_drop_the_old_key_and_remove(fake: FakeGitHub, tmp_path: Path) -> None:
    home = tmp_path / "home"
    old, new = new_key(home, fake), new_key(home, fake)
    _store_main(home, fake, old, tmp_path)
    rekeyed = run(
        ["credential", "rekey"], env_of(home, fake, GHTRAFFIC_SECRET_KEY=f"{new},{old}"), tmp_path
    )
    assert rekeyed.code == 0, rekeyed
    assert f"with key id {key_id(new)}" in rekeyed.stdout
    env = env_of(home, fake, GHTRAFFIC_SECRET_KEY=new)
    collected = run(["collect", "--owner", "acme-labs", "--quiet"], env, tmp_path)
    assert collected.code == 0, collected
    removed = run(["credential", "remove", "main"], env, tmp_path)
    assert removed.code == 0, removed
    listed = run(["credential", "list"], env, tmp_path)
    assert "no stored credentials" in listed.stdout
    again = run(["credential", "remove", "main"], env, tmp_path)
    assert "no credential named 'main'" in error_line(again, 2)
    nothing = run(["collect", "--owner", "acme-labs"], env, tmp_path)
    assert "no GitHub token" in error_line(nothing, 2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--app-id", "1"], "--app-id and --private-key-file go together"),
        (["--installation", "globex"], "--installation belongs to an App"),
        (["--token-env", "UNSET_VARIABLE"], "not set"),
        ([], "no token given"),
    ],
)
def test_add_mistakes_are_one_line(
    fake: FakeGitHub, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run(["credential", "add", "x", *args], env_of(tmp_path / "home", fake), tmp_path)
    assert message in error_line(result, 2)


def test_a_key_file_that_is_not_a_pem_is_refused(fake: FakeGitHub, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("SENTINEL-not-a-key")
    result = run(
        ["credential", "add", "x", "--app-id", "1", "--private-key-file", str(bad)],
        env_of(tmp_path / "home", fake),
        tmp_path,
    )
    line = error_line(result, 2)
    assert "not a PEM private key" in line
    assert "SENTINEL" not in line


def test_serve_collects_with_only_a_stored_token(fake: FakeGitHub, tmp_path: Path) -> None:
    home = tmp_path / "home"
    config = tmp_path / "ghtraffic.toml"
    config.write_text('[collect]\nowners = ["acme-labs"]\n\n[web]\nsecure_cookies = false\n')
    env = env_of(home, fake, GHTRAFFIC_CONFIG=str(config))
    refused = run(["serve", "--port", str(free_port())], env, tmp_path)
    assert "no GitHub token" in error_line(refused, 2)
    added = run(["credential", "add", "main"], env, tmp_path, stdin=TOKEN)
    assert added.code == 0, added
    process = subprocess.Popen(
        [sys.executable, "-m", "ghtraffic", "serve", "--port", str(free_port())],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not collected_runs(home):
            assert process.poll() is None, process.communicate()
            time.sleep(0.3)
        assert collected_runs(home), "the catch-up run collected with the stored token"
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=15)
    assert TOKEN not in stderr


def collected_runs(home: Path) -> list[str]:
    if not (home / ARCHIVE_FILE).exists():
        return []
    db = Database(sqlite_url(home / ARCHIVE_FILE))
    try:
        return [r.status for r in Archive(db).runs(5) if r.status == "ok"]
    finally:
        db.dispose()
