"""GitHub's answers to this process, counted by status class.

httpx logs every answered request at INFO on its ``httpx`` logger (method, URL, HTTP
version, status, reason: its documented request log). A handler on that logger counts
the answers whose URL starts with the configured API root, whichever client sent them
(collections, GitHub App tokens, workers' jobs); requests that got no answer (timeouts,
refused connections) are not counted here.
"""

from __future__ import annotations

import logging

from ghtraffic.github.hosts import normalise_api_url
from ghtraffic.metrics.instruments import GITHUB_REQUESTS, status_class

HTTPX_LOGGER = "httpx"


class GitHubAnswers(logging.Handler):
    """Counts httpx's request log records for one API root."""

    def __init__(self, api_url: str) -> None:
        super().__init__(logging.INFO)
        self.api_url = normalise_api_url(api_url)

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        if not isinstance(args, tuple) or len(args) != 5 or not isinstance(args[3], int):
            return
        if str(args[1]).startswith(self.api_url):
            GITHUB_REQUESTS.labels(status_class(args[3])).inc()


def count_github_answers(api_url: str) -> GitHubAnswers:
    """Start counting (once per API root and process); returns the handler."""
    logger = logging.getLogger(HTTPX_LOGGER)
    root = normalise_api_url(api_url)
    for handler in logger.handlers:
        if isinstance(handler, GitHubAnswers) and handler.api_url == root:
            return handler
    handler = GitHubAnswers(root)
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    return handler
