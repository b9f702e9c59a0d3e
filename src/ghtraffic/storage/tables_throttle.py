"""Failed sign-ins, kept in the archive so every process serving it counts the same ones.

One row per failed password check (a sign-in or a password change): when, for which
account (lower-cased), from which address, and a 16-bit bucket of the wrong password
(the first four hex digits of its SHA-256: enough to see one password tried across many
accounts, too few to tell which password it was). Rows older than the throttle's window
are deleted as new ones arrive; backups and copies leave the table out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ghtraffic.storage.base import Base
from ghtraffic.storage.tables_tasks import TRANSIENT
from ghtraffic.storage.types import UTCDateTime


class LoginFailure(Base):
    """A failed password check (or one in progress: written before the check, deleted
    when the password was right, so parallel guesses count at once)."""

    __tablename__ = "web_login_failures"
    __table_args__ = (
        Index("ix_web_login_failures_account_at", "account", "at"),
        Index("ix_web_login_failures_address_at", "address", "at"),
        Index("ix_web_login_failures_password_at", "password_bucket", "at"),
        {"info": dict(TRANSIENT)},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    account: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text)
    password_bucket: Mapped[str] = mapped_column(String(4))
