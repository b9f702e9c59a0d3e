"""The ``[web]`` and ``[schedule]`` tables of ``ghtraffic.toml``, validated."""

from __future__ import annotations

from typing import Any, TypeVar

from cronsim import CronSim, CronSimError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ghtraffic.config import ConfigError, Settings

DEFAULT_CRON = "17 3 * * *"

M = TypeVar("M", bound=BaseModel)


class WebConfig(BaseModel):
    """``[web]``: how the dashboard serves and protects itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    #: Mark cookies ``Secure``; turn off only for plain http on a loopback address.
    secure_cookies: bool = True
    session_hours: float = Field(default=24 * 14, gt=0)
    #: Failed logins of one user from one address before they must wait.
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_seconds: float = Field(default=300, gt=0)
    #: Serve a read-only view of the public repositories at ``/public`` without login.
    public_view: bool = False
    #: How often the live stream looks at the change feed, in seconds.
    live_poll_seconds: float = Field(default=1.5, gt=0, le=60)


class ScheduleConfig(BaseModel):
    """``[schedule]``: when ``ghtraffic serve`` collects."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cron: str = DEFAULT_CRON
    #: At start, collect at once when the last success is older than this many hours.
    catch_up_hours: float = Field(default=24, ge=0)

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        from datetime import UTC, datetime

        try:
            CronSim(value, datetime.now(UTC))
        except CronSimError as error:
            raise ValueError(f"{value!r} is not a cron expression ({error})") from None
        return value


def _load(model: type[M], name: str, raw: dict[str, Any]) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(table)"
        raise ConfigError(f"ghtraffic.toml: [{name}] {where}: {first['msg']}") from None


def web_config(settings: Settings) -> WebConfig:
    return _load(WebConfig, "web", settings.section("web"))


def schedule_config(settings: Settings) -> ScheduleConfig:
    return _load(ScheduleConfig, "schedule", settings.section("schedule"))
