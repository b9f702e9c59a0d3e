"""GitHub REST client: one pooled async httpx client with conditional requests,
rate-limit accounting, retries and errors a person can act on. Knows nothing of storage."""

from .auth import token_from_gh_cli
from .client import GitHubClient, Response
from .errors import (
    BadCredentials,
    BadResponse,
    Forbidden,
    GitHubError,
    NoPushAccess,
    NotFound,
    NoTrafficApi,
    RateLimitExhausted,
    SecondaryRateLimited,
    ServerError,
    UnexpectedStatus,
    Unreachable,
)
from .etags import EtagStore, MemoryEtagStore
from .fetch import fetch_traffic
from .hosts import DEFAULT_API_URL, is_enterprise_server
from .parse import (
    parse_paths,
    parse_referrers,
    parse_repo,
    parse_series,
    parse_timestamp,
    parse_totals,
)
from .ratelimit import RateLimitState
from .retry import RetryPolicy
from .session import API_VERSION

__all__ = [
    "API_VERSION",
    "DEFAULT_API_URL",
    "BadCredentials",
    "BadResponse",
    "EtagStore",
    "Forbidden",
    "GitHubClient",
    "GitHubError",
    "MemoryEtagStore",
    "NoPushAccess",
    "NoTrafficApi",
    "NotFound",
    "RateLimitExhausted",
    "RateLimitState",
    "Response",
    "RetryPolicy",
    "SecondaryRateLimited",
    "ServerError",
    "UnexpectedStatus",
    "Unreachable",
    "fetch_traffic",
    "is_enterprise_server",
    "parse_paths",
    "parse_referrers",
    "parse_repo",
    "parse_series",
    "parse_timestamp",
    "parse_totals",
    "token_from_gh_cli",
]
