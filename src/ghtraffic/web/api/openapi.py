"""The OpenAPI 3.1 document of ``/api/v1``, assembled by hand and served at
``/api/openapi.json``."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from ghtraffic import __version__

_NULLABLE_INT: dict[str, Any] = {"type": ["integer", "null"]}
_DATE: dict[str, Any] = {"type": "string", "format": "date"}
_NULLABLE_DATE: dict[str, Any] = {"type": ["string", "null"], "format": "date"}
_NULLABLE_TIME: dict[str, Any] = {"type": ["string", "null"], "format": "date-time"}
_NULLABLE_TEXT: dict[str, Any] = {"type": ["string", "null"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required if required is not None else list(properties),
    }


def _page(item: str) -> dict[str, Any]:
    return _object({"items": {"type": "array", "items": _ref(item)}, "next_cursor": _NULLABLE_TEXT})


SCHEMAS: dict[str, Any] = {
    "Error": _object({"error": {"type": "string"}}),
    "Repo": _object(
        {
            "id": {"type": "integer"},
            "full_name": {"type": "string"},
            "owner": {"type": "string"},
            "name": {"type": "string"},
            "description": _NULLABLE_TEXT,
            "private": {"type": "boolean"},
            "fork": {"type": "boolean"},
            "archived": {"type": "boolean"},
            "last_success_at": _NULLABLE_TIME,
        }
    ),
    "RepoDetail": {
        "allOf": [
            _ref("Repo"),
            _object(
                {
                    "collection": {
                        "oneOf": [
                            {"type": "null"},
                            _object(
                                {
                                    "first_day": _NULLABLE_DATE,
                                    "last_day": _NULLABLE_DATE,
                                    "days_archived": {"type": "integer"},
                                    "days_lost": {"type": "integer"},
                                    "at_risk": {"type": "boolean"},
                                    "leaves_window_at": _NULLABLE_TIME,
                                    "read_every_days": {"type": "integer"},
                                    "cadence": {
                                        "type": "string",
                                        "enum": ["busy", "modest", "quiet", "new", "daily"],
                                    },
                                    "cadence_why": {"type": "string"},
                                }
                            ),
                        ]
                    },
                    "last_14_days": {
                        "oneOf": [
                            {"type": "null"},
                            _object(
                                {
                                    "day": _DATE,
                                    "views": _NULLABLE_INT,
                                    "views_unique": _NULLABLE_INT,
                                    "clones": _NULLABLE_INT,
                                    "clones_unique": _NULLABLE_INT,
                                }
                            ),
                        ]
                    },
                }
            ),
        ]
    },
    "Point": _object(
        {
            "date": _DATE,
            "views": _NULLABLE_INT,
            "views_unique": _NULLABLE_INT,
            "clones": _NULLABLE_INT,
            "clones_unique": _NULLABLE_INT,
        }
    ),
    "Snapshot": _object(
        {
            "date": _DATE,
            "stars": {"type": "integer"},
            # an imported star history has no fork count for its days
            "forks": _NULLABLE_INT,
            "watchers": _NULLABLE_INT,
        }
    ),
    "Referrer": _object(
        {
            "referrer": {"type": "string"},
            "count": {"type": "integer"},
            "uniques": {"type": "integer"},
        }
    ),
    "Path": _object(
        {
            "path": {"type": "string"},
            "title": _NULLABLE_TEXT,
            "count": {"type": "integer"},
            "uniques": {"type": "integer"},
        }
    ),
    "Event": _object({"date": _DATE, "kind": {"type": "string"}, "title": {"type": "string"}}),
    "Run": _object(
        {
            "id": {"type": "integer"},
            "started_at": {"type": "string", "format": "date-time"},
            "finished_at": _NULLABLE_TIME,
            "status": {"type": "string", "enum": ["running", "ok", "partial", "failed"]},
            "repos_ok": {"type": "integer"},
            "repos_failed": {"type": "integer"},
            "repos_deferred": {"type": "integer"},
            "requests": {"type": "integer"},
            "rate_remaining": _NULLABLE_INT,
            "rate_limit": _NULLABLE_INT,
            "days_added": {"type": "integer"},
            "days_raised": {"type": "integer"},
            "message": _NULLABLE_TEXT,
        }
    ),
    "Result": _object(
        {
            "repo": {"type": "string"},
            "outcome": {"type": "string", "enum": ["ok", "failed", "deferred"]},
            "reason": _NULLABLE_TEXT,
            "requests": {"type": "integer"},
            "days_added": {"type": "integer"},
            "days_raised": {"type": "integer"},
            "finished_at": _NULLABLE_TIME,
        }
    ),
    "RepoPage": _page("Repo"),
    "PointPage": _page("Point"),
    "SnapshotPage": _page("Snapshot"),
    "RunPage": _page("Run"),
    "RunDetail": {
        "allOf": [
            _ref("Run"),
            _object({"results": {"type": "array", "items": _ref("Result")}}),
        ]
    },
    "Totals": _object(
        {
            "since": _DATE,
            "until": _DATE,
            "repos": {"type": "integer"},
            "items": {
                "type": "array",
                "items": _object({"date": _DATE, "views": _NULLABLE_INT, "clones": _NULLABLE_INT}),
            },
        }
    ),
    "ReferrerList": _object(
        {"date": _NULLABLE_DATE, "items": {"type": "array", "items": _ref("Referrer")}}
    ),
    "PathList": _object(
        {"date": _NULLABLE_DATE, "items": {"type": "array", "items": _ref("Path")}}
    ),
    "EventList": _object({"items": {"type": "array", "items": _ref("Event")}}),
}


def _param(name: str, where: str, schema: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": schema,
        "description": text,
    }


_OWNER = _param("owner", "path", {"type": "string"}, "Owner (user or organisation).")
_NAME = _param("name", "path", {"type": "string"}, "Repository name (a former name works too).")
_SINCE = _param("since", "query", _DATE, "First day, inclusive.")
_UNTIL = _param("until", "query", _DATE, "Last day, inclusive.")
_CURSOR = _param("cursor", "query", {"type": "string"}, "next_cursor of the previous page.")
_LIMIT = _param(
    "limit", "query", {"type": "integer", "minimum": 1, "maximum": 1000}, "Page size (100)."
)


def _error(text: str) -> dict[str, Any]:
    return {"description": text, "content": {"application/json": {"schema": _ref("Error")}}}


def _get(summary: str, schema: str, params: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "operationId": summary.lower().replace(" ", "_").replace("'", ""),
            "parameters": params,
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": _ref(schema)}},
                },
                "400": _error("A query parameter is invalid."),
                "401": _error("Not signed in, or the token is wrong or revoked."),
                "403": _error("Not allowed."),
                "404": _error("No such repository, or not visible to you."),
            },
        }
    }


def document() -> dict[str, Any]:
    repo = [_OWNER, _NAME]
    ranged = [*repo, _SINCE, _UNTIL, _CURSOR, _LIMIT]
    base = "/api/v1/repos/{owner}/{name}"
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ghtraffic API",
            "version": __version__,
            "description": (
                "Read-only access to the traffic archive. Authenticate with a personal API "
                "token (`Authorization: Bearer ght_...`, created on /account or with "
                "`ghtraffic user token NAME`) or a browser session. Tokens read only: any "
                "other method than GET, HEAD or OPTIONS made with one is refused with 403, "
                "unless an admin minted it to write (`ghtraffic user token NAME --write`). "
                "Lists are paginated: pass `next_cursor` back as `cursor`. A metric that is "
                "null was not observed."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
        "paths": {
            "/api/v1/repos": _get("List repositories", "RepoPage", [_CURSOR, _LIMIT]),
            base: _get("Get repository", "RepoDetail", repo),
            base + "/daily": _get("Daily series", "PointPage", ranged),
            base + "/weekly": _get("Weekly series", "PointPage", ranged),
            base + "/monthly": _get("Monthly sums", "PointPage", ranged),
            base + "/snapshots": _get("Stars and forks", "SnapshotPage", ranged),
            base + "/referrers": _get(
                "Top referrers",
                "ReferrerList",
                [*repo, _param("day", "query", _DATE, "Snapshot day (default newest).")],
            ),
            base + "/paths": _get(
                "Popular paths",
                "PathList",
                [*repo, _param("day", "query", _DATE, "Snapshot day (default newest).")],
            ),
            base + "/events": _get("Events", "EventList", [*repo, _SINCE, _UNTIL]),
            "/api/v1/totals/daily": _get("Daily totals", "Totals", [_SINCE, _UNTIL]),
            "/api/v1/runs": _get("List runs", "RunPage", [_CURSOR, _LIMIT]),
            "/api/v1/runs/{run_id}": _get(
                "Get run",
                "RunDetail",
                [_param("run_id", "path", {"type": "integer", "minimum": 0}, "Run id.")],
            ),
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "ghtraffic_session"},
            },
        },
    }


async def openapi_json(request: Request) -> JSONResponse:
    return JSONResponse(document())


def routes() -> list[BaseRoute]:
    return [Route("/api/openapi.json", openapi_json, methods=["GET"])]
