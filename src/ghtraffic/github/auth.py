"""Finding a token the user already has: the GitHub CLI's ``gh auth token``, asked for
the host the API URL points at (a github.com token is never sent to another host)."""

from __future__ import annotations

import logging
import shutil
import subprocess
from urllib.parse import urlsplit

from pydantic import SecretStr

log = logging.getLogger("ghtraffic.github")


def gh_hostname(api_url: str) -> str:
    """The host ``gh`` knows the API URL's GitHub by: ``github.com`` for
    ``api.github.com``, ``SUBDOMAIN.ghe.com`` for Enterprise Cloud's
    ``api.SUBDOMAIN.ghe.com``, ``HOST`` for Enterprise Server's ``HOST/api/v3``."""
    parts = urlsplit(api_url.strip())
    host = (parts.hostname or "").lower()
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    if host.startswith("api.") and parts.path.strip("/") == "":
        return host.removeprefix("api.")
    return host


def token_from_gh_cli(hostname: str | None = None, timeout: float = 5.0) -> SecretStr | None:
    """The token ``gh`` is logged in with, or ``None`` (no ``gh``, not logged in, too slow).

    The output is never logged.
    """
    gh = shutil.which("gh")
    if gh is None:
        return None
    command = [gh, "auth", "token"]
    if hostname:
        command += ["--hostname", hostname]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError):
        log.debug("gh auth token did not run")
        return None
    token = done.stdout.strip()
    if done.returncode != 0 or not token:
        log.debug("gh auth token gave no token (exit %s)", done.returncode)
        return None
    return SecretStr(token)
