"""The JSON API under ``/api/v1`` and its OpenAPI document at ``/api/openapi.json``."""

from __future__ import annotations

from starlette.routing import BaseRoute

from ghtraffic.web.api import openapi, v1


def routes() -> list[BaseRoute]:
    return [*v1.routes(), *openapi.routes()]
