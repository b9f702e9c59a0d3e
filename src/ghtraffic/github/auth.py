"""Finding a token the user already has: the GitHub CLI's ``gh auth token``."""

from __future__ import annotations

import logging
import shutil
import subprocess

from pydantic import SecretStr

log = logging.getLogger("ghtraffic.github")


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
