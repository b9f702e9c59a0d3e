"""The principal a request carries, set by the authentication middleware (``auth.py``)."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from ghtraffic.identity.principal import ANONYMOUS, Principal


def principal_of(conn: HTTPConnection) -> Principal:
    found = conn.scope.get("state", {}).get("principal")
    return found if isinstance(found, Principal) else ANONYMOUS
