"""What every channel shares: the message, the transport interface and secret redaction."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

REDACTED = "***"


@dataclass(frozen=True, slots=True)
class Message:
    """One notification, channel-neutral.

    ``kind`` is ``spike`` or ``collection_failed``; ``data`` holds the facts as JSON values
    (what the generic webhook posts besides ``title`` and ``text``); ``fields`` are short
    labelled values for channels that lay them out (Slack); ``link`` points at the dashboard.
    """

    kind: str
    title: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    link: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            "data": self.data,
            "fields": self.fields,
            "link": self.link,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Message:
        link = value.get("link")
        return cls(
            kind=str(value["kind"]),
            title=str(value["title"]),
            text=str(value["text"]),
            data=dict(value.get("data") or {}),
            fields={str(k): str(v) for k, v in (value.get("fields") or {}).items()},
            link=str(link) if link else None,
        )


class TransportError(Exception):
    """A send that did not succeed. The message is safe to log: it never holds a secret.

    ``transient`` errors (timeouts, refused connections, 5xx, 429) are retried at once with
    backoff; others only on a later run.
    """

    def __init__(self, message: str, *, transient: bool = True) -> None:
        super().__init__(message)
        self.transient = transient


class Transport(ABC):
    """One notification channel (webhook, Slack, e-mail)."""

    #: The channel's name, stored with each delivery.
    channel: ClassVar[str]

    @abstractmethod
    def send(self, message: Message) -> None:
        """Deliver ``message`` once; raise ``TransportError`` when it did not arrive."""

    def secrets(self) -> tuple[str, ...]:
        """Values that must never show in a log line or an error message."""
        return ()


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (longest first) replaced by ``***``."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def one_line(text: str, limit: int = 300) -> str:
    """The first line of ``text``, at most ``limit`` characters."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"
