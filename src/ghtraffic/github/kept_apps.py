"""GitHub Apps kept beyond one client: a worker's jobs each open a client, and without
this each would sign in again (``GET /app/installations``) and create a new installation
token (``POST .../access_tokens``): two extra requests per repository. A :class:`KeptApps`
holds one :class:`GitHubApp` per app for the process, so installation tokens are cached
until shortly before they expire, and the list of installations for ``ttl``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import timedelta

from pydantic import SecretStr

from .app import GitHubApp, Installation
from .retry import RetryPolicy

#: How long a list of installations is kept before it is asked for again.
INSTALLATIONS_TTL = timedelta(minutes=10)


class KeptApps:
    """One :class:`GitHubApp` per (app id, API URL) for the process; ``shutdown()`` closes
    them."""

    def __init__(
        self,
        ttl: timedelta = INSTALLATIONS_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl.total_seconds()
        self._clock = clock
        self._apps: dict[tuple[str, str], GitHubApp] = {}
        self._installations: dict[tuple[str, str], tuple[float, list[Installation]]] = {}
        self._lock = asyncio.Lock()

    def app(
        self,
        app_id: str,
        private_key: SecretStr | str | bytes,
        api_url: str,
        *,
        retry: RetryPolicy | None = None,
    ) -> GitHubApp:
        """The kept app (made on first use, with connections of its own)."""
        key = (str(app_id).strip(), api_url)
        found = self._apps.get(key)
        if found is None:
            found = GitHubApp(app_id, private_key, api_url, retry=retry)
            self._apps[key] = found
        return found

    async def installations(self, app: GitHubApp) -> list[Installation]:
        """The app's installations, asked for at most once per ``ttl``."""
        key = (app.app_id, app.api_url)
        async with self._lock:
            kept = self._installations.get(key)
            if kept is not None and self._clock() - kept[0] < self.ttl:
                return list(kept[1])
            found = await app.installations()
            self._installations[key] = (self._clock(), list(found))
            return found

    async def shutdown(self) -> None:
        for app in self._apps.values():
            await app.aclose()
        self._apps.clear()
        self._installations.clear()
