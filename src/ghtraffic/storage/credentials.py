"""GitHub credentials kept in the archive, encrypted: add, list, remove, rekey, load.

Only ``add``, ``rekey`` and ``load`` need the key (``storage/secrets.py``); listing and
removing work without it. An archive without stored credentials never asks for a key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import SecretStr
from sqlalchemy import delete, exists, select

from ghtraffic.config import (
    AppCredential,
    ConfigError,
    Credential,
    Settings,
    TokenCredential,
    require_credential,
)
from ghtraffic.storage.database import Database
from ghtraffic.storage.records import copied
from ghtraffic.storage.secrets import (
    ENV_KEY,
    ENV_KEY_FILE,
    InvalidToken,
    SecretKeyError,
    SecretKeys,
    fingerprint,
    load_keys,
)
from ghtraffic.storage.tables_secrets import StoredCredential


@dataclass(frozen=True)
class StoredInfo:
    """What may be shown of a stored credential: never its value."""

    name: str
    kind: str
    app_id: str | None
    installations: tuple[int | str, ...] | None
    fingerprint: str
    key_id: str
    created_at: datetime


def add_token(
    db: Database, keys: SecretKeys, name: str, token: SecretStr, *, now: datetime | None = None
) -> StoredInfo:
    """Store a token under ``name`` (a name already stored is refused)."""
    if not token.get_secret_value().strip():
        raise ConfigError("the token is empty: nothing stored")
    return _add(
        db, keys, name, "token", None, None, SecretStr(token.get_secret_value().strip()), now
    )


def add_app(
    db: Database,
    keys: SecretKeys,
    name: str,
    app_id: str,
    private_key: SecretStr,
    installations: Sequence[int | str] | None = None,
    *,
    now: datetime | None = None,
) -> StoredInfo:
    """Store a GitHub App (its PEM private key checked first) under ``name``."""
    check_app(name, app_id, private_key)
    chosen = None if installations is None else tuple(installations)
    return _add(db, keys, name, "app", app_id.strip(), chosen, private_key, now)


def check_app(name: str, app_id: str, private_key: SecretStr) -> None:
    """A ``ConfigError`` unless the app id is given and the key is a PEM RSA private key."""
    from ghtraffic.github.app import AppKeyError, load_private_key

    if not app_id.strip():
        raise ConfigError("the app id is empty: give --app-id")
    try:
        load_private_key(private_key, what=f"the private key of {name!r}")
    except AppKeyError as exc:
        raise ConfigError(str(exc)) from None


def _add(
    db: Database,
    keys: SecretKeys,
    name: str,
    kind: str,
    app_id: str | None,
    installations: tuple[int | str, ...] | None,
    secret: SecretStr,
    now: datetime | None,
) -> StoredInfo:
    name = name.strip()
    if not name:
        raise ConfigError("a stored credential needs a name")
    with db.session() as session:
        if session.get(StoredCredential, name) is not None:
            raise ConfigError(
                f"a credential named {name!r} is already stored: remove it first "
                f"(`ghtraffic credential remove {name}`) or choose another name"
            )
        _require_same_key(keys, set(session.scalars(select(StoredCredential.key_id))))
        row = StoredCredential(
            name=name,
            kind=kind,
            app_id=app_id,
            installations=None if installations is None else json.dumps(list(installations)),
            secret=keys.encrypt(secret),
            fingerprint=fingerprint(secret),
            key_id=keys.id,
            created_at=now or datetime.now(UTC),
        )
        session.add(row)
        info = _info(row)
    return info


def keys_for_adding(db: Database, env: Mapping[str, str] | None = None) -> SecretKeys:
    """The keys to store a new credential with: the ones set, else ``<data dir>/secret.key``,
    created when missing while nothing is stored yet (credentials already stored need the
    key they were stored with, never a new one)."""
    with db.read_session() as session:
        used = set(session.scalars(select(StoredCredential.key_id)))
    keys = load_keys(env, create=not used)
    if keys is None:
        raise _no_key(len(used), used)
    _require_same_key(keys, used)
    return keys


def list_stored(db: Database) -> list[StoredInfo]:
    with db.read_session() as session:
        rows = session.scalars(select(StoredCredential).order_by(StoredCredential.name))
        return [_info(row) for row in rows]


def has_stored(db: Database) -> bool:
    with db.read_session() as session:
        return bool(session.scalar(select(exists().select_from(StoredCredential))))


def remove(db: Database, name: str) -> None:
    with db.session() as session:
        done = session.execute(delete(StoredCredential).where(StoredCredential.name == name))
        if not getattr(done, "rowcount", 0):
            raise ConfigError(
                f"no credential named {name!r} is stored (see `ghtraffic credential list`)"
            )


def rekey(db: Database, keys: SecretKeys) -> int:
    """Encrypt every stored credential again with the first key; the number of them."""
    with db.session() as session:
        rows = list(session.scalars(select(StoredCredential).with_for_update()))
        used = {row.key_id for row in rows}
        for row in rows:
            try:
                row.secret = keys.rotate(row.secret)
            except InvalidToken:
                raise _wrong_key(keys, used) from None
            row.key_id = keys.id
    return len(rows)


def load(db: Database, keys: SecretKeys | None) -> tuple[Credential, ...]:
    """Every stored credential, decrypted (``keys`` may be ``None`` when none is stored)."""
    with db.read_session() as session:
        rows = list(session.scalars(select(StoredCredential).order_by(StoredCredential.name)))
    if not rows:
        return ()
    used = {row.key_id for row in rows}
    if keys is None:
        raise _no_key(len(rows), used)
    found: list[Credential] = []
    for row in rows:
        try:
            secret = keys.decrypt(row.secret)
        except InvalidToken:
            raise _wrong_key(keys, used) from None
        if row.kind == "token":
            found.append(TokenCredential(row.name, secret, f"stored credential {row.name!r}"))
        else:
            assert row.app_id is not None
            found.append(AppCredential(row.name, row.app_id, secret, _installations(row)))
    return tuple(found)


def with_stored_credentials(
    settings: Settings, db: Database, env: Mapping[str, str] | None = None
) -> Settings:
    """``settings`` with the archive's stored credentials after the configured ones."""
    if not has_stored(db):
        return settings
    stored = load(db, load_keys(env))
    configured = {c.name for c in settings.credentials}
    for credential in stored:
        if credential.name in configured:
            raise ConfigError(
                f"the stored credential {credential.name!r} has the name of a [[credentials]] "
                "entry of ghtraffic.toml: rename one of them"
            )
    return settings.with_changes(credentials=settings.credentials + stored)


def collection_credentials(settings: Settings, db: Database) -> Settings:
    """The settings a collection runs with: the configured credentials, then the stored
    ones (decrypted with the key as it is now), or the one-line "no GitHub token" error."""
    return require_credential(with_stored_credentials(settings, db))


def _require_same_key(keys: SecretKeys, used: set[str]) -> None:
    """Refuse to mix keys: every stored credential must open with ``keys``."""
    if used - set(keys.ids):
        raise _wrong_key(keys, used)


def _no_key(count: int, used: set[str]) -> SecretKeyError:
    return SecretKeyError(
        f"{count} credential(s) are stored in the archive, encrypted, but no key is set: "
        f"set {ENV_KEY} (or {ENV_KEY_FILE}) to the key they were stored with "
        f"(key id {', '.join(sorted(used))})"
    )


def _wrong_key(keys: SecretKeys, used: set[str]) -> SecretKeyError:
    mine = ", ".join(keys.ids)
    theirs = ", ".join(sorted(used))
    return SecretKeyError(
        f"the stored credentials cannot be decrypted with the key in {keys.source} "
        f"(key id {mine}; they were stored with {theirs}): set the key they were stored with"
    )


def _installations(row: StoredCredential) -> tuple[int | str, ...] | None:
    if row.installations is None:
        return None
    values = json.loads(row.installations)
    return tuple(v for v in values if isinstance(v, int | str))


def _info(row: StoredCredential) -> StoredInfo:
    return copied(StoredInfo, row, installations=_installations(row))
