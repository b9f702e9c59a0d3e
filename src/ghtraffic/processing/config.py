"""The ``[processing]`` table of ``ghtraffic.toml``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ghtraffic.config import ConfigError, validation_message


class ProcessingSettings(BaseModel):
    """Validated ``[processing]``.

    A complete day is a spike when its value exceeds ``median + spike_k × MAD`` of the
    ``spike_history`` days before it (MAD scaled by 1.4826, a robust standard deviation)
    *and* is at least ``spike_min``; at least ``spike_min_history`` of those days must be
    archived.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    spike_k: float = Field(default=3.5, gt=0)
    spike_min: int = Field(default=20, ge=1)
    spike_history: int = Field(default=28, ge=3, le=365)
    spike_min_history: int = Field(default=7, ge=3)
    spike_metrics: tuple[Literal["views", "clones"], ...] = ("views", "clones")
    #: Referrers named per event: those whose 14-day count grew most.
    attribution_top: int = Field(default=3, ge=1, le=10)
    #: Change-feed rows older than this are pruned.
    feed_keep_days: int = Field(default=7, ge=1)


def parse_processing_settings(raw: Mapping[str, Any]) -> ProcessingSettings:
    """Validate the raw ``[processing]`` table; a problem is a one-line ``ConfigError``."""
    try:
        settings = ProcessingSettings.model_validate(dict(raw))
    except ValidationError as exc:
        raise ConfigError(f"[processing] {validation_message(exc, ProcessingSettings)}") from None
    if settings.spike_min_history > settings.spike_history:
        raise ConfigError("[processing] spike_min_history cannot exceed spike_history")
    return settings
