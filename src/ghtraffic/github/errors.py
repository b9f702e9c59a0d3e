"""Errors of the GitHub client: each says, in one line, what happened and what to do."""

from __future__ import annotations

from datetime import datetime


def one_line(text: str, limit: int = 200) -> str:
    """Collapse whitespace so a message from GitHub fits on one line, shortened to ``limit``."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class GitHubError(Exception):
    """Base class. ``str(error)`` is a one-line message meant for a person."""

    #: Whether the client may repeat the request that failed this way.
    retryable: bool = False

    def __init__(self, message: str, *, status: int | None = None, url: str | None = None):
        super().__init__(one_line(message, 400))
        self.message = one_line(message, 400)
        self.status = status
        self.url = url

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"


class BadCredentials(GitHubError):
    """401: the token is wrong, expired or revoked."""

    def __init__(self, *, url: str | None = None):
        super().__init__(
            "GitHub rejected the token (401 Bad credentials): "
            "create a new token or check GITHUB_TOKEN",
            status=401,
            url=url,
        )


class NoPushAccess(GitHubError):
    """403 on a traffic endpoint: the token may see the repository but not its traffic."""

    def __init__(self, repo: str, *, url: str | None = None):
        super().__init__(
            f"no push access to {repo}: traffic needs push access "
            "or the fine-grained permission Administration: read",
            status=403,
            url=url,
        )
        self.repo = repo


class Forbidden(GitHubError):
    """Any other 403 that is not a rate limit."""

    def __init__(self, what: str, github_message: str, *, url: str | None = None):
        reason = one_line(github_message) or "Forbidden"
        super().__init__(
            f"GitHub refused access to {what} (403 {reason}): check the token's permissions",
            status=403,
            url=url,
        )
        self.github_message = github_message


class NotFound(GitHubError):
    """404: the repository does not exist or the token cannot see it."""

    def __init__(self, what: str, *, url: str | None = None):
        super().__init__(f"{what} not found, or the token cannot see it", status=404, url=url)
        self.what = what


class RateLimitExhausted(GitHubError):
    """Primary rate limit used up. Not retried: wait ``wait_seconds`` (until ``reset_at``)."""

    def __init__(
        self,
        *,
        reset_at: datetime | None,
        wait_seconds: float,
        limit: int | None = None,
        resource: str | None = None,
        status: int = 403,
        url: str | None = None,
    ):
        which = f"{resource} " if resource else ""
        of = f" of {limit}" if limit is not None else ""
        when = (
            f"it resets at {reset_at:%Y-%m-%d %H:%M:%S} UTC (in {_duration(wait_seconds)})"
            if reset_at is not None
            else "the reset time is unknown"
        )
        super().__init__(
            f"GitHub API {which}rate limit exhausted (0{of} requests left): "
            f"{when}; try again after that",
            status=status,
            url=url,
        )
        self.reset_at = reset_at
        self.wait_seconds = wait_seconds
        self.limit = limit
        self.resource = resource


class SecondaryRateLimited(GitHubError):
    """GitHub's secondary limit (too many requests too fast). Retried by the client first."""

    retryable = True

    def __init__(
        self,
        *,
        retry_after: float | None,
        wait_seconds: float | None = None,
        status: int = 403,
        url: str | None = None,
    ):
        wait = retry_after if wait_seconds is None else wait_seconds
        hint = f"wait {_duration(wait)}" if wait is not None else "wait a few minutes"
        super().__init__(
            f"GitHub's secondary rate limit stopped requests ({status}): {hint}, "
            "then run again with fewer concurrent requests",
            status=status,
            url=url,
        )
        self.retry_after = retry_after
        self.wait_seconds = wait


class ServerError(GitHubError):
    """5xx, still failing after the retries."""

    retryable = True

    def __init__(self, status: int, *, url: str | None = None):
        super().__init__(
            f"GitHub answered {status} (server error) for {url or 'a request'}; try again later",
            status=status,
            url=url,
        )


class Unreachable(GitHubError):
    """Connection refused, DNS, TLS, reset or timeout, still failing after the retries."""

    retryable = True

    def __init__(self, api_url: str, reason: str, *, url: str | None = None):
        super().__init__(
            f"cannot reach {api_url}: {one_line(reason, 160)}; "
            "check the network or GHTRAFFIC_API_URL",
            url=url,
        )
        self.api_url = api_url
        self.reason = reason


class BadResponse(GitHubError):
    """A body that is not the JSON GitHub documents (truncated, or of the wrong shape)."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        status: int | None = None,
        url: str | None = None,
    ):
        super().__init__(message, status=status, url=url)
        self.retryable = retryable

    @classmethod
    def incomplete(cls, url: str, status: int | None = None) -> BadResponse:
        return cls(
            f"GitHub sent an incomplete response for {url}; try again later",
            retryable=True,
            status=status,
            url=url,
        )

    @classmethod
    def wrong_shape(cls, what: str) -> BadResponse:
        return cls(
            f"GitHub sent an unexpected response ({what}); "
            "the API may have changed: try again later or upgrade ghtraffic"
        )


class NoTrafficApi(GitHubError):
    """The host is GitHub Enterprise Server, which has no traffic endpoints."""

    def __init__(self, host: str, *, url: str | None = None):
        super().__init__(
            f"{host} is GitHub Enterprise Server, which has no traffic API: "
            "only repository facts (stars, forks, watchers) are archived",
            status=404,
            url=url,
        )
        self.host = host


class UnexpectedStatus(GitHubError):
    """Any other status the client does not expect (e.g. 400, 409, 422)."""

    def __init__(self, status: int, github_message: str, *, url: str | None = None):
        reason = one_line(github_message) or "no message"
        super().__init__(
            f"GitHub answered {status} ({reason}) for {url or 'a request'}",
            status=status,
            url=url,
        )
        self.github_message = github_message


def _duration(seconds: float) -> str:
    """Render a wait as ``45 s``, ``12 min`` or ``2 h 5 min``."""
    s = max(0, round(seconds))
    if s < 120:
        return f"{s} s"
    minutes = (s + 59) // 60
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"
