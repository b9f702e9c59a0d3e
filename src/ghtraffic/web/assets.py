"""Static assets: served with long cache headers, and the build step of the vendored ones.

``python -m ghtraffic.web.assets build`` puts uPlot's ``uPlot.iife.min.js`` and
``uPlot.min.css`` into ``static/vendor/``: with ``npm ci --ignore-scripts`` in
``frontend/`` when npm is there, else by downloading the exact tarball that
``frontend/package-lock.json`` names (its sha512 ``integrity`` checked).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
from functools import cache
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
FRONTEND_DIR = Path(__file__).resolve().parents[3] / "frontend"
#: (file inside the npm package, name in static/vendor)
VENDORED = {
    "uplot": (
        ("dist/uPlot.iife.min.js", "uPlot.iife.min.js"),
        ("dist/uPlot.min.css", "uPlot.min.css"),
    )
}

LONG_CACHE = "public, max-age=31536000, immutable"


class AssetError(Exception):
    pass


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
    return all(
        (VENDOR_DIR / target).is_file() for files in VENDORED.values() for _, target in files
    )


def _locked(package: str, frontend: Path) -> tuple[str, str]:
    lock = json.loads((frontend / "package-lock.json").read_text(encoding="utf-8"))
    entry = lock["packages"].get(f"node_modules/{package}")
    if not entry or "resolved" not in entry or "integrity" not in entry:
        raise AssetError(f"package-lock.json has no resolved URL and integrity for {package}")
    return str(entry["resolved"]), str(entry["integrity"])


def check_integrity(data: bytes, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise AssetError(f"unsupported integrity algorithm {algorithm!r}")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")
    if actual != expected:
        raise AssetError("the downloaded tarball does not match package-lock.json's integrity")


def _from_tarball(data: bytes, package: str, target: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for inside, name in VENDORED[package]:
            member = archive.extractfile(f"package/{inside}")
            if member is None:
                raise AssetError(f"{package}'s tarball has no {inside}")
            (target / name).write_bytes(member.read())


def _download(package: str, frontend: Path, target: Path) -> None:
    import httpx

    url, integrity = _locked(package, frontend)
    response = httpx.get(url, timeout=60, follow_redirects=True)
    response.raise_for_status()
    check_integrity(response.content, integrity)
    _from_tarball(response.content, package, target)


def _with_npm(npm: str, frontend: Path, target: Path) -> None:
    subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=frontend, check=True
    )
    for package, files in VENDORED.items():
        for inside, name in files:
            shutil.copyfile(frontend / "node_modules" / package / inside, target / name)


def build(frontend: Path = FRONTEND_DIR, target: Path = VENDOR_DIR, *, use_npm: bool = True) -> str:
    """Put the vendored files in place; returns how (``npm`` or ``download``)."""
    target.mkdir(parents=True, exist_ok=True)
    npm = shutil.which("npm") if use_npm else None
    how = "download"
    if npm is not None:
        try:
            _with_npm(npm, frontend, target)
            how = "npm"
        except (subprocess.CalledProcessError, OSError):
            npm = None
    if npm is None:
        for package in VENDORED:
            _download(package, frontend, target)
    asset_version.cache_clear()
    return how


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] != ["build"]:
        print("usage: python -m ghtraffic.web.assets build [--no-npm]", file=sys.stderr)
        return 2
    try:
        how = build(use_npm="--no-npm" not in args)
    except (AssetError, OSError, ValueError) as error:
        print(f"error: cannot build the web assets: {error}", file=sys.stderr)
        return 1
    print(f"web assets built into {VENDOR_DIR} ({how})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
