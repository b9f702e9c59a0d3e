"""``ghtraffic user …`` (local accounts of the dashboard) and ``ghtraffic public``."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click
from rich.table import Table

from ghtraffic.cli.common import EXIT_USAGE, archive_options, fail, one_line_errors, out
from ghtraffic.identity.accounts import AccountError
from ghtraffic.storage.database import Database


def account_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """An ``AccountError`` is a usage error: one line, exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AccountError as error:
            fail(str(error), EXIT_USAGE)

    return wrapper


def account_command(func: Callable[..., Any]) -> Callable[..., Any]:
    """A command on the accounts of the archive: ``archive_options`` (the command gets
    ``db``), with account errors and the product's known errors as one line."""
    return one_line_errors(account_errors(archive_options(func)))


def _read_password(password_stdin: bool) -> str:
    """The password: the first line of standard input with ``--password-stdin`` or when
    it is piped in (no prompt, no echo to silence), else asked for twice, hidden."""
    if password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@click.group("user")
def user_group() -> None:
    """Local accounts of the dashboard: admins see everything, viewers what is granted."""


@user_group.command("add")
@click.argument("name")
@click.option("--admin", is_flag=True, help="An administrator (sees and manages everything).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@account_command
def add_command(
    name: str,
    admin: bool,
    password_stdin: bool,
    db: Database,
) -> None:
    """Add a user (asks for the password, hidden)."""
    from ghtraffic.identity.accounts import add_user

    user = add_user(db, name, _read_password(password_stdin), admin=admin)
    out.print(f"added {user.role} {user.name}")


@user_group.command("list")
@one_line_errors
@archive_options
def list_command(db: Database) -> None:
    """List users, their roles and grants."""
    from ghtraffic.identity.accounts import list_users
    from ghtraffic.identity.grants import all_grants

    users = list_users(db)
    if not users:
        out.print("no users yet: add one with `ghtraffic user add NAME --admin`")
        return
    grants = all_grants(db)
    table = Table(title_justify="left")
    for column in ("user", "role", "may see", "last sign-in"):
        table.add_column(column)
    for user in users:
        sees = "everything" if user.is_admin else ", ".join(grants.get(user.id, [])) or "-"
        last = f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "never"
        table.add_row(user.name, user.role, sees, last)
    out.print(table)


@user_group.command("grant")
@click.argument("name")
@click.argument("target", metavar="OWNER|OWNER/REPO")
@account_command
def grant_command(name: str, target: str, db: Database) -> None:
    """Let a viewer see an owner's repositories or one repository."""
    from ghtraffic.identity.grants import grant, holds_target, not_held

    key = grant(db, name, target)
    out.print(f"{name} may see {key}")
    if not holds_target(db, key):
        click.echo(f"warning: {not_held(key)}", err=True)


@user_group.command("revoke")
@click.argument("name")
@click.argument("target", metavar="OWNER|OWNER/REPO")
@account_command
def revoke_command(name: str, target: str, db: Database) -> None:
    """Take a grant back."""
    from ghtraffic.identity.grants import revoke

    if revoke(db, name, target):
        out.print(f"{name} no longer sees {target.lower()}")
    else:
        fail(f"{name} has no grant {target.lower()}", EXIT_USAGE)


@user_group.command("token")
@click.argument("name")
@click.option("--label", default="cli", show_default=True, help="What will use the token.")
@click.option(
    "--write",
    is_flag=True,
    help="The token may also make the state-changing requests its user may make"
    " (default: it reads only).",
)
@click.option(
    "--metrics",
    "metrics_only",
    is_flag=True,
    help="The token reads /metrics and nothing else: the one to give Prometheus.",
)
@account_command
def token_command(
    name: str,
    label: str,
    write: bool,
    metrics_only: bool,
    db: Database,
) -> None:
    """Create a personal API token for a user; it is printed once, on stdout.

    The token reads only, unless --write is given; with --metrics it reads the metrics
    and nothing else.
    """
    from ghtraffic.identity.accounts import require_user
    from ghtraffic.identity.tokens import create_token

    token, _ = create_token(
        db, require_user(db, name).id, label, write=write, metrics_only=metrics_only
    )
    click.echo(token)


@user_group.command("delete")
@click.argument("name")
@account_command
def delete_command(name: str, db: Database) -> None:
    """Delete a user with their sessions, tokens and grants."""
    from ghtraffic.identity.accounts import delete_user

    delete_user(db, name)
    out.print(f"deleted {name}")


@user_group.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@account_command
def password_command(
    name: str,
    password_stdin: bool,
    db: Database,
) -> None:
    """Set a user's password (their sessions end)."""
    from ghtraffic.identity.accounts import require_user, set_password
    from ghtraffic.identity.sessions import end_user_sessions

    set_password(db, name, _read_password(password_stdin))
    end_user_sessions(db, require_user(db, name).id)
    out.print(f"password of {name} changed")


@click.command("public")
@click.argument("repo", metavar="OWNER/REPO")
@click.option("--off", is_flag=True, help="Make it private again.")
@account_command
def public_command(repo: str, off: bool, db: Database) -> None:
    """Make a repository public: its badges are served (and shown in the public view)."""
    from ghtraffic.identity.public import set_public

    name = set_public(db, repo, not off, "cli")
    out.print(f"{name} is {'private' if off else 'public'}")
