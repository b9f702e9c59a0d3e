"""Generic webhook: POST the message as one JSON object.

Body: ``{"kind", "title", "text", ...data}`` (for a spike: ``repo``, ``day``, ``metric``,
``value``, ``baseline``, ``referrers``...).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ghtraffic.notifications.base import Message, Transport
from ghtraffic.notifications.http import post_json


def webhook_body(message: Message) -> dict[str, Any]:
    body = {**message.data, "kind": message.kind, "title": message.title, "text": message.text}
    if message.link:
        body["link"] = message.link
    return body


class WebhookTransport(Transport):
    channel: ClassVar[str] = "webhook"

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self._url = url
        self._timeout = timeout

    def send(self, message: Message) -> None:
        post_json(self.channel, self._url, webhook_body(message), self._timeout)

    def secrets(self) -> tuple[str, ...]:
        return (self._url,)

    def __repr__(self) -> str:
        return "WebhookTransport(url=***)"
