"""A JSON POST with the standard library (no request logging that could show a URL's token),
and the channels that are one such POST per message."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from abc import abstractmethod
from typing import Any

from ghtraffic.notifications.base import Message, Transport, TransportError

USER_AGENT = "ghtraffic-notifications"


def post_json(channel: str, url: str, body: Any, timeout: float) -> None:
    """POST ``body`` as JSON to ``url``; a non-2xx answer or a network error raises
    ``TransportError`` naming the channel, never the URL."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 (http/https only, checked in config)
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as exc:
        transient = exc.code >= 500 or exc.code in (408, 429)
        raise TransportError(f"{channel}: HTTP {exc.code}", transient=transient) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            what = "timed out"
        elif isinstance(reason, OSError) and reason.strerror:
            what = reason.strerror
        else:
            what = "error"
        raise TransportError(f"{channel}: connection failed ({what})") from None
    except TimeoutError:
        raise TransportError(f"{channel}: no answer within {timeout:g} s") from None
    except OSError as exc:
        raise TransportError(f"{channel}: connection failed ({exc.strerror or 'error'})") from None


class JsonPostTransport(Transport):
    """A channel that POSTs one JSON body per message to a URL that is itself the secret
    (an incoming-webhook URL)."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self._url = url
        self._timeout = timeout

    @abstractmethod
    def body(self, message: Message) -> dict[str, Any]:
        """What is posted for ``message``."""

    def send(self, message: Message) -> None:
        post_json(self.channel, self._url, self.body(message), self._timeout)

    def secrets(self) -> tuple[str, ...]:
        return (self._url,)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url=***)"
