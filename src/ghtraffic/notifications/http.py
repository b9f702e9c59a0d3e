"""A JSON POST with the standard library: no request logging that could show a URL's token."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from ghtraffic.notifications.base import TransportError

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
