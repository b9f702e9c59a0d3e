"""Token discovery through ``gh auth token``."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from ghtraffic.config import GH_CLI, NO_CREDENTIAL, ConfigError, load_settings
from ghtraffic.github import token_from_gh_cli
from ghtraffic.github.auth import gh_hostname


def _fake_gh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    gh = tmp_path / "gh"
    gh.write_text("#!/bin/sh\n" + script + "\n")
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path))


def test_token_from_gh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _fake_gh(tmp_path, monkeypatch, 'echo "gho_FROMCLI"')
    token = token_from_gh_cli()
    assert token is not None
    assert token.get_secret_value() == "gho_FROMCLI"
    assert "gho_FROMCLI" not in repr(token)
    assert "gho_FROMCLI" not in caplog.text


def test_gh_not_logged_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_gh(tmp_path, monkeypatch, "echo 'not logged in' >&2; exit 1")
    assert token_from_gh_cli() is None


def test_gh_absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert token_from_gh_cli() is None


def test_gh_too_slow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_gh(tmp_path, monkeypatch, "exec sleep 5")
    assert token_from_gh_cli(timeout=0.2) is None


# The host gh is asked for ------------------------------------------------------------

GH_PER_HOST = """
[ "$1 $2 $3" = "auth token --hostname" ] || exit 2
case "$4" in
  github.com) echo gho_DOTCOM ;;
  octo.ghe.com) echo gho_OCTO ;;
  *) echo "no oauth token found for $4" >&2; exit 1 ;;
esac
"""


@pytest.mark.parametrize(
    ("api_url", "host"),
    [
        ("https://api.github.com", "github.com"),
        ("https://api.octo.ghe.com/", "octo.ghe.com"),
        ("https://github.example.org/api/v3", "github.example.org"),
        ("http://127.0.0.1:8123", "127.0.0.1:8123"),
    ],
)
def test_gh_is_asked_for_the_host_of_the_api_url(api_url: str, host: str) -> None:
    assert gh_hostname(api_url) == host


def test_each_github_gets_its_own_token_from_gh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_gh(tmp_path, monkeypatch, GH_PER_HOST)
    env = {"GHTRAFFIC_HOME": str(tmp_path)}
    for api_url, token in (
        ("https://api.github.com", "gho_DOTCOM"),
        ("https://api.octo.ghe.com", "gho_OCTO"),
    ):
        settings = load_settings(api_url=api_url, env=env, need_token=True)
        assert settings.token is not None
        assert (settings.token.get_secret_value(), settings.token_source) == (token, GH_CLI)
    with pytest.raises(ConfigError) as raised:  # never github.com's token elsewhere
        load_settings(api_url="https://api.other.ghe.com", env=env, need_token=True)
    assert str(raised.value) == NO_CREDENTIAL
