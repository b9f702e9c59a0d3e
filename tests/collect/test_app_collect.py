"""Collection with a GitHub App (and several credentials) against the fake GitHub."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from ghtraffic.collect.etags import ArchiveEtagStore
from ghtraffic.collect.run import open_client, run_collection
from ghtraffic.collect.summary import RunSummary
from ghtraffic.config import (
    AppCredential,
    ConfigError,
    Settings,
    TokenCredential,
    load_settings,
)
from ghtraffic.domain import DayValues
from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.model import TrafficModel
from ghtraffic.fakegithub.server import FakeGitHub, running
from ghtraffic.github.kept_apps import KeptApps
from ghtraffic.github.retry import RetryPolicy
from ghtraffic.storage.archive import Archive
from tests.app_keys import new_app_keys
from tests.cli.helpers import clean_env, run_cli
from tests.collect.oracle import as_rows, expected_daily

APP_ID = "31337"
START = datetime(2026, 1, 8, 22, 0, tzinfo=UTC)
FAST = RetryPolicy(attempts=8, initial=0.01, maximum=0.05, secondary_initial=0.01)


@pytest.fixture(scope="module")
def keys() -> tuple[str, str]:
    return new_app_keys()


@pytest.fixture
def fake(keys: tuple[str, str]) -> Iterator[FakeGitHub]:
    config = FakeGitHubConfig(repos=7, seed=11, start=START, apps={APP_ID: keys[1]})
    with running(config) as server:
        yield server


def app_credential(keys: tuple[str, str], **changes: Any) -> AppCredential:
    return AppCredential(
        changes.pop("name", "acme-app"), APP_ID, SecretStr(keys[0]), changes.pop("only", None)
    )


def collect(fake: FakeGitHub, archive: Archive, **changes: Any) -> RunSummary:
    changes.setdefault("read_all", True)  # every repository, due or not
    settings = Settings(
        api_url=fake.api_url,
        token=changes.pop("token", None),
        concurrency=4,
        requests_per_minute=0,
        **changes,
    )
    return asyncio.run(run_collection(settings, archive=archive, retry=FAST))


def archived(archive: Archive, name: str) -> list[DayValues]:
    return [
        DayValues(r.day, r.views, r.views_unique, r.clones, r.clones_unique)
        for r in archive.export_daily(name)
    ]


def test_an_app_alone_collects_every_repo_of_every_installation(
    fake: FakeGitHub, archive: Archive, keys: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    world = {r["full_name"]: r["id"] for r in fake.world()["repos"]}
    credentials = (app_credential(keys),)
    times = [fake.now()]
    first = collect(fake, archive, credentials=credentials)
    assert first.exit_code == 0, first.line()
    assert first.ok == len(world)
    assert set(archive.repo_states()) == set(world.values())
    fake.reset_stats()
    fake.advance(timedelta(hours=1, minutes=7))  # every token of the first run has expired
    times.append(fake.now())
    second = collect(fake, archive, credentials=credentials)
    assert second.exit_code == 0, second.line()
    assert second.ok == len(world)
    stats = fake.stats()["by_kind"]
    assert stats["access_token"] == {"201": 3}  # one new token per installation
    assert "unauthorized" not in stats
    model = TrafficModel(seed=11)
    for name, repo_id in world.items():
        assert archived(archive, name) == as_rows(expected_daily(model, repo_id, times)), name
    assert "BEGIN" not in caplog.text
    assert "ghs_" not in caplog.text


def test_installations_can_be_chosen_by_account_or_id(
    fake: FakeGitHub, archive: Archive, keys: tuple[str, str]
) -> None:
    world = [r["full_name"] for r in fake.world()["repos"]]
    notices: list[str] = []
    settings = Settings(
        api_url=fake.api_url,
        credentials=(app_credential(keys, only=("globex", "no-such-account")),),
        requests_per_minute=0,
    )
    summary = asyncio.run(
        run_collection(settings, archive=archive, retry=FAST, on_notice=notices.append)
    )
    assert summary.exit_code == 0, summary.line()
    assert sorted(o.full_name for o in summary.outcomes) == sorted(
        n for n in world if n.startswith("globex/")
    )
    assert any("no-such-account" in n for n in notices)


def test_app_and_tokens_together_each_repo_with_a_credential_that_reads_it(
    fake: FakeGitHub, archive: Archive, keys: tuple[str, str]
) -> None:
    repos = fake.world()["repos"]
    other = next(r["full_name"] for r in repos if not r["full_name"].startswith("octo-demo/"))
    # the app is installed on octo-demo only here: the token reads the other repository
    summary = collect(
        fake,
        archive,
        token=SecretStr("demo-token"),
        token_source="GITHUB_TOKEN",
        repos=(other,),
        credentials=(app_credential(keys, only=("octo-demo",)),),
    )
    assert summary.exit_code == 0, summary.line()
    expected = {r["full_name"] for r in repos if r["full_name"].startswith("octo-demo/")}
    assert {o.full_name for o in summary.outcomes} == expected | {other}
    points = fake.stats()["points"]
    assert points["demo-token"] >= 4  # the other repository's traffic
    assert sum(n for t, n in points.items() if t != "demo-token") >= 4 * len(expected)


def test_several_tokens_fall_back_to_the_one_that_can_read(
    fake: FakeGitHub, archive: Archive
) -> None:
    repos = fake.world()["repos"]
    summary = collect(
        fake,
        archive,
        token=SecretStr("outsider-token"),
        token_source="GITHUB_TOKEN",
        credentials=(TokenCredential("main", SecretStr("demo-token"), "MAIN_TOKEN"),),
        owners=("acme-labs",),
    )
    assert summary.exit_code == 0, summary.line()
    # the first token lists the organisation's public repositories; traffic needs the second
    listed = {r["full_name"] for r in repos if r["full_name"].startswith("acme-labs/")}
    assert {o.full_name for o in summary.outcomes} <= listed
    assert summary.ok == len(summary.outcomes) > 0


def test_a_key_that_is_not_the_apps_stops_the_run_as_a_credentials_error(
    fake: FakeGitHub, archive: Archive
) -> None:
    pem = new_app_keys()[0]
    from ghtraffic.github.app import AppAuthError

    with pytest.raises(AppAuthError) as caught:
        collect(fake, archive, credentials=(AppCredential("x", APP_ID, SecretStr(pem)),))
    assert pem.splitlines()[1] not in str(caught.value)


# -- configuration ----------------------------------------------------------------------------


def test_credentials_from_ghtraffic_toml(tmp_path: Path, keys: tuple[str, str]) -> None:
    key_file = tmp_path / "app.pem"
    key_file.write_text(keys[0], encoding="utf-8")
    config = tmp_path / "ghtraffic.toml"
    config.write_text(
        f"""
[[credentials]]
name = "main"
token_env = "MAIN_TOKEN"

[[credentials]]
name = "file-app"
app_id = 12345
private_key_file = "{key_file}"
installations = "all"

[[credentials]]
name = "env-app"
app_id = "Iv23liABC"
private_key_env = "APP_KEY"
installations = [40000001, "acme-labs"]
""",
        encoding="utf-8",
    )
    env = {"MAIN_TOKEN": "tok-1", "APP_KEY": keys[0].replace("\n", "\\n")}
    settings = load_settings(config=str(config), env=env, need_token=True, gh_cli=False)
    main, file_app, env_app = settings.credentials
    assert main == TokenCredential("main", SecretStr("tok-1"), "MAIN_TOKEN")
    assert isinstance(file_app, AppCredential)
    assert (file_app.app_id, file_app.installations) == ("12345", None)
    assert isinstance(env_app, AppCredential)
    assert env_app.installations == (40000001, "acme-labs")
    assert settings.token == SecretStr("tok-1")
    assert len(settings.apps) == 2
    assert keys[0].splitlines()[1] not in repr(settings)


@pytest.mark.parametrize(
    ("entry", "env", "message"),
    [
        ('name = "a"\ntoken_env = "T"\napp_id = "1"', {}, "either token_env"),
        ('name = "a"\napp_id = "1"', {}, "private_key_file or private_key_env"),
        ('name = "a"\ntoken_env = "MISSING"', {}, "not set"),
        ('name = "a"\napp_id = "1"\nprivate_key_env = "K"', {}, "not set"),
        ('name = "a"\napp_id = "1"\nprivate_key_env = "K"', {"K": "SENTINELKEY"}, "not a PEM"),
        ('name = "a"\napp_id = "1"\nprivate_key_file = "/no/such.pem"', {}, "does not exist"),
    ],
)
def test_credential_mistakes_are_one_line_config_errors(
    tmp_path: Path, entry: str, env: dict[str, str], message: str
) -> None:
    config = tmp_path / "ghtraffic.toml"
    config.write_text(f"[[credentials]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(config=str(config), env=env, need_token=True, gh_cli=False)
    assert "SENTINELKEY" not in str(caught.value)


def test_collect_command_with_app_options(
    fake: FakeGitHub, keys: tuple[str, str], tmp_path: Path
) -> None:
    key_file = tmp_path / "app.pem"
    key_file.write_text(keys[0], encoding="utf-8")
    result = run_cli(
        [
            "collect",
            "--app-id",
            APP_ID,
            "--app-key-file",
            str(key_file),
            "--api-url",
            fake.api_url,
            "--requests-per-minute",
            "0",
            "--quiet",
        ],
        env=clean_env(tmp_path / "home"),
        cwd=tmp_path,
    )
    assert result.code == 0, result.stderr
    assert result.shows_no_traceback()
    assert "BEGIN" not in result.stdout + result.stderr
    assert len(fake.world()["repos"]) == 7
    assert "7" in result.stdout


def test_apps_kept_by_a_process_sign_in_once_for_many_clients(
    fake: FakeGitHub, keys: tuple[str, str]
) -> None:
    """A worker opens a client per repository; with the process's kept apps they share
    the list of installations and each installation's token instead of asking again."""
    repos = [r["full_name"] for r in fake.world()["repos"]]
    settings = Settings(
        api_url=fake.api_url, credentials=(app_credential(keys),), requests_per_minute=0
    )
    kept = KeptApps()

    async def one_client_per_repo() -> list[int]:
        statuses = []
        try:
            for full_name in repos:
                async with open_client(settings, ArchiveEtagStore({}), apps=kept) as (client, _):
                    owner, name = full_name.split("/")
                    statuses.append((await client.repo(owner, name)).status)
        finally:
            await kept.shutdown()
        return statuses

    fake.reset_stats()
    assert asyncio.run(one_client_per_repo()) == [200] * len(repos)
    stats = fake.stats()["by_kind"]
    owners = {n.split("/")[0] for n in repos}
    assert stats["app_installations"] == {"200": 1}
    assert stats["access_token"] == {"201": len(owners)}, "one token per installation"
