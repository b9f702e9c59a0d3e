"""Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat, Discord's /slack).

Body: ``{"text": <fallback>, "blocks": [header, section, (fields), (context)]}``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ghtraffic.notifications.base import Message
from ghtraffic.notifications.http import JsonPostTransport

#: Slack's limits: header text 150 characters, section text 3000.
HEADER_MAX = 150
SECTION_MAX = 3000


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_payload(message: Message) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(message.title, HEADER_MAX)}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": _cut(escape(message.text), SECTION_MAX)},
        },
    ]
    fields = message.fields
    if fields:
        blocks.append(
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*{escape(str(k))}*\n{escape(str(v))}"}
                    for k, v in list(fields.items())[:10]
                ],
            }
        )
    link = message.link
    if link:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"<{link}|Open the dashboard>"}],
            }
        )
    return {"text": f"{message.title}\n{message.text}", "blocks": blocks}


class SlackTransport(JsonPostTransport):
    channel: ClassVar[str] = "slack"

    def body(self, message: Message) -> dict[str, Any]:
        return slack_payload(message)
