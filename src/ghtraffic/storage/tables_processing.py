"""Tables of processing: roll-ups, events (spikes) and notification deliveries."""

from __future__ import annotations

from ghtraffic.storage.base import Base

__all__ = ["Base"]
