"""Running ``ghtraffic`` as a process of its own, in an environment that keeps none of the
caller's GitHub or ghtraffic settings and points at a (fake) GitHub and an archive."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

#: The token every fake GitHub of the tests accepts.
DEMO_TOKEN = "demo-token"
#: ``ghtraffic`` run by the interpreter of the tests.
GHTRAFFIC = (sys.executable, "-m", "ghtraffic")


def isolated_env(
    api_url: str,
    database_url: str,
    home: Path,
    *,
    token: str = DEMO_TOKEN,
    config: Path | None = None,
) -> dict[str, str]:
    """The caller's environment without ``GHTRAFFIC_*``, ``GITHUB_*`` or ``GH_*`` settings,
    reading GitHub at ``api_url`` with ``token`` into the archive at ``database_url``."""
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("GHTRAFFIC_", "GITHUB_", "GH_"))
    }
    env = {
        **base,
        "GITHUB_TOKEN": token,
        "GHTRAFFIC_HOME": str(home),
        "GHTRAFFIC_API_URL": api_url,
        "GHTRAFFIC_DATABASE_URL": database_url,
    }
    if config is not None:
        env["GHTRAFFIC_CONFIG"] = str(config)
    return env


def cli_env(api_url: str, database_url: str, home: Path, owners: tuple[str, ...]) -> dict[str, str]:
    """The environment of a ``ghtraffic`` subprocess on the fake GitHub, with a config file
    in ``home`` that collects ``owners``."""
    config = home / "ghtraffic.toml"
    config.write_text("[collect]\nowners = [" + ", ".join(f'"{o}"' for o in owners) + "]\n")
    return isolated_env(api_url, database_url, home, config=config)


def upgraded_env(
    api_url: str, database_url: str, home: Path, owners: tuple[str, ...]
) -> dict[str, str]:
    """``cli_env``, on an archive that ``ghtraffic db upgrade`` has prepared (on PostgreSQL
    with the workers' job queue)."""
    env = cli_env(api_url, database_url, home, owners)
    upgraded = ghtraffic(env, "db", "upgrade", timeout=240)
    assert upgraded.returncode == 0, upgraded.stderr
    return env


def ghtraffic(
    env: dict[str, str],
    *args: str,
    stdin: str | None = None,
    timeout: float | None = 120,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``ghtraffic ARGS`` in a process, its output captured as text; ``stdin`` is piped in."""
    return subprocess.run(
        [*GHTRAFFIC, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=check,
        timeout=timeout,
    )


def collect_command(owners: Sequence[str], *extra: str) -> list[str]:
    """A quiet, unpaced ``ghtraffic collect`` of ``owners``, as a command line."""
    args = [*GHTRAFFIC, "collect", "--quiet", "--requests-per-minute", "0"]
    for owner in owners:
        args += ["--owner", owner]
    return [*args, *extra]
