"""The credential store: values only encrypted at rest, the key from env or file, rotation,
removal, and backups and copies that carry the ciphertext."""

from __future__ import annotations

import gzip
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr
from sqlalchemy import text

from ghtraffic.config import AppCredential, ConfigError, Settings, TokenCredential
from ghtraffic.history.backup import backup, copy_archive, restore
from ghtraffic.storage import credentials as store
from ghtraffic.storage.database import Database, sqlite_url
from ghtraffic.storage.secrets import (
    ENV_KEY,
    ENV_KEY_FILE,
    SecretKeyError,
    SecretKeys,
    key_id,
    load_keys,
    new_key,
)

TOKEN = "ghp_storedPlanted0123456789abcdefABCDEF"


@pytest.fixture(scope="module")
def pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def keys_of(*values: str) -> SecretKeys:
    found = load_keys({ENV_KEY: ",".join(values)})
    assert found is not None
    return found


def fill(db: Database, keys: SecretKeys, pem: str) -> None:
    store.add_token(db, keys, "main", SecretStr(TOKEN))
    store.add_app(db, keys, "acme-app", "31337", SecretStr(pem), [40000001, "globex"])


def pem_lines(pem: str) -> list[str]:
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


def at_rest(db: Database) -> bytes:
    """What the archive holds on disk: the SQLite file and its WAL, or a pg_dump."""
    if db.is_sqlite:
        path = Path(str(db.url.database))
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    schema = str(db.url.query["options"]).removeprefix("-csearch_path=")
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:  # the rows as text, the way a dump writes them
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT t::text FROM stored_credentials t"))
            return "\n".join(row[0] for row in rows).encode()
    url = db.url
    done = subprocess.run(
        [pg_dump, "-h", str(url.host), "-p", str(url.port or 5432), "-U", str(url.username),
         "-d", str(url.database), "--schema", schema],
        env={**os.environ, "PGPASSWORD": url.password or ""},
        capture_output=True,
        check=True,
        timeout=60,
    )  # fmt: skip
    assert b"stored_credentials" in done.stdout
    return done.stdout


def test_stored_values_come_back_and_are_only_encrypted_at_rest(db: Database, pem: str) -> None:
    keys = keys_of(new_key())
    fill(db, keys, pem)
    main, app = sorted(store.load(db, keys), key=lambda c: c.name, reverse=True)
    assert main == TokenCredential("main", SecretStr(TOKEN), "stored credential 'main'")
    assert isinstance(app, AppCredential)
    assert (app.name, app.app_id, app.installations) == ("acme-app", "31337", (40000001, "globex"))
    assert app.private_key.get_secret_value() == pem
    dump = at_rest(db)
    assert dump
    assert TOKEN.encode() not in dump
    for line in pem_lines(pem):
        assert line.encode() not in dump


def test_list_shows_fingerprints_and_key_ids_never_a_value(db: Database, pem: str) -> None:
    key = new_key()
    fill(db, keys_of(key), pem)
    listed = store.list_stored(db)
    assert [(i.name, i.kind, i.app_id) for i in listed] == [
        ("acme-app", "app", "31337"),
        ("main", "token", None),
    ]
    assert {i.key_id for i in listed} == {key_id(key)}
    assert all(len(i.fingerprint) == 12 for i in listed)
    shown = repr(listed)
    assert TOKEN not in shown
    assert not any(line in shown for line in pem_lines(pem))


def test_a_wrong_key_says_which_key_ids_differ(db: Database) -> None:
    stored_with, other = new_key(), new_key()
    store.add_token(db, keys_of(stored_with), "main", SecretStr(TOKEN))
    with pytest.raises(SecretKeyError) as caught:
        store.load(db, keys_of(other))
    message = str(caught.value)
    assert message == (
        f"the stored credentials cannot be decrypted with the key in {ENV_KEY} (key id "
        f"{key_id(other)}; they were stored with {key_id(stored_with)}): set the key they "
        "were stored with"
    )
    assert stored_with not in message
    assert other not in message
    with pytest.raises(SecretKeyError, match="no key is set"):
        store.load(db, None)
    with pytest.raises(SecretKeyError, match="cannot be decrypted"):
        store.keys_for_adding(db, {ENV_KEY: other})  # never two keys in one archive


def test_rekey_with_two_keys_then_only_the_new_one(db: Database, pem: str) -> None:
    old, new = new_key(), new_key()
    fill(db, keys_of(old), pem)
    assert store.rekey(db, keys_of(new, old)) == 2
    assert {i.key_id for i in store.list_stored(db)} == {key_id(new)}
    loaded = store.load(db, keys_of(new))
    assert {c.name for c in loaded} == {"main", "acme-app"}
    assert TokenCredential("main", SecretStr(TOKEN), "stored credential 'main'") in loaded
    with pytest.raises(SecretKeyError, match="cannot be decrypted"):
        store.load(db, keys_of(old))
    with pytest.raises(SecretKeyError, match="cannot be decrypted"):
        store.rekey(db, keys_of(old))


def test_remove_and_names(db: Database) -> None:
    keys = keys_of(new_key())
    store.add_token(db, keys, "main", SecretStr(TOKEN))
    with pytest.raises(ConfigError, match="already stored"):
        store.add_token(db, keys, "main", SecretStr("another"))
    store.remove(db, "main")
    assert store.list_stored(db) == []
    assert store.load(db, None) == ()
    with pytest.raises(ConfigError, match="no credential named 'main'"):
        store.remove(db, "main")


def test_stored_credentials_join_the_configured_ones(db: Database) -> None:
    configured = TokenCredential("env", SecretStr("from-env"), "ENV_TOKEN")
    settings = Settings(credentials=(configured,))
    assert store.with_stored_credentials(settings, db, env={}) is settings  # no key needed
    key = new_key()
    store.add_token(db, keys_of(key), "main", SecretStr(TOKEN))
    merged = store.with_stored_credentials(settings, db, env={ENV_KEY: key})
    assert [c.name for c in merged.credentials] == ["env", "main"]
    clash = Settings(credentials=(TokenCredential("main", SecretStr("x"), "X"),))
    with pytest.raises(ConfigError, match="rename one"):
        store.with_stored_credentials(clash, db, env={ENV_KEY: key})
    with pytest.raises(SecretKeyError, match="no key is set"):
        store.with_stored_credentials(settings, db, env={"GHTRAFFIC_HOME": "/nonexistent"})


def test_backup_restore_and_copy_carry_the_ciphertext(
    db: Database, pem: str, tmp_path: Path
) -> None:
    keys = keys_of(new_key())
    fill(db, keys, pem)
    path = tmp_path / "archive.ghtraffic.gz"
    backup(db, path)
    document = gzip.decompress(path.read_bytes())
    assert b"stored_credentials" in document
    assert TOKEN.encode() not in document
    assert not any(line.encode() in document for line in pem_lines(pem))
    restored = Database(sqlite_url(tmp_path / "restored.sqlite"))
    copied = Database(sqlite_url(tmp_path / "copied.sqlite"))
    try:
        restored.upgrade()
        restore(restored, path)
        copy_archive(db, copied)
        for target in (restored, copied):
            assert store.load(target, keys) == store.load(db, keys)
            assert store.list_stored(target) == store.list_stored(db)
    finally:
        restored.dispose()
        copied.dispose()


# -- the key ----------------------------------------------------------------------------------


def test_the_key_file_is_made_once_with_mode_0600(tmp_path: Path) -> None:
    env = {"GHTRAFFIC_HOME": str(tmp_path / "home")}
    assert load_keys(env) is None
    made = load_keys(env, create=True)
    assert made is not None
    assert made.created
    path = tmp_path / "home" / "secret.key"
    assert made.path == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_keys(env, create=True)
    assert again is not None
    assert not again.created
    assert again.ids == made.ids


def test_keys_from_the_environment_or_a_named_file(tmp_path: Path) -> None:
    first, second = new_key(), new_key()
    from_env = load_keys({ENV_KEY: f" {first} , {second} "})
    assert from_env is not None
    assert from_env.ids == (key_id(first), key_id(second))
    assert from_env.id == key_id(first)
    assert first not in repr(from_env)
    path = tmp_path / "keys"
    path.write_text(f"{first}\n{second}\n")
    from_file = load_keys({ENV_KEY_FILE: str(path), "GHTRAFFIC_HOME": str(tmp_path)})
    assert from_file is not None
    assert from_file.ids == from_env.ids
    sealed = from_file.encrypt(SecretStr("value"))
    assert from_env.decrypt(sealed) == SecretStr("value")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({ENV_KEY: "not-a-fernet-key-SENTINEL"}, "not a Fernet key"),
        ({ENV_KEY: " , "}, "holds no key"),
        ({ENV_KEY_FILE: "/no/such/key-file"}, "does not exist"),
    ],
)
def test_bad_keys_are_one_line_errors_without_the_value(env: dict[str, str], message: str) -> None:
    with pytest.raises(SecretKeyError, match=message) as caught:
        load_keys(env)
    assert "SENTINEL" not in str(caught.value)
