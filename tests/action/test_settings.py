"""The action's inputs as ``ghtraffic action run`` reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ghtraffic.action.settings import DEFAULT_BRANCH, NO_CREDENTIAL, action_settings
from ghtraffic.config import ConfigError


def _env(tmp_path: Path, **inputs: str) -> dict[str, str]:
    env = {"GITHUB_WORKSPACE": str(tmp_path), "RUNNER_TEMP": str(tmp_path / "temp")}
    env.update({f"GHTRAFFIC_ACTION_{key.upper()}": value for key, value in inputs.items()})
    return env


def test_lists_flags_and_defaults(tmp_path: Path) -> None:
    settings = action_settings(
        _env(tmp_path, repos="me/a, me/b\n  you/c", owners="org", token=" s3cret ", report="false")
    )
    assert settings.repos == ("me/a", "me/b", "you/c")
    assert settings.owners == ("org",)
    assert settings.token is not None
    assert settings.token.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)
    assert settings.branch == DEFAULT_BRANCH
    assert not settings.report
    assert not settings.commit_report
    assert settings.report_dir == tmp_path / "ghtraffic-report"
    assert settings.work_dir == tmp_path / "temp" / "ghtraffic-action"
    assert settings.retries == 5
    assert settings.import_branch is None


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"owners": "org"}, NO_CREDENTIAL),
        ({"token": "t"}, "nothing to collect"),
        ({"token": "t", "owners": "o", "report": "maybe"}, "use true or false"),
        ({"token": "t", "owners": "o", "data_branch": "-x"}, "is not a branch name"),
        ({"token": "t", "owners": "o", "push_retries": "many"}, "whole number"),
        ({"token": "t", "repos": "not-a-repo"}, "is not a repository"),
        ({"owners": "o", "app_private_key": "pem"}, "go together"),
    ],
)
def test_a_wrong_input_is_one_line(tmp_path: Path, inputs: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        action_settings(_env(tmp_path, **inputs))
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_config_file_may_name_what_to_collect(tmp_path: Path) -> None:
    (tmp_path / "ghtraffic.toml").write_text('[collect]\nowners = ["org"]\n')
    assert action_settings(_env(tmp_path, token="t")).owners == ()
