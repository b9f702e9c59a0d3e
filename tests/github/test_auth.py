"""Token discovery through ``gh auth token``."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from ghtraffic.github import token_from_gh_cli


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
