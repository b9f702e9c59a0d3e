"""Static assets: served with long cache headers, their URLs carrying a content hash.

What the vendored files are and how they are built is :mod:`ghtraffic.web.vendor`.
"""

from __future__ import annotations

import hashlib
from functools import cache

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from ghtraffic.web.vendor import STATIC_DIR, VENDOR_DIR, AssetError, missing, missing_message

LONG_CACHE = "public, max-age=31536000, immutable"


class CachedStatic(StaticFiles):
    """Static files whose URLs carry a content hash (``?v=``): cached for a year."""

    def file_response(self, *args: object, **kwargs: object) -> Response:
        response = super().file_response(*args, **kwargs)  # type: ignore[arg-type]
        response.headers["cache-control"] = LONG_CACHE
        return response

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 404:
            response.headers["cache-control"] = "no-store"
        return response


def static_files() -> CachedStatic:
    return CachedStatic(directory=STATIC_DIR, check_dir=False)


@cache
def asset_version(name: str) -> str:
    """A short content hash of ``static/<name>`` (``missing`` when it was not built)."""
    path = STATIC_DIR / name
    if not path.is_file():
        return "missing"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def asset_url(name: str) -> str:
    return f"/static/{name}?v={asset_version(name)}"


def vendor_ready() -> bool:
    return not missing()


def require_vendor() -> None:
    """Refuse to serve a dashboard without charts: one line saying what to do."""
    names = missing()
    if names:
        raise AssetError(missing_message(names, VENDOR_DIR))
