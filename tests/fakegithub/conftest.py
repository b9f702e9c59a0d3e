"""Fixtures: a running fake GitHub (real HTTP), an httpx client on it, and an OpenAPI validator
for its responses against GitHub's description in ``tests/data/github-api``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import FakeGitHub, running

SPEC = Path(__file__).parents[1] / "data" / "github-api" / "openapi-subset.json"
HEADERS = {
    "User-Agent": "ghtraffic-tests",
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "Authorization": "Bearer demo-token",
}


@cache
def openapi() -> Any:
    return OpenAPI.from_dict(json.loads(SPEC.read_text(encoding="utf-8")))


@dataclass
class _Request:
    """An httpx request seen as api.github.com's (the spec's server)."""

    method: str
    path: str
    parameters: RequestParameters
    body: bytes | None = None
    content_type: str = "application/json"
    host_url: str = "https://api.github.com"


@dataclass
class _Response:
    status_code: int
    headers: Headers
    data: bytes | None
    content_type: str


def validate_response(response: httpx.Response) -> None:
    """Raise if ``response`` does not match the spec (status, headers, body schema)."""
    request = response.request
    url = urlsplit(str(request.url))
    path = url.path.removeprefix("/api/v3")
    query = ImmutableMultiDict(list(httpx.QueryParams(url.query).multi_items()))
    params = RequestParameters(query=query, header=Headers(dict(request.headers)))
    req = _Request(request.method.lower(), path, params)
    resp = _Response(
        response.status_code,
        Headers(list(response.headers.items())),
        response.content,
        response.headers.get("content-type", "application/json").lower(),
    )
    openapi().validate_response(req, resp)


Validator = Callable[[httpx.Response], None]


@pytest.fixture(scope="session")
def validate() -> Validator:
    return validate_response


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGitHub]:
    """A default fake (25 repos, seed 1, clock at 2026-01-05T23:00Z) shared by a module."""
    with running(FakeGitHubConfig(repos=25, seed=1)) as server:
        yield server


@pytest.fixture
def client(fake: FakeGitHub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fake.api_url, headers=HEADERS, timeout=10) as http:
        yield http


def repo_names(fake: FakeGitHub, **flags: Any) -> list[str]:
    """Full names of the fake's repos whose flags match (e.g. ``private=False``)."""
    return [
        r["full_name"]
        for r in fake.world()["repos"]
        if all(r[key] == value for key, value in flags.items())
    ]
