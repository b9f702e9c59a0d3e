"""API tokens that may read only ``/metrics``: what a Prometheus scraper holds."""

from __future__ import annotations

from ghtraffic.storage.migrations import make

revision: str = "0012"
down_revision: str | None = "0011"


def upgrade() -> None:
    # A column SQLite adds in place; existing tokens keep their scope.
    make.add_flag("web_api_tokens", "metrics_only")


def downgrade() -> None:
    make.drop_columns("web_api_tokens", "metrics_only")
