"""The bodies ``ghtraffic fetch`` prints: one repository's traffic, exactly as GitHub sent it."""

from __future__ import annotations

import asyncio
from typing import Any

from .client import GitHubClient
from .errors import GitHubError


async def fetch_traffic(client: GitHubClient, owner: str, name: str) -> dict[str, Any]:
    """``{"views", "clones", "referrers", "paths"}`` (per=day), requested concurrently.

    If any request fails, the others are cancelled and the first :class:`GitHubError` is
    raised as itself (not wrapped in an exception group).
    """
    try:
        async with asyncio.TaskGroup() as group:
            views = group.create_task(client.traffic_views(owner, name))
            clones = group.create_task(client.traffic_clones(owner, name))
            referrers = group.create_task(client.referrers(owner, name))
            paths = group.create_task(client.paths(owner, name))
    except* GitHubError as failed:
        raise failed.exceptions[0] from None
    return {
        "views": views.result().data,
        "clones": clones.result().data,
        "referrers": referrers.result().data,
        "paths": paths.result().data,
    }
