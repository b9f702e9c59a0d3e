"""``ghtraffic credential …``: GitHub tokens and Apps kept in the archive, encrypted.

Every worker on a shared PostgreSQL archive then needs only the key
(``GHTRAFFIC_SECRET_KEY``), not every token. No command prints a stored value.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from pydantic import SecretStr
from rich.table import Table

from ghtraffic.cli.common import (
    app_key_file_option,
    archive_options,
    config_options,
    err,
    one_line_errors,
    open_db,
    out,
)
from ghtraffic.config import ConfigError
from ghtraffic.storage.database import Database


@click.group("credential")
def credential_group() -> None:
    """GitHub tokens and Apps stored in the archive, encrypted with a key from
    GHTRAFFIC_SECRET_KEY, GHTRAFFIC_SECRET_KEY_FILE or <data dir>/secret.key."""


@credential_group.command("add")
@click.argument("name")
@click.option("--token-env", metavar="VAR", help="Read the token from this variable.")
@click.option("--app-id", metavar="ID", help="A GitHub App's id or client id (with its key).")
@app_key_file_option("--private-key-file")
@click.option(
    "--installation",
    "installations",
    multiple=True,
    metavar="ID_OR_LOGIN",
    help="Read only this installation of the App (repeatable; default: all).",
)
@config_options
@one_line_errors
def add_command(
    name: str,
    token_env: str | None,
    app_id: str | None,
    private_key_file: str | None,
    installations: tuple[str, ...],
    config_path: str | None,
    database_url: str | None,
    api_url: str | None,
) -> None:
    """Store a token (asked for hidden on a terminal, else read from standard input, or
    taken from --token-env) or a GitHub App (--app-id and --private-key-file)."""
    from ghtraffic.storage.credentials import add_app, add_token, check_app, keys_for_adding

    if (app_id is None) != (private_key_file is None):
        raise ConfigError("--app-id and --private-key-file go together: give both")
    if app_id is not None and token_env is not None:
        raise ConfigError("give either a token (--token-env) or an App (--app-id), not both")
    if app_id is None and installations:
        raise ConfigError("--installation belongs to an App: give --app-id too")
    db = open_db(config_path, database_url, api_url)
    if app_id is not None:
        assert private_key_file is not None
        pem = _read_key_file(Path(private_key_file))
        check_app(name, app_id, pem)  # before a key file is made for it
        keys = keys_for_adding(db)
        chosen = [int(i) if i.strip().isdigit() else i.strip() for i in installations]
        info = add_app(db, keys, name, app_id, pem, chosen or None)
        what = f"GitHub App {info.app_id}"
    else:
        token = _read_token(token_env)
        keys = keys_for_adding(db)
        info = add_token(db, keys, name, token)
        what = "token"
    if keys.created:
        err.print(
            f"created a new key in {keys.path} (mode 0600): "
            "back it up; other machines need the same key (GHTRAFFIC_SECRET_KEY)"
        )
    out.print(f"stored {what} {info.name!r} (fingerprint {info.fingerprint}, key id {info.key_id})")


def _read_token(token_env: str | None) -> SecretStr:
    if token_env is not None:
        value = os.environ.get(token_env, "").strip()
        if not value:
            raise ConfigError(f"--token-env names {token_env!r}, but that variable is not set")
        return SecretStr(value)
    if sys.stdin.isatty():
        typed: str = click.prompt("GitHub token", hide_input=True, err=True)
        value = typed.strip()
    else:
        value = sys.stdin.read().strip()
    if not value:
        raise ConfigError(
            "no token given: type it when asked, pipe it on standard input, or use --token-env"
        )
    return SecretStr(value)


def _read_key_file(path: Path) -> SecretStr:
    try:
        return SecretStr(path.expanduser().read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"the private key file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not a text file"
        raise ConfigError(f"cannot read the private key file {path}: {reason}") from None


@credential_group.command("list")
@one_line_errors
@archive_options
def list_command(db: Database) -> None:
    """List the stored credentials (names, kinds, fingerprints; never a value)."""
    from ghtraffic.storage.credentials import list_stored

    stored = list_stored(db)
    if not stored:
        out.print("no stored credentials: add one with `ghtraffic credential add NAME`")
        return
    table = Table(title_justify="left")
    for column in ("name", "kind", "app id", "installations", "fingerprint", "key id", "added"):
        table.add_column(column)
    for info in stored:
        chosen = "all" if info.installations is None else ", ".join(map(str, info.installations))
        table.add_row(
            info.name,
            info.kind,
            info.app_id or "-",
            chosen if info.kind == "app" else "-",
            info.fingerprint,
            info.key_id,
            f"{info.created_at:%Y-%m-%d %H:%M}",
        )
    out.print(table)


@credential_group.command("remove")
@click.argument("name")
@one_line_errors
@archive_options
def remove_command(name: str, db: Database) -> None:
    """Delete a stored credential."""
    from ghtraffic.storage.credentials import remove

    remove(db, name)
    out.print(f"removed {name!r}")


@credential_group.command("rekey")
@one_line_errors
@archive_options
def rekey_command(db: Database) -> None:
    """Encrypt every stored credential again with the first key of GHTRAFFIC_SECRET_KEY.

    To rotate: GHTRAFFIC_SECRET_KEY=NEW,OLD ghtraffic credential rekey; then keep only NEW.
    """
    from ghtraffic.storage.credentials import rekey
    from ghtraffic.storage.secrets import ENV_KEY, SecretKeyError, load_keys

    keys = load_keys()
    if keys is None:
        raise SecretKeyError(
            f"no key set: set {ENV_KEY} to the new key, a comma, and the key the credentials "
            "were stored with"
        )
    count = rekey(db, keys)
    if not count:
        out.print("no stored credentials: nothing to encrypt again")
        return
    out.print(
        f"encrypted {count} credential(s) again with key id {keys.id}: the other keys are "
        "no longer needed"
    )


@credential_group.command("new-key")
@config_options
@one_line_errors
def new_key_command(config_path: str | None, database_url: str | None, api_url: str | None) -> None:
    """Print a fresh key (for GHTRAFFIC_SECRET_KEY or a key file)."""
    from ghtraffic.storage.secrets import new_key

    click.echo(new_key())
