"""Settings: flags > environment > ``ghtraffic.toml`` > defaults.

The file is optional. Tokens are never read from it directly: it names the
environment variable that holds one (``token_env``), so the file can be committed.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

DEFAULT_API_URL = "https://api.github.com"
CONFIG_FILE_NAME = "ghtraffic.toml"


class ConfigError(Exception):
    """A usage or configuration problem; its message is one line a person can act on."""


class _CollectSection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    owners: list[str] = Field(default_factory=list)
    repos: list[str] = Field(default_factory=list)
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    skip_forks: bool = False
    skip_archived: bool = False

    @field_validator("repos")
    @classmethod
    def _repo_names(cls, value: list[str]) -> list[str]:
        for name in value:
            parse_repo_name(name)
        return value


class FileConfig(BaseModel):
    """The schema of ``ghtraffic.toml``."""

    model_config = ConfigDict(extra="forbid")

    api_url: str | None = None
    database_url: str | None = None
    token_env: str | None = None
    concurrency: int | None = Field(default=None, ge=1, le=32)
    requests_per_minute: int | None = Field(default=None, ge=0)
    rate_floor: int | None = Field(default=None, ge=0)
    max_wait: float | None = Field(default=None, ge=0)
    collect: _CollectSection = Field(default_factory=_CollectSection)
    #: Sections owned by other parts, validated there: ``[processing]``,
    #: ``[notifications]``, ``[web]``, ``[schedule]``.
    processing: dict[str, Any] = Field(default_factory=dict)
    notifications: dict[str, Any] = Field(default_factory=dict)
    web: dict[str, Any] = Field(default_factory=dict)
    schedule: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    """Everything a command needs, resolved once."""

    api_url: str = DEFAULT_API_URL
    database_url: str = ""
    token: SecretStr | None = None
    token_source: str = ""
    owners: tuple[str, ...] = ()
    repos: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    skip_forks: bool = False
    skip_archived: bool = False
    concurrency: int = 4
    #: Pacing for GitHub's secondary limit (900 points a minute); 0 turns pacing off.
    requests_per_minute: int = 800
    #: Below this many remaining points no new repository is started.
    rate_floor: int = 50
    #: Longest wait for a rate-limit reset, in seconds, before deferring the rest.
    max_wait: float = 0.0
    config_path: Path | None = None
    #: The raw ``[processing]``, ``[notifications]``, ``[web]`` and ``[schedule]`` tables;
    #: each part validates its own (a missing table is an empty dict).
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        return self.sections.get(name, {})

    def selects(self, full_name: str) -> bool:
        """Whether include/exclude glob patterns let ``owner/name`` through."""
        name = full_name.lower()
        if self.include and not any(fnmatch.fnmatchcase(name, p.lower()) for p in self.include):
            return False
        return not any(fnmatch.fnmatchcase(name, p.lower()) for p in self.exclude)

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def parse_repo_name(value: str) -> tuple[str, str]:
    """``owner/name`` → (owner, name), or a ConfigError naming the bad value."""
    parts = value.strip().strip("/").split("/")
    if len(parts) != 2 or not all(parts) or any(" " in p for p in parts):
        raise ConfigError(f"{value!r} is not a repository: write it as OWNER/NAME")
    return parts[0], parts[1]


def data_dir(env: dict[str, str] | None = None) -> Path:
    """Where the embedded archive lives: ``$GHTRAFFIC_HOME`` or the user data dir."""
    env = dict(os.environ) if env is None else env
    home = env.get("GHTRAFFIC_HOME")
    return Path(home) if home else Path(platformdirs.user_data_dir("ghtraffic", appauthor=False))


def default_database_url(env: dict[str, str] | None = None) -> str:
    return f"sqlite:///{data_dir(env) / 'ghtraffic.sqlite'}"


def find_config_file(explicit: str | None, env: dict[str, str]) -> Path | None:
    if explicit:
        return Path(explicit)
    if env.get("GHTRAFFIC_CONFIG"):
        return Path(env["GHTRAFFIC_CONFIG"])
    local = Path.cwd() / CONFIG_FILE_NAME
    return local if local.is_file() else None


def load_file_config(path: Path | None) -> FileConfig:
    if path is None:
        return FileConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    try:
        return FileConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ConfigError(f"{path}: {where}: {first['msg']}") from None


def load_settings(
    *,
    config: str | None = None,
    api_url: str | None = None,
    database_url: str | None = None,
    token: str | None = None,
    env: dict[str, str] | None = None,
    need_token: bool = False,
    gh_cli: bool = True,
) -> Settings:
    """Resolve settings from flags, environment, config file and defaults."""
    env = dict(os.environ) if env is None else env
    path = find_config_file(config, env)
    file = load_file_config(path)
    section = file.collect

    resolved_api = api_url or env.get("GHTRAFFIC_API_URL") or file.api_url or DEFAULT_API_URL
    resolved_db = (
        database_url
        or env.get("GHTRAFFIC_DATABASE_URL")
        or file.database_url
        or default_database_url(env)
    )
    secret, source = _resolve_token(token, env, file, gh_cli=gh_cli and need_token)
    if need_token and secret is None:
        raise ConfigError(
            "no GitHub token: set GITHUB_TOKEN (or GH_TOKEN), name a variable with token_env "
            "in ghtraffic.toml, or log in with `gh auth login`"
        )
    return Settings(
        api_url=resolved_api.rstrip("/"),
        database_url=resolved_db,
        token=secret,
        token_source=source,
        owners=tuple(section.owners),
        repos=tuple(section.repos),
        include=tuple(section.include),
        exclude=tuple(section.exclude),
        skip_forks=section.skip_forks,
        skip_archived=section.skip_archived,
        concurrency=file.concurrency or 4,
        requests_per_minute=(
            file.requests_per_minute if file.requests_per_minute is not None else 800
        ),
        rate_floor=file.rate_floor if file.rate_floor is not None else 50,
        max_wait=file.max_wait if file.max_wait is not None else 0.0,
        config_path=path,
        sections={
            "processing": file.processing,
            "notifications": file.notifications,
            "web": file.web,
            "schedule": file.schedule,
        },
    )


def _resolve_token(
    flag: str | None, env: dict[str, str], file: FileConfig, *, gh_cli: bool
) -> tuple[SecretStr | None, str]:
    if flag:
        return SecretStr(flag), "--token"
    if env.get("GHTRAFFIC_TOKEN"):
        return SecretStr(env["GHTRAFFIC_TOKEN"]), "GHTRAFFIC_TOKEN"
    if file.token_env:
        value = env.get(file.token_env)
        if not value:
            raise ConfigError(
                f"ghtraffic.toml names token_env = {file.token_env!r}, but that variable is "
                "not set: export it or remove token_env"
            )
        return SecretStr(value), file.token_env
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        if env.get(name):
            return SecretStr(env[name]), name
    if gh_cli:
        from ghtraffic.github.auth import token_from_gh_cli

        found = token_from_gh_cli()
        if found is not None:
            return found, "gh auth token"
    return None, ""
