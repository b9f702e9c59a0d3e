"""The action's settings, from the ``GHTRAFFIC_ACTION_*`` environment that ``action.yml``
sets from its inputs (and the runner's own ``GITHUB_*``/``RUNNER_*`` variables)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from ghtraffic.config import CONFIG_FILE_NAME, ConfigError, parse_repo_name

PREFIX = "GHTRAFFIC_ACTION_"
DEFAULT_BRANCH = "ghtraffic-data"
DEFAULT_REPORT_DIR = "ghtraffic-report"
DEFAULT_RETRIES = 5
NO_CREDENTIAL = (
    "no credential: set the action's token input (a fine-grained token with the repository"
    " permission Administration: read, or a classic token with repo) or app-id and"
    " app-private-key; the workflow's own GITHUB_TOKEN cannot read traffic"
)
_BRANCH = re.compile(r"[A-Za-z0-9._/-]+")


@dataclass(frozen=True)
class ActionSettings:
    """One run's settings; ``token`` and ``app_key`` are never shown."""

    repos: tuple[str, ...]
    owners: tuple[str, ...]
    token: SecretStr | None
    app_id: str | None
    app_key: SecretStr | None
    workspace: Path
    work_dir: Path
    remote: str
    branch: str
    report: bool
    report_dir: Path
    commit_report: bool
    import_branch: str | None
    read_all: bool
    retries: int


def _words(text: str) -> tuple[str, ...]:
    return tuple(word for word in re.split(r"[\s,]+", text) if word)


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    text = env.get(PREFIX + name, "").strip().lower()
    if not text:
        return default
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off"):
        return False
    raise ConfigError(f"{PREFIX}{name} is {text!r}: use true or false")


def _branch(env: Mapping[str, str], name: str, default: str | None) -> str | None:
    text = env.get(PREFIX + name, "").strip() or default
    if text is not None and (not _BRANCH.fullmatch(text) or text.startswith(("-", "/"))):
        raise ConfigError(f"{PREFIX}{name} {text!r} is not a branch name")
    return text


def _retries(env: Mapping[str, str]) -> int:
    text = env.get(PREFIX + "PUSH_RETRIES", "").strip()
    if not text:
        return DEFAULT_RETRIES
    if not text.isdigit() or int(text) > 100:
        raise ConfigError(f"{PREFIX}PUSH_RETRIES is {text!r}: use a whole number up to 100")
    return int(text)


def _secret(env: Mapping[str, str], name: str) -> SecretStr | None:
    text = env.get(PREFIX + name, "").strip()
    return SecretStr(text) if text else None


def action_settings(env: Mapping[str, str]) -> ActionSettings:
    """The settings of ``env``; raises ``ConfigError`` (one line) for a wrong one."""
    repos = _words(env.get(PREFIX + "REPOS", ""))
    for name in repos:
        parse_repo_name(name)
    owners = _words(env.get(PREFIX + "OWNERS", ""))
    token = _secret(env, "TOKEN")
    app_id = env.get(PREFIX + "APP_ID", "").strip() or None
    app_key = _secret(env, "APP_PRIVATE_KEY")
    if (app_id is None) != (app_key is None):
        raise ConfigError("app-id and app-private-key go together: set both or neither")
    if token is None and app_id is None:
        raise ConfigError(NO_CREDENTIAL)
    workspace = Path(env.get("GITHUB_WORKSPACE") or ".").resolve()
    configured = env.get("GHTRAFFIC_CONFIG") or (workspace / CONFIG_FILE_NAME).exists()
    if not repos and not owners and app_id is None and not configured:
        raise ConfigError(
            "nothing to collect: set the repositories input (OWNER/NAME ...) or owners (LOGIN ...)"
        )
    temp = env.get(PREFIX + "WORK_DIR") or env.get("RUNNER_TEMP") or tempfile.gettempdir()
    report_dir = Path(env.get(PREFIX + "REPORT_DIR", "").strip() or DEFAULT_REPORT_DIR)
    branch = _branch(env, "DATA_BRANCH", DEFAULT_BRANCH)
    assert branch is not None
    return ActionSettings(
        repos=repos,
        owners=owners,
        token=token,
        app_id=app_id,
        app_key=app_key,
        workspace=workspace,
        work_dir=Path(temp) / "ghtraffic-action",
        remote=env.get(PREFIX + "REMOTE", "").strip() or "origin",
        branch=branch,
        report=_flag(env, "REPORT", True),
        report_dir=report_dir if report_dir.is_absolute() else workspace / report_dir,
        commit_report=_flag(env, "COMMIT_REPORT", False),
        import_branch=_branch(env, "IMPORT_GITHUB_REPO_STATS", None),
        read_all=_flag(env, "READ_ALL", False),
        retries=_retries(env),
    )
