"""Tables of history kept beside traffic: release asset downloads and star history."""

from __future__ import annotations

from ghtraffic.storage.base import Base

__all__ = ["Base"]
