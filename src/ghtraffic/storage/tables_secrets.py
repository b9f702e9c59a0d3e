"""The credential store: GitHub tokens and App private keys, encrypted.

``secret`` holds the Fernet token of the value (never the value), ``fingerprint`` the
first 12 hex digits of its SHA-256 (to tell credentials apart, not reversible) and
``key_id`` the first 8 hex digits of the SHA-256 of the key that encrypted it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ghtraffic.storage.base import Base
from ghtraffic.storage.types import UTCDateTime

KINDS = ("token", "app")


class StoredCredential(Base):
    """A token (``kind = 'token'``) or a GitHub App (``'app'``: its id, its installations
    as a JSON list of ids and logins, ``NULL`` for all, and its PEM as the secret)."""

    __tablename__ = "stored_credentials"
    __table_args__ = (CheckConstraint("kind IN ('token', 'app')", name="kind"),)

    name: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    app_id: Mapped[str | None] = mapped_column(Text)
    installations: Mapped[str | None] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(12))
    key_id: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
