"""The dashboard's third-party browser files: what they are, whether they are built, how.

uPlot's ``uPlot.iife.min.js`` and ``uPlot.min.css`` live in ``static/vendor/``. They are
never committed: ``python -m ghtraffic.web.vendor build`` (which ``scripts/_venv`` calls),
or the package build (``setup.py``, for every sdist and wheel), puts them there from the
npm registry, as ``frontend/package-lock.json`` pins them: with ``npm ci --ignore-scripts``
when npm is there, else (only here, not in a package build) by downloading the exact
tarball the lock file names, its sha512 ``integrity`` checked.

This module uses the standard library only, so the package build can load it before
any of ghtraffic's dependencies is installed.
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
from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
FRONTEND_DIR = Path(__file__).resolve().parents[3] / "frontend"
#: npm package -> (file inside the package, name in static/vendor)
VENDORED = {
    "uplot": (
        ("dist/uPlot.iife.min.js", "uPlot.iife.min.js"),
        ("dist/uPlot.min.css", "uPlot.min.css"),
    )
}
VENDOR_FILES = tuple(name for files in VENDORED.values() for _, name in files)


class AssetError(Exception):
    """The vendored files cannot be built; the message says why."""


def missing(target: Path = VENDOR_DIR) -> list[str]:
    """The vendored files that are not in ``target``."""
    return [name for name in VENDOR_FILES if not (target / name).is_file()]


def missing_message(names: list[str], target: Path = VENDOR_DIR) -> str:
    """One line: what is missing and how to get it, for a checkout and for an install."""
    how = (
        "run `python -m ghtraffic.web.vendor build` (needs npm or the npm registry)"
        if FRONTEND_DIR.joinpath("package-lock.json").is_file()
        else "reinstall ghtraffic from a complete sdist or wheel (`pip install --force-reinstall "
        "ghtraffic`), or build one with npm on PATH"
    )
    return f"the chart library is not installed ({', '.join(names)} missing in {target}): {how}"


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


def with_npm(npm: str, frontend: Path, target: Path) -> None:
    """``npm ci`` in ``frontend`` (no install scripts), then copy the files into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=frontend, check=True
    )
    for package, files in VENDORED.items():
        for inside, name in files:
            shutil.copyfile(frontend / "node_modules" / package / inside, target / name)


def for_package(frontend: Path = FRONTEND_DIR, target: Path = VENDOR_DIR) -> str:
    """The package build's step: nothing when the files are there (an sdist carries them),
    else npm. Returns what it did; raises :class:`AssetError` naming npm when it is absent."""
    if not missing(target):
        return "present"
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(
            "ghtraffic's chart library (uPlot, pinned in frontend/package-lock.json) is not "
            "built and npm is not on PATH: install Node.js with npm and build again, "
            "or install from a ghtraffic sdist or wheel, which carry it"
        )
    try:
        with_npm(npm, frontend, target)
    except (subprocess.CalledProcessError, OSError) as error:
        raise AssetError(f"`npm ci` in {frontend} failed ({error}): see npm's output") from None
    return "npm"


def build(frontend: Path = FRONTEND_DIR, target: Path = VENDOR_DIR, *, use_npm: bool = True) -> str:
    """Put the vendored files in place; returns how (``npm`` or ``download``)."""
    target.mkdir(parents=True, exist_ok=True)
    npm = shutil.which("npm") if use_npm else None
    if npm is not None:
        try:
            with_npm(npm, frontend, target)
            return "npm"
        except (subprocess.CalledProcessError, OSError):
            pass
    for package in VENDORED:
        _download(package, frontend, target)
    return "download"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] != ["build"]:
        print("usage: python -m ghtraffic.web.vendor build [--no-npm]", file=sys.stderr)
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
