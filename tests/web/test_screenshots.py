"""The README's pictures show the pages as they are: ``scripts/screenshots.py`` made them
from the templates and static files whose hash it wrote beside them."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "docs" / "images"


def _script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "screenshots", ROOT / "scripts" / "screenshots.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_pictures_are_of_the_current_pages() -> None:
    script = _script()
    readme = (ROOT / "README.md").read_text()
    for name in ("overview.png", "repository.png"):
        assert f"docs/images/{name}" in readme
        assert (IMAGES / name).stat().st_size < script.LIMIT_BYTES
    stamp = (IMAGES / "pages.sha256").read_text().strip()
    assert stamp == script.pages_hash(), (
        "the dashboard's templates or static files changed since the README's pictures were "
        "made: run .venv/bin/python scripts/screenshots.py and commit docs/images"
    )
