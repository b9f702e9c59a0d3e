"""Settings of one fake GitHub server, buildable from the command-line options."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ghtraffic.fakegithub.clock import DEFAULT_START, parse_instant
from ghtraffic.fakegithub.faults import FaultSettings, parse_faults
from ghtraffic.fakegithub.model import DEFAULT_SWITCH_DATE
from ghtraffic.fakegithub.ratelimit import DEFAULT_LIMIT
from ghtraffic.fakegithub.world import (
    DEFAULT_ORGS,
    DEFAULT_TOKEN,
    DEFAULT_TOKENS,
    DEFAULT_USER,
    OUTSIDER_TOKEN,
    OUTSIDER_USER,
)


@dataclass(frozen=True)
class FakeGitHubConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    repos: int = 25
    seed: int = 1
    start: datetime = DEFAULT_START
    realtime: bool = False
    switch_date: date = DEFAULT_SWITCH_DATE
    faults: FaultSettings = field(default_factory=FaultSettings)
    replay: Path | None = None
    ghes: bool = False
    tokens: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TOKENS))
    user: str = DEFAULT_USER
    orgs: tuple[str, ...] = DEFAULT_ORGS
    rate_limit: int = DEFAULT_LIMIT
    #: GitHub Apps: app id -> the app's PUBLIC key (PEM); each is installed on every
    #: account that owns repositories.
    apps: dict[str, str] = field(default_factory=dict)

    @property
    def latency_ms(self) -> float:
        return self.faults.latency_ms

    @classmethod
    def from_options(
        cls,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        repos: int = 25,
        seed: int = 1,
        start: str | datetime | None = None,
        realtime: bool = False,
        switch_date: str | date | None = None,
        latency_ms: float | None = None,
        faults: str | None = None,
        replay: str | Path | None = None,
        ghes: bool = False,
        rate_limit: int = DEFAULT_LIMIT,
        token: str | None = None,
        app_id: str | None = None,
        app_key: str | Path | None = None,
    ) -> FakeGitHubConfig:
        """A config from CLI-style options (strings are parsed; ``None`` means the default).

        ``token`` replaces the main user's default token ``demo-token``. ``app_id`` and
        ``app_key`` (a file with the app's PUBLIC key) add a GitHub App.
        """
        apps: dict[str, str] = {}
        if (app_id is None) != (app_key is None):
            raise ValueError("--app-id and --app-key go together")
        if app_id is not None and app_key is not None:
            if not app_id.strip().isdigit():
                raise ValueError(f"--app-id must be a number, not {app_id!r}")
            apps[app_id.strip()] = Path(app_key).read_text(encoding="utf-8")
        settings = parse_faults(faults) if faults else FaultSettings()
        if latency_ms is not None:
            settings = parse_faults(f"latency={latency_ms}", settings)
        if isinstance(start, str):
            start = parse_instant(start)
        if isinstance(switch_date, str):
            switch_date = date.fromisoformat(switch_date)
        tokens = {token or DEFAULT_TOKEN: DEFAULT_USER, OUTSIDER_TOKEN: OUTSIDER_USER}
        return cls(
            host=host,
            port=port,
            repos=repos,
            seed=seed,
            start=start or DEFAULT_START,
            realtime=realtime,
            switch_date=switch_date or DEFAULT_SWITCH_DATE,
            faults=settings,
            replay=Path(replay) if replay is not None else None,
            ghes=ghes,
            tokens=tokens,
            rate_limit=rate_limit,
            apps=apps,
        )
