"""The ``[metrics]`` table of ``ghtraffic.toml``: who may read the metrics, and where."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ghtraffic.config import ConfigError, Settings

#: The port Prometheus' exporters conventionally take next to an application.
DEFAULT_PORT = 9464


class MetricsConfig(BaseModel):
    """``[metrics]``: ``access`` is ``"off"`` (no metrics, the default), ``"port"`` (open to
    whoever reaches ``host:port``, a listener of its own: keep it on a private network)
    or ``"token"`` (``/metrics`` on the web port, for an API token with the metrics scope)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    access: Literal["off", "port", "token"] = "off"
    host: str = "127.0.0.1"
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    #: The port of ``ghtraffic worker``'s own listener (``--metrics-port`` overrides it);
    #: unset: workers expose no metrics.
    worker_port: int | None = Field(default=None, ge=1, le=65535)
    #: Seconds the figures read from the run log, budget and queue are kept between scrapes.
    cache_seconds: float = Field(default=30.0, ge=0, le=3600)
    #: Seconds the coverage (at risk, lost days) may age before it is counted again, in
    #: the background; 0: counted in every scrape.
    status_seconds: float = Field(default=300.0, ge=0, le=86400)


def metrics_config(settings: Settings) -> MetricsConfig:
    """The validated ``[metrics]`` table; a problem is a one-line ``ConfigError``."""
    try:
        return MetricsConfig.model_validate(settings.section("metrics"))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(table)"
        raise ConfigError(f"ghtraffic.toml: [metrics] {where}: {first['msg']}") from None
