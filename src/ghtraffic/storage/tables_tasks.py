"""What the workers of one archive share, beside Procrastinate's own queue tables.

``ghtraffic_rate_budget``: per credential (keyed by a SHA-256, never the token) GitHub's
``remaining``, ``limit`` and ``reset`` as last seen, and the offset of GitHub's clock to
the workers'. ``ghtraffic_request_log``: per credential the requests taken in the last
minute (the sliding window of the request pace). Both are state of the moment: backup and
copy leave them out.
"""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType

from sqlalchemy import BigInteger, Float, Index, Integer, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from ghtraffic.storage.base import Base
from ghtraffic.storage.types import UTCDateTime

#: The ``info`` of tables that hold state of the moment, not history.
TRANSIENT = MappingProxyType({"transient": True})


class RateBudgetRow(Base):
    __tablename__ = "ghtraffic_rate_budget"
    __table_args__ = ({"info": dict(TRANSIENT)},)

    fingerprint: Mapped[str] = mapped_column(Text, primary_key=True)
    remaining: Mapped[int] = mapped_column(Integer)
    lim: Mapped[int] = mapped_column(Integer)
    reset_at: Mapped[datetime] = mapped_column(UTCDateTime)
    server_offset: Mapped[float] = mapped_column(Float, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, server_default=func.current_timestamp()
    )


class RequestLogRow(Base):
    __tablename__ = "ghtraffic_request_log"
    __table_args__ = (
        Index("ix_ghtraffic_request_log_fingerprint_at", "fingerprint", "at"),
        {"info": dict(TRANSIENT)},
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    fingerprint: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    requests: Mapped[int] = mapped_column(Integer)
