"""Jinja2 templates with autoescaping on for every template (GitHub's text is untrusted)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ghtraffic.web.assets import asset_url, vendor_ready
from ghtraffic.web.principal import principal_of


def number(value: int | float | None) -> str:
    if value is None:
        return "–"
    if abs(value) >= 10_000:
        return f"{value / 1000:.1f}k" if abs(value) < 1_000_000 else f"{value / 1e6:.1f}M"
    return f"{value:,}"


def change(current: int | None, previous: int | None) -> str:
    """``+12 %``, ``−3 %``, ``new`` or an empty string."""
    if current is None or previous is None:
        return ""
    if previous == 0:
        return "new" if current else ""
    percent = round((current - previous) * 100 / previous)
    return f"+{percent} %" if percent >= 0 else f"−{-percent} %"


def when(value: datetime | date | None) -> str:
    """A moment to the minute in UTC, a day as ISO, or ``never`` (the dashboard and the
    report show them alike)."""
    if value is None:
        return "never"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


class Templates:
    def __init__(self) -> None:
        self.env = Environment(
            loader=PackageLoader("ghtraffic.web", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["number"] = number
        self.env.filters["change"] = change
        self.env.filters["when"] = when
        self.env.globals["asset_url"] = asset_url
        self.env.globals["vendor_ready"] = vendor_ready

    def render(
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        *,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        background: BackgroundTask | None = None,
    ) -> HTMLResponse:
        principal = principal_of(request)
        values: dict[str, Any] = {
            "request": request,
            "principal": principal,
            "csrf_token": principal.csrf_token or "",
            "path": request.url.path,
        }
        values.update(context or {})
        html = self.env.get_template(name).render(values)
        return HTMLResponse(html, status_code=status_code, headers=headers, background=background)
