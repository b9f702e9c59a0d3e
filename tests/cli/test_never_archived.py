"""A configured repository no collection could read shows as never archived, with why."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, running
from ghtraffic.storage import queries
from ghtraffic.storage.database import Database

from .helpers import ARCHIVE_FILE, TOKEN, clean_env, repos_of, run_cli

OWNER = "acme-labs"
MISSING = f"{OWNER}/no-such-repo"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGitHub]:
    with running(FakeGitHubConfig(repos=8, seed=1)) as server:
        yield server


def test_status_lists_what_was_never_read_and_why(fake: FakeGitHub, tmp_path: Path) -> None:
    existing = repos_of(fake.world(), OWNER)[0]
    (tmp_path / "ghtraffic.toml").write_text(
        f'[collect]\nrepos = ["{existing}", "{MISSING}"]\n', encoding="utf-8"
    )
    env = clean_env(tmp_path / "home", GHTRAFFIC_API_URL=fake.api_url, GITHUB_TOKEN=TOKEN)

    def status() -> dict[str, object]:
        result = run_cli(["status", "--json"], env=env, cwd=tmp_path)
        assert result.code == 0, result
        document: dict[str, object] = json.loads(result.stdout)
        return document

    before = status()["never_archived"]
    assert before == [
        {
            "repo": name,
            "reason": queries.NOT_TRIED,
            "attempts": 0,
            "last_tried_at": None,
            "last_outcome": None,
        }
        for name in sorted([existing, MISSING], key=str.casefold)
    ]

    collected = run_cli(["collect"], env=env, cwd=tmp_path)
    assert collected.code == 1, collected  # one repository failed

    never = status()["never_archived"]
    assert isinstance(never, list)
    (missing,) = never
    assert isinstance(missing, dict)
    assert missing["repo"] == MISSING
    assert missing["attempts"] == 1
    assert missing["last_outcome"] == "failed"
    assert "not found" in missing["reason"].lower() or "404" in missing["reason"]
    assert missing["last_tried_at"] is not None

    text = run_cli(["status"], env=env, cwd=tmp_path)
    assert text.code == 0, text
    assert "1 never archived" in text.stdout
    assert MISSING in text.stdout
    assert missing["reason"].split()[0] in text.stdout

    # The same list for the dashboard and the metrics, straight from the archive.
    db = Database(f"sqlite:///{tmp_path / 'home' / ARCHIVE_FILE}")
    with db.read_session() as session:
        found = queries.never_archived(session, [existing, MISSING])
    assert [item.full_name for item in found] == [MISSING]
    assert found[0].reason == missing["reason"]
