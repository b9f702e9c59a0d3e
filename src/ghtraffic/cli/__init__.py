"""Command line: ``ghtraffic fetch|collect|status|export|fake-github|demo``."""

from __future__ import annotations


def main() -> None:
    raise SystemExit("ghtraffic: not yet wired")
