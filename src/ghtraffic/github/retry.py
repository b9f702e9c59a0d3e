"""When and how long to retry: transient failures back off with jitter, secondary limits wait.

Transient failures (5xx, transport errors, truncated JSON) retry up to ``attempts`` times with
jittered exponential backoff. Secondary rate limits wait ``Retry-After`` if given, otherwise
``secondary_initial`` doubling each time; a wait longer than ``max_wait`` is not attempted.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

from .errors import GitHubError, SecondaryRateLimited


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retry settings. Tests pass tiny delays; production keeps the defaults."""

    #: Total attempts (first try included) for 5xx, transport errors and truncated bodies.
    attempts: int = 4
    #: First backoff delay in seconds for transient failures.
    initial: float = 0.5
    #: Longest single backoff delay for transient failures.
    maximum: float = 30.0
    #: Total attempts when GitHub's secondary rate limit answers.
    secondary_attempts: int = 3
    #: Wait when a secondary limit gives no ``Retry-After``; doubles on each further hit.
    secondary_initial: float = 60.0
    #: Longest single secondary-limit wait the client accepts before raising instead.
    max_wait: float = 600.0


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, GitHubError) and exc.retryable


class _Schedule:
    """Per-call bookkeeping shared by the wait and stop callbacks."""

    def __init__(self, policy: RetryPolicy):
        self.policy = policy
        self.transient = 0
        self.secondary = 0

    def wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, SecondaryRateLimited):
            self.secondary += 1
            if exc.retry_after is not None:
                return exc.retry_after
            return self.policy.secondary_initial * 2.0 ** (self.secondary - 1)
        self.transient += 1
        base: float = self.policy.initial * 2.0 ** (self.transient - 1)
        return min(self.policy.maximum, base + random.uniform(0, self.policy.initial))

    def stop(self, state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, SecondaryRateLimited):
            if state.upcoming_sleep > self.policy.max_wait:
                return True
            return self.secondary >= self.policy.secondary_attempts
        return self.transient >= self.policy.attempts


def retrying(policy: RetryPolicy, log: logging.Logger, what: str) -> AsyncRetrying:
    """An ``AsyncRetrying`` for one logical request, re-raising the last error unchanged."""
    schedule = _Schedule(policy)

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.warning("retrying %s in %.1f s: %s", what, state.upcoming_sleep, exc)

    return AsyncRetrying(
        retry=retry_if_exception(_is_retryable),
        wait=schedule.wait,
        stop=schedule.stop,
        before_sleep=before_sleep,
        reraise=True,
    )
