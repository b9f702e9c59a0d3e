"""Notifications of traffic spikes and failed collections: webhook, Slack and e-mail.

Each channel lives in its own folder (``<channel>/transport.py``) on the small
``Transport`` base; ``dispatch.py`` guarantees at most one send per event and channel.
"""

from ghtraffic.notifications.base import Message, Transport, TransportError
from ghtraffic.notifications.config import NotificationSettings, parse_notification_settings
from ghtraffic.notifications.dispatch import DeliveryReport, Dispatcher, build_transports

__all__ = [
    "DeliveryReport",
    "Dispatcher",
    "Message",
    "NotificationSettings",
    "Transport",
    "TransportError",
    "build_transports",
    "parse_notification_settings",
]
