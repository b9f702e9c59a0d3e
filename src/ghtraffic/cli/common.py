"""What every command shares: option decorators, the consoles, and one-line errors.

A known failure prints ``error: <what happened and what to do>`` on stderr and exits
with the documented code, never with a traceback (``GHTRAFFIC_DEBUG=1`` shows one).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar

import click
from rich.console import Console

from ghtraffic.config import ConfigError

if TYPE_CHECKING:
    from ghtraffic.config import Settings
    from ghtraffic.storage.database import Database

P = ParamSpec("P")
R = TypeVar("R")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

out = Console(highlight=False, soft_wrap=True)
if not out.is_terminal:
    # Piped output (cron mail, CI logs) has room for whole names and dates.
    out.width = max(out.width, 132)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    """Print one line on stderr and exit."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def one_line_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the product's known errors into one line and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from ghtraffic.github.errors import BadCredentials, GitHubError
        from ghtraffic.storage.errors import StorageError
        from ghtraffic.web.vendor import AssetError

        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            fail(str(exc), EXIT_USAGE)
        except BadCredentials as exc:
            fail(str(exc), EXIT_USAGE)
        except (GitHubError, StorageError, AssetError) as exc:
            fail(str(exc), EXIT_FAILED)
        except KeyboardInterrupt:
            fail("interrupted: every repository already committed is kept", 130)
        except BrokenPipeError:
            _reader_gone()
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:
            if os.environ.get("GHTRAFFIC_DEBUG"):
                raise
            fail(
                f"unexpected {type(exc).__name__}: {_short(exc)} "
                "(run again with GHTRAFFIC_DEBUG=1 for details)"
            )

    return wrapper


def _reader_gone() -> NoReturn:
    """Stdout's reader closed early (``ghtraffic export | head``): stop without a message,
    as Rich does for the tables, and keep the final flush from failing again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(EXIT_FAILED)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] if text else "no message"


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _from_env(flag: str, variable: str, text: str) -> Decorator:
    """``flag``, or else the environment variable ``variable`` (``--help`` names it)."""
    return click.option(flag, envvar=variable, show_envvar=True, help=text)


def config_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--config``, ``--database-url`` and ``--api-url``, shared by the commands."""
    func = _from_env(
        "--api-url", "GHTRAFFIC_API_URL", "GitHub API root (default https://api.github.com)."
    )(func)
    func = _from_env(
        "--database-url",
        "GHTRAFFIC_DATABASE_URL",
        "SQLAlchemy URL of the archive (default: a SQLite file in the data dir).",
    )(func)
    func = click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        help="Path of ghtraffic.toml (default ./ghtraffic.toml or $GHTRAFFIC_CONFIG).",
    )(func)
    return func


def seconds_option(flag: str, text: str, default: float | None = None) -> Decorator:
    """An option that takes a number of seconds (0 or more); its default shown in ``--help``
    when it has one."""
    return click.option(
        flag,
        type=click.FloatRange(0),
        default=default,
        show_default=default is not None,
        help=text,
    )


def pace_option(text: str) -> Decorator:
    """``--requests-per-minute``: the pace of the requests each credential makes (0: no
    pacing)."""
    return click.option("--requests-per-minute", type=click.IntRange(0), help=text)


def app_key_file_option(flag: str) -> Decorator:
    """The file of a GitHub App's private key, given with ``--app-id``."""
    return click.option(
        flag,
        type=click.Path(dir_okay=False),
        metavar="PATH",
        help="The GitHub App's private key (PEM), with --app-id.",
    )


def open_db(config_path: str | None, database_url: str | None, api_url: str | None) -> Database:
    """The archive's database, as the settings (with ``config_options``) name it."""
    from ghtraffic.config import load_settings
    from ghtraffic.storage.archive import open_archive

    settings = load_settings(config=config_path, database_url=database_url, api_url=api_url)
    return open_archive(settings.database_url).db


def collecting_settings(
    config_path: str | None,
    database_url: str | None,
    api_url: str | None,
    *,
    collects: bool = True,
    token: str | None = None,
    app_id: str | None = None,
    app_key_file: str | None = None,
) -> Settings:
    """The settings of a command that collects (unless ``collects`` is false): it needs a
    credential, checked only once the archive's stored credentials join the configured
    ones (``collection_credentials``)."""
    from ghtraffic.config import load_settings

    return load_settings(
        config=config_path,
        database_url=database_url,
        api_url=api_url,
        token=token,
        need_token=collects,
        check_token=False,
        app_id=app_id,
        app_key_file=app_key_file,
    )


def archive_options(func: Callable[..., R]) -> Callable[..., R]:
    """``config_options`` for a command on the archive: put under the error decorators, it
    calls the command with ``db`` (``open_db`` of the three options) in their place."""

    @functools.wraps(func)
    def wrapper(
        *args: Any,
        config_path: str | None,
        database_url: str | None,
        api_url: str | None,
        **kwargs: Any,
    ) -> R:
        return func(*args, db=open_db(config_path, database_url, api_url), **kwargs)

    return config_options(wrapper)
