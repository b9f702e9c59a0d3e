"""Tables of the web part: users, sessions, API tokens, viewer grants, public repos."""

from __future__ import annotations

from ghtraffic.storage.base import Base

__all__ = ["Base"]
