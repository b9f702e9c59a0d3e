"""Settings: flags > environment > ``ghtraffic.toml`` > defaults.

The file is optional. Tokens are never read from it directly: it names the
environment variable that holds one (``token_env``), so the file can be committed.
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, get_args

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

DEFAULT_API_URL = "https://api.github.com"
CONFIG_FILE_NAME = "ghtraffic.toml"


#: Where a token from `gh auth token` came from, as shown to people.
GH_CLI = "gh auth token"
#: The error when no token or App is configured, in the environment or stored.
NO_CREDENTIAL = (
    "no GitHub token: set GITHUB_TOKEN (or GH_TOKEN), name a variable with token_env in "
    "ghtraffic.toml, store one with `ghtraffic credential add`, or log in with "
    "`gh auth login`"
)


class ConfigError(Exception):
    """A usage or configuration problem; its message is one line a person can act on."""


#: The most days between two reads of a repository (``cadence = "auto"``), by default and
#: at the most: GitHub keeps 14 days, so 12 leaves room for one failed run.
DEFAULT_MAX_INTERVAL = 7
LONGEST_INTERVAL = 12


class _CollectSection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    owners: list[str] = Field(default_factory=list)
    repos: list[str] = Field(default_factory=list)
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    skip_forks: bool = False
    skip_archived: bool = False
    cadence: Literal["auto", "daily"] = "auto"
    max_interval: int = Field(default=DEFAULT_MAX_INTERVAL, ge=1)

    @field_validator("repos")
    @classmethod
    def _repo_names(cls, value: list[str]) -> list[str]:
        for name in value:
            parse_repo_name(name)
        return value

    @field_validator("max_interval")
    @classmethod
    def _at_most_twelve(cls, value: int) -> int:
        if value > LONGEST_INTERVAL:
            raise ValueError(
                f"{value} days between reads could lose days after one failed run (GitHub"
                f" keeps 14): use {LONGEST_INTERVAL} or fewer"
            )
        return value


class _CredentialEntry(BaseModel):
    """One ``[[credentials]]`` table: a token (``token_env``) or a GitHub App."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    token_env: str | None = None
    app_id: str | None = None
    private_key_file: str | None = None
    private_key_env: str | None = None
    installations: Literal["all"] | list[int | str] = "all"

    @field_validator("app_id", mode="before")
    @classmethod
    def _app_id_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _one_kind(self) -> _CredentialEntry:
        if (self.token_env is None) == (self.app_id is None):
            raise ValueError("give either token_env (a token) or app_id (a GitHub App)")
        keys = (self.private_key_file is not None) + (self.private_key_env is not None)
        if self.app_id is not None and keys != 1:
            raise ValueError("a GitHub App needs private_key_file or private_key_env (one)")
        if self.token_env is not None and keys:
            raise ValueError("private_key_file and private_key_env belong to an app_id")
        return self


@dataclass(frozen=True)
class TokenCredential:
    """A token from ``[[credentials]]`` (the value never comes from the file itself)."""

    name: str
    token: SecretStr
    source: str


@dataclass(frozen=True)
class AppCredential:
    """A GitHub App: its id (or client id), the PEM private key, and which installations
    to read (``None``: all of them; else installation ids and account logins)."""

    name: str
    app_id: str
    private_key: SecretStr = field(repr=False)
    installations: tuple[int | str, ...] | None = None


Credential = TokenCredential | AppCredential


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
    credentials: list[_CredentialEntry] = Field(default_factory=list)
    #: Sections owned by other parts, validated there: ``[processing]``,
    #: ``[notifications]``, ``[web]``, ``[schedule]``, ``[metrics]``.
    processing: dict[str, Any] = Field(default_factory=dict)
    notifications: dict[str, Any] = Field(default_factory=dict)
    web: dict[str, Any] = Field(default_factory=dict)
    schedule: dict[str, Any] = Field(default_factory=dict)
    metrics: dict[str, Any] = Field(default_factory=dict)


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
    #: ``auto``: busy repositories daily, quieter ones less often (``collect/schedule.py``);
    #: ``daily``: every repository every day.
    cadence: str = "auto"
    max_interval: int = DEFAULT_MAX_INTERVAL
    #: Read every repository in this run, due or not (``collect --all``).
    read_all: bool = False
    concurrency: int = 4
    #: Pacing for GitHub's secondary limit (900 points a minute); 0 turns pacing off.
    requests_per_minute: int = 800
    #: Below this many remaining points no new repository is started.
    rate_floor: int = 50
    #: Longest wait for a rate-limit reset, in seconds, before deferring the rest.
    max_wait: float = 0.0
    #: Longest wait, in seconds, for another collection on the same archive to end.
    lock_wait: float = 600.0
    config_path: Path | None = None
    #: Tokens and GitHub Apps from ``[[credentials]]`` and ``--app-id``; with an app, every
    #: repository of its installations is collected.
    credentials: tuple[Credential, ...] = ()
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

    @property
    def apps(self) -> tuple[AppCredential, ...]:
        return tuple(c for c in self.credentials if isinstance(c, AppCredential))

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
        raise ConfigError(f"{path}: {validation_message(exc, FileConfig)}") from None


def validation_message(error: ValidationError, model: type[BaseModel]) -> str:
    """The first problem of ``error`` as ``where: what``; an unknown key names the
    nearest known key of its table."""
    first = error.errors()[0]
    loc = first["loc"]
    where = ".".join(str(part) for part in loc) or "(top level)"
    if first["type"] == "extra_forbidden" and loc:
        known = _known_keys(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(known)})"
        return f"{where} is not a setting{hint}"
    return f"{where}: {str(first['msg']).removeprefix('Value error, ')}"


def _known_keys(model: type[BaseModel], path: tuple[int | str, ...]) -> list[str]:
    """The keys of the table at ``path`` inside ``model`` (list indexes skipped)."""
    current: type[BaseModel] | None = model
    for part in path:
        if isinstance(part, int) or current is None:
            continue
        field = current.model_fields.get(part)
        current = None if field is None else _model_in(field.annotation)
    return [] if current is None else list(current.model_fields)


def _model_in(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


#: The archives ghtraffic can keep, as their URLs start.
SUPPORTED_DATABASES = "sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"


def check_database_url(url: str) -> str:
    """``url`` when it names a back end ghtraffic supports (SQLite, PostgreSQL through
    psycopg; ``postgresql://`` means psycopg too), else a one-line ``ConfigError``."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        # Not echoed: a mistyped URL may still hold a password.
        raise ConfigError(f"the database URL is not a URL: use {SUPPORTED_DATABASES}") from None
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if parsed.drivername == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if (backend, driver) in (("sqlite", "pysqlite"), ("postgresql", "psycopg")):
        return url
    shown = parsed.render_as_string(hide_password=True)
    raise ConfigError(
        f"the database URL {shown} is not supported ({parsed.drivername}): use "
        f"{SUPPORTED_DATABASES}"
    )


def load_settings(
    *,
    config: str | None = None,
    api_url: str | None = None,
    database_url: str | None = None,
    token: str | None = None,
    env: dict[str, str] | None = None,
    need_token: bool = False,
    gh_cli: bool = True,
    app_id: str | None = None,
    app_key_file: str | None = None,
    check_token: bool = True,
) -> Settings:
    """Resolve settings from flags, environment, config file and defaults.

    ``app_id``/``app_key_file`` add a GitHub App (all installations) to ``[[credentials]]``.
    With ``need_token`` and ``check_token=False`` the token comes only from the flag and
    the environment, without an error when there is none: the caller adds the archive's
    stored credentials, then calls :func:`require_credential`.
    """
    env = dict(os.environ) if env is None else env
    path = find_config_file(config, env)
    file = load_file_config(path)
    section = file.collect
    credentials = _resolve_credentials(file, env, app_id, app_key_file)

    resolved_api = api_url or env.get("GHTRAFFIC_API_URL") or file.api_url or DEFAULT_API_URL
    resolved_db = (
        database_url
        or env.get("GHTRAFFIC_DATABASE_URL")
        or file.database_url
        or default_database_url(env)
    )
    secret, source = _resolve_token(token, env, file)
    settings = Settings(
        api_url=resolved_api.rstrip("/"),
        database_url=check_database_url(resolved_db),
        token=secret,
        token_source=source,
        owners=tuple(section.owners),
        repos=tuple(section.repos),
        include=tuple(section.include),
        exclude=tuple(section.exclude),
        skip_forks=section.skip_forks,
        skip_archived=section.skip_archived,
        cadence=section.cadence,
        max_interval=section.max_interval,
        concurrency=file.concurrency or 4,
        requests_per_minute=(
            file.requests_per_minute if file.requests_per_minute is not None else 800
        ),
        rate_floor=file.rate_floor if file.rate_floor is not None else 50,
        max_wait=file.max_wait if file.max_wait is not None else 0.0,
        config_path=path,
        credentials=credentials,
        sections={
            "processing": file.processing,
            "notifications": file.notifications,
            "web": file.web,
            "schedule": file.schedule,
            "metrics": file.metrics,
        },
    )
    if not need_token:
        return _first_token(settings)
    if not check_token:
        return settings
    return require_credential(settings, gh_cli=gh_cli)


def require_credential(settings: Settings, *, gh_cli: bool = True) -> Settings:
    """``settings`` with a credential to reach GitHub, or the "no GitHub token" error.

    Without a token from the flag or the environment and without a GitHub App, the token
    of `gh auth token --hostname HOST` is taken (the GitHub of ``api_url``); else the first
    ``[[credentials]]`` (or stored) token becomes the token.
    """
    if settings.token is None and not settings.apps and gh_cli:
        from ghtraffic.github.auth import gh_hostname, token_from_gh_cli

        found = token_from_gh_cli(gh_hostname(settings.api_url))
        if found is not None:
            settings = settings.with_changes(token=found, token_source=GH_CLI)
    settings = _first_token(settings)
    if settings.token is None and not settings.apps:
        raise ConfigError(NO_CREDENTIAL)
    return settings


def _first_token(settings: Settings) -> Settings:
    if settings.token is not None:
        return settings
    first = next((c for c in settings.credentials if isinstance(c, TokenCredential)), None)
    if first is None:
        return settings
    return settings.with_changes(token=first.token, token_source=first.source)


def _resolve_credentials(
    file: FileConfig, env: dict[str, str], app_id: str | None, app_key_file: str | None
) -> tuple[Credential, ...]:
    """``[[credentials]]`` with their secrets read, then the ``--app-id`` app."""
    found: list[Credential] = []
    names: set[str] = set()
    for entry in file.credentials:
        if entry.name in names:
            raise ConfigError(f"two [[credentials]] are named {entry.name!r}: names must differ")
        names.add(entry.name)
        if entry.token_env is not None:
            value = env.get(entry.token_env)
            if not value:
                raise ConfigError(
                    f"credentials {entry.name!r} names token_env = {entry.token_env!r}, but "
                    "that variable is not set: export it or remove the entry"
                )
            found.append(TokenCredential(entry.name, SecretStr(value), entry.token_env))
            continue
        assert entry.app_id is not None
        if entry.private_key_file is not None:
            pem = _read_key_file(entry.private_key_file, entry.name)
        else:
            assert entry.private_key_env is not None
            pem = env.get(entry.private_key_env, "")
            if not pem.strip():
                raise ConfigError(
                    f"credentials {entry.name!r} names private_key_env = "
                    f"{entry.private_key_env!r}, but that variable is not set: export the "
                    "app's PEM private key in it"
                )
        selection = None if entry.installations == "all" else tuple(entry.installations)
        found.append(_app(entry.name, entry.app_id, SecretStr(pem), selection))
    if app_id is not None or app_key_file is not None:
        if not app_id or not app_key_file:
            raise ConfigError("--app-id and --app-key-file go together: give both")
        pem = _read_key_file(app_key_file, "--app-key-file")
        found.append(_app("--app-id", app_id, SecretStr(pem), None))
    return tuple(found)


def _read_key_file(path: str, name: str) -> str:
    try:
        return Path(path).expanduser().read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"the private key file of {name!r}, {path}, does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not a text file"
        raise ConfigError(f"cannot read the private key file {path}: {reason}") from None


def _app(
    name: str, app_id: str, pem: SecretStr, selection: tuple[int | str, ...] | None
) -> AppCredential:
    from ghtraffic.github.app import AppKeyError, load_private_key

    if not app_id.strip():
        raise ConfigError(f"credentials {name!r}: app_id is empty")
    try:
        load_private_key(pem, what=f"the private key of {name!r}")
    except AppKeyError as exc:
        raise ConfigError(str(exc)) from None
    return AppCredential(name, app_id.strip(), pem, selection)


def _resolve_token(
    flag: str | None, env: dict[str, str], file: FileConfig
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
    return None, ""
