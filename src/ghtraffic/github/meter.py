"""What one piece of work spent: the requests and rate points of every request made
inside a ``metered()`` block, including the tasks it starts (a context variable), per
credential. Several repositories read at once by one client each get their own figures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

#: The request extension that names the credential a request was sent with (set by the
#: credential router; a plain one-token client sets none).
CREDENTIAL_KEY = "ghtraffic.credential"


@dataclass
class Meter:
    requests: int = 0
    points: int = 0
    #: Rate points per credential name (``None``: the single token of a plain client).
    by_credential: dict[str | None, int] = field(default_factory=dict)


_current: ContextVar[Meter | None] = ContextVar("ghtraffic_meter", default=None)


@contextmanager
def metered() -> Iterator[Meter]:
    """Count the requests made inside the block (and in tasks started inside it)."""
    meter = Meter()
    token = _current.set(meter)
    try:
        yield meter
    finally:
        _current.reset(token)


def count_request() -> None:
    meter = _current.get()
    if meter is not None:
        meter.requests += 1


def count_point(credential: str | None) -> None:
    meter = _current.get()
    if meter is not None:
        meter.points += 1
        meter.by_credential[credential] = meter.by_credential.get(credential, 0) + 1
