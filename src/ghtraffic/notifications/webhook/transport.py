"""Generic webhook: POST the message as one JSON object.

Body: ``{"kind", "title", "text", ...data}`` (for a spike: ``repo``, ``day``, ``metric``,
``value``, ``baseline``, ``referrers``...).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ghtraffic.notifications.base import Message
from ghtraffic.notifications.http import JsonPostTransport


def webhook_body(message: Message) -> dict[str, Any]:
    body = {**message.data, "kind": message.kind, "title": message.title, "text": message.text}
    if message.link:
        body["link"] = message.link
    return body


class WebhookTransport(JsonPostTransport):
    channel: ClassVar[str] = "webhook"

    def body(self, message: Message) -> dict[str, Any]:
        return webhook_body(message)
