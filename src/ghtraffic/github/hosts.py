"""Which kind of GitHub an API URL points at."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_API_URL = "https://api.github.com"


def is_enterprise_server(api_url: str) -> bool:
    """True for GitHub Enterprise Server (``https://HOST/api/v3``), which has no traffic API."""
    return urlsplit(api_url).path.rstrip("/").endswith("/api/v3")


def api_host(api_url: str) -> str:
    """The host name of an API URL, for messages."""
    return urlsplit(api_url).hostname or api_url


def normalise_api_url(api_url: str) -> str:
    """Strip trailing slashes so URLs join the same way for every kind of host."""
    url = api_url.strip().rstrip("/")
    if not url:
        raise ValueError("the API URL is empty")
    return url


def graphql_url(api_url: str) -> str:
    """Where GraphQL answers: ``API/graphql`` (github.com and Enterprise Cloud), or
    ``https://HOST/api/graphql`` beside Enterprise Server's ``https://HOST/api/v3``."""
    url = normalise_api_url(api_url)
    if is_enterprise_server(url):
        url = url.rstrip("/")[: -len("/v3")]
    return url + "/graphql"
