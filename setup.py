"""The package build's one extra step: the dashboard's chart library into the package.

Every sdist and wheel carries ``src/ghtraffic/web/static/vendor/``. A build from a
checkout (``python -m build``, ``pip install .``, ``pip install git+URL``, ``pipx install``)
fills it with npm as ``frontend/package-lock.json`` pins it, and stops with one line
naming npm when npm is absent; a build from an sdist finds the files already there.
Nothing third-party is committed.
"""

from __future__ import annotations

import runpy
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist
from setuptools.errors import SetupError

ROOT = Path(__file__).resolve().parent


def _chart_library() -> None:
    # ghtraffic.web.vendor by its path: it needs only the standard library
    vendor = runpy.run_path(str(ROOT / "src" / "ghtraffic" / "web" / "vendor.py"))
    try:
        how = vendor["for_package"]()
    except vendor["AssetError"] as error:
        raise SetupError(str(error)) from None
    if how != "present":
        print(f"ghtraffic: chart library built into {vendor['VENDOR_DIR']} ({how})")


class BuildPy(build_py):
    def run(self) -> None:
        _chart_library()
        self.__dict__.pop("data_files", None)  # list package data again, the new files in it
        super().run()


class Sdist(sdist):
    def run(self) -> None:
        _chart_library()
        super().run()


setup(cmdclass={"build_py": BuildPy, "sdist": Sdist})
