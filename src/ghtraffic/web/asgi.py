"""The dashboard as an ASGI application factory, for ASGI servers run on their own:

    uvicorn --factory ghtraffic.web.asgi:from_env --no-proxy-headers --workers 2 \\
        --host 127.0.0.1 --port 8000

Each worker process reads the settings (environment and ``ghtraffic.toml``, as every
command does) and serves the archive; none of them collects. Schedule collections with
one ``ghtraffic serve`` elsewhere, workers, or cron and ``ghtraffic collect``.

uvicorn reads ``X-Forwarded-For`` itself, before the application sees the request, and
by default believes it from 127.0.0.1. Its options must say what ``[web]
trusted_proxies`` says: ``--no-proxy-headers`` when it names no proxy (the default), else
``--forwarded-allow-ips`` with the same addresses. Run from uvicorn's command line, the
factory refuses to start when they differ.

On SIGTERM the open live streams are told to close (``stopping.py``), so uvicorn stops
at once. Metrics: with ``[metrics] access = "token"`` every process answers
``/metrics``; with ``access = "port"`` the first process to bind ``[metrics] port``
serves them there (the others leave it). Either way, set ``PROMETHEUS_MULTIPROC_DIR`` to
an empty folder before uvicorn starts, so a scrape sums the counters of every process.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from ipaddress import ip_network
from pathlib import Path

from starlette.applications import Starlette
from uvicorn.config import STARTUP_FAILURE

from ghtraffic.config import ConfigError, Settings, load_settings
from ghtraffic.metrics.config import metrics_config
from ghtraffic.metrics.port import MetricsListener
from ghtraffic.metrics.process import process_registry
from ghtraffic.sockets import AddressUnavailable, bind
from ghtraffic.storage.database import Database
from ghtraffic.web.app import create_app
from ghtraffic.web.config import WebConfig, web_config

#: What uvicorn believes ``X-Forwarded-For`` from when nothing else is said.
UVICORN_DEFAULT_TRUST = "127.0.0.1,::1"

log = logging.getLogger("uvicorn.error")


def from_env() -> Starlette:
    """The web application over the configured archive (migrated first)."""
    settings = load_settings()
    config = web_config(settings)
    try:
        check_uvicorn_command(config, sys.argv)
        metrics_config(settings)
    except ConfigError as error:
        # uvicorn's exit code for a worker that cannot start: its supervisor of
        # --workers stops instead of starting the worker again.
        print(f"error: {error}", file=sys.stderr)
        sys.exit(STARTUP_FAILURE)
    db = Database(settings.database_url)
    db.upgrade()
    app = create_app(db, settings, config=config)
    try:
        app.state.metrics_listener = _metrics_port(db, settings)
    except AddressUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(STARTUP_FAILURE)
    return app


def _metrics_port(db: Database, settings: Settings) -> MetricsListener | None:
    config = metrics_config(settings)
    if config.access != "port":
        return None
    try:
        sock = bind(config.host, config.port, option="[metrics] port")
    except AddressUnavailable as error:
        if not error.in_use:
            raise
        log.info("metrics: %s:%d is served by another process", config.host, config.port)
        return None
    return MetricsListener(process_registry(db, settings, config), sock)


def uvicorn_command_trust(argv: Sequence[str]) -> tuple[str, ...] | None:
    """The proxies uvicorn believes when ``argv`` is its command line (its options and
    ``UVICORN_*``/``FORWARDED_ALLOW_IPS`` variables read by uvicorn's own parser), or
    ``None`` when ``argv`` is not uvicorn's command line."""
    program = argv[0] if argv else ""
    if Path(program).name != "uvicorn" and not program.endswith(
        os.path.join("uvicorn", "__main__.py")
    ):
        return None
    from uvicorn.main import main as uvicorn_command

    context = uvicorn_command.make_context("uvicorn", list(argv[1:]), resilient_parsing=True)
    if context.params.get("proxy_headers") is False:
        return ()
    allowed = context.params.get("forwarded_allow_ips") or os.environ.get(
        "FORWARDED_ALLOW_IPS", UVICORN_DEFAULT_TRUST
    )
    return tuple(_normal(entry) for entry in allowed.split(",") if entry.strip())


def _normal(entry: str) -> str:
    try:
        network = ip_network(entry.strip(), strict=False)
    except ValueError:
        return entry.strip()
    return str(network.network_address) if network.num_addresses == 1 else str(network)


def check_uvicorn_command(config: WebConfig, argv: Sequence[str]) -> None:
    """A ``ConfigError`` when uvicorn's command line believes other proxies than
    ``[web] trusted_proxies``."""
    trusted = uvicorn_command_trust(argv)
    if trusted is None or set(trusted) == set(config.trusted_proxies):
        return
    wanted = ",".join(config.trusted_proxies)
    fix = f"--forwarded-allow-ips={wanted}" if wanted else "--no-proxy-headers"
    raise ConfigError(
        f"uvicorn believes X-Forwarded-For from {', '.join(trusted) or 'nobody'} but [web] "
        f"trusted_proxies names {', '.join(config.trusted_proxies) or 'none'}: run uvicorn "
        f"with {fix}"
    )
