"""Fault injection: latency, 5xx, connection resets, timeouts, truncated bodies, secondary
rate limits, a small primary limit and revoked push access.

Probabilistic faults are deterministic: the draw for a request depends only on the fault seed,
the request's method and path (with query) and how many times that path was requested before,
so a rerun (even a concurrent one) sees the same faults on the same requests.

``--faults`` syntax: comma-separated ``key=value`` pairs, e.g.
``5xx=0.05,reset=0.02,timeout=0.01,truncate=0.02,secondary=0.02,no-push=acme-labs/foo``.
Keys: ``latency`` (ms), ``5xx``, ``reset``, ``timeout``, ``truncate``, ``secondary``, ``drift``
(rates in [0, 1]; ``drift`` answers normally but with unknown extra fields and without
optional ones, as a newer API version might), ``timeout-s`` (seconds a timed-out request
waits, default 30), ``retry-after`` (seconds, default 1), ``limit`` (primary limit per token
and hour), ``per-minute`` (the secondary limit enforced: requests per token in any rolling
``secondary-window`` seconds, default 60), ``no-push`` (``OWNER/REPO``; repeat the key or
separate several with ``|``), ``seed``.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

FaultKind = Literal["reset", "timeout", "5xx", "secondary", "truncate", "drift"]
_ORDER: tuple[FaultKind, ...] = ("reset", "timeout", "5xx", "secondary", "truncate", "drift")
_RATE_KEYS: dict[str, FaultKind] = {
    "5xx": "5xx",
    "reset": "reset",
    "timeout": "timeout",
    "truncate": "truncate",
    "secondary": "secondary",
    "drift": "drift",
}


@dataclass(frozen=True, slots=True)
class FaultSettings:
    latency_ms: float = 0.0
    rates: Mapping[FaultKind, float] = field(default_factory=dict)
    timeout_seconds: float = 30.0
    retry_after: int = 1
    rate_limit: int | None = None
    #: Requests a token may make in any rolling ``secondary_window`` seconds (None: any).
    per_minute: int | None = None
    secondary_window: float = 60.0
    no_push: frozenset[str] = frozenset()
    seed: int = 0

    def rate(self, kind: FaultKind) -> float:
        return self.rates.get(kind, 0.0)

    def denies_push(self, full_name: str) -> bool:
        return full_name.lower() in self.no_push

    def to_mapping(self) -> dict[str, Any]:
        """The settings with the ``--faults`` keys (what ``POST /_fake/faults`` accepts)."""
        result: dict[str, Any] = {
            "latency": self.latency_ms,
            "timeout-s": self.timeout_seconds,
            "retry-after": self.retry_after,
            "limit": self.rate_limit,
            "per-minute": self.per_minute,
            "secondary-window": self.secondary_window,
            "no-push": sorted(self.no_push),
            "seed": self.seed,
        }
        result.update({kind: self.rate(kind) for kind in _ORDER})
        return result


def _names(value: object) -> Iterable[str]:
    items = value if isinstance(value, list | tuple | set | frozenset) else [value]
    for item in items:
        for name in str(item).split("|"):
            if name.strip():
                yield name.strip().lower()


def faults_from_mapping(
    options: Mapping[str, Any], base: FaultSettings | None = None
) -> FaultSettings:
    """Settings from ``--faults`` keys; keys not given keep ``base``'s value (default: none)."""
    settings = base or FaultSettings()
    rates = dict(settings.rates)
    no_push = set(settings.no_push)
    changes: dict[str, Any] = {}
    for raw_key, value in options.items():
        key = raw_key.strip().lower().replace("_", "-")
        if key in _RATE_KEYS:
            rate = float(value)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"fault rate {key}={value} is not between 0 and 1")
            rates[_RATE_KEYS[key]] = rate
        elif key in ("latency", "latency-ms"):
            changes["latency_ms"] = float(value)
        elif key in ("timeout-s", "timeout-seconds"):
            changes["timeout_seconds"] = float(value)
        elif key == "retry-after":
            changes["retry_after"] = int(value)
        elif key == "limit":
            changes["rate_limit"] = None if value in (None, "") else int(value)
        elif key == "per-minute":
            changes["per_minute"] = None if value in (None, "") else int(value)
        elif key == "secondary-window":
            changes["secondary_window"] = float(value)
        elif key == "no-push":
            no_push.update(_names(value))
        elif key == "seed":
            changes["seed"] = int(value)
        else:
            raise ValueError(f"unknown fault {raw_key!r}")
    return replace(settings, rates=rates, no_push=frozenset(no_push), **changes)


def parse_faults(spec: str, base: FaultSettings | None = None) -> FaultSettings:
    """Parse a ``--faults`` string such as ``"5xx=0.05,reset=0.02,no-push=acme-labs/foo"``."""
    settings = base or FaultSettings()
    for item in spec.split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"fault {item!r} is not KEY=VALUE")
        settings = faults_from_mapping({key: value}, settings)
    return settings


def _unit(*parts: object) -> float:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


class FaultInjector:
    """Decides, per request, which fault (if any) hits it."""

    def __init__(self, settings: FaultSettings) -> None:
        self._lock = threading.Lock()
        self._settings = settings
        self._seen: dict[str, int] = {}

    @property
    def settings(self) -> FaultSettings:
        return self._settings

    def replace(self, settings: FaultSettings) -> None:
        with self._lock:
            self._settings = settings
            self._seen.clear()

    def decide(self, request_key: str) -> FaultKind | None:
        with self._lock:
            settings = self._settings
            occurrence = self._seen.get(request_key, 0)
            self._seen[request_key] = occurrence + 1
        for kind in _ORDER:
            rate = settings.rate(kind)
            if rate > 0 and _unit(settings.seed, request_key, occurrence, kind) < rate:
                return kind
        return None

    def server_error_status(self, request_key: str) -> int:
        return (500, 502, 503)[int(_unit(self._settings.seed, request_key, "status") * 3)]
