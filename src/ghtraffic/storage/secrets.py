"""The key that encrypts stored credentials, and encryption with it (Fernet).

The key comes from ``GHTRAFFIC_SECRET_KEY`` (one or several Fernet keys separated by
commas: the first encrypts, every one decrypts, so keys can be rotated), else from the
file named by ``GHTRAFFIC_SECRET_KEY_FILE`` (the same text), else from
``<data dir>/secret.key``, which the first ``ghtraffic credential add`` creates (mode
0600) when it is missing. Keys never appear in messages: only their ids do, the first 8
hex digits of their SHA-256.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr

from ghtraffic.config import ConfigError, data_dir

ENV_KEY = "GHTRAFFIC_SECRET_KEY"
ENV_KEY_FILE = "GHTRAFFIC_SECRET_KEY_FILE"
KEY_FILE_NAME = "secret.key"

__all__ = [
    "ENV_KEY",
    "ENV_KEY_FILE",
    "KEY_FILE_NAME",
    "InvalidToken",
    "SecretKeyError",
    "SecretKeys",
    "default_key_file",
    "fingerprint",
    "key_id",
    "load_keys",
    "new_key",
]


class SecretKeyError(ConfigError):
    """The key is missing, malformed, or not the one the credentials were stored with."""


def key_id(key: str) -> str:
    """A key's id for people: the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(key.strip().encode()).hexdigest()[:8]


def fingerprint(secret: SecretStr) -> str:
    """A secret's short, non-reversible fingerprint: 12 hex digits of its SHA-256."""
    return hashlib.sha256(secret.get_secret_value().encode()).hexdigest()[:12]


def new_key() -> str:
    """A fresh Fernet key (32 random bytes, url-safe base64)."""
    return Fernet.generate_key().decode()


class SecretKeys:
    """One or several Fernet keys: the first encrypts, each decrypts."""

    __slots__ = ("_fernet", "_keys", "created", "path", "source")

    def __init__(
        self,
        keys: list[SecretStr],
        source: str,
        *,
        path: Path | None = None,
        created: bool = False,
    ) -> None:
        """``source`` names where the keys come from in messages; ``path`` is their file,
        ``created`` whether that file was just made."""
        if not keys:
            raise SecretKeyError(
                f"{source} holds no key: make one with `ghtraffic credential new-key`"
            )
        self._keys = tuple(keys)
        self.source = source
        self.path = path
        self.created = created
        try:
            fernets = [Fernet(k.get_secret_value().encode()) for k in self._keys]
        except ValueError:
            raise SecretKeyError(
                f"{source} holds something that is not a Fernet key (32 url-safe "
                "base64-encoded bytes): make one with `ghtraffic credential new-key`"
            ) from None
        self._fernet = MultiFernet(fernets)

    def __repr__(self) -> str:
        return f"SecretKeys({self.source!r}, ids={self.ids!r})"

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids of the keys, the encrypting one first."""
        return tuple(key_id(k.get_secret_value()) for k in self._keys)

    @property
    def id(self) -> str:
        """The id of the key that encrypts."""
        return self.ids[0]

    def encrypt(self, value: SecretStr) -> str:
        return self._fernet.encrypt(value.get_secret_value().encode()).decode()

    def decrypt(self, token: str) -> SecretStr:
        """The value; ``InvalidToken`` when no key opens it."""
        return SecretStr(self._fernet.decrypt(token.encode()).decode())

    def rotate(self, token: str) -> str:
        """``token`` encrypted again with the first key; ``InvalidToken`` as ``decrypt``."""
        return self._fernet.rotate(token.encode()).decode()


def default_key_file(env: Mapping[str, str] | None = None) -> Path:
    return data_dir(None if env is None else dict(env)) / KEY_FILE_NAME


def load_keys(env: Mapping[str, str] | None = None, *, create: bool = False) -> SecretKeys | None:
    """The keys from the environment, the key file, or the data dir's ``secret.key``.

    ``None`` when none is set and the default file is missing; with ``create`` that file
    is made instead (mode 0600) and holds a new key.
    """
    env = os.environ if env is None else env
    if env.get(ENV_KEY, "").strip():
        return SecretKeys(_split(env[ENV_KEY]), ENV_KEY)
    if env.get(ENV_KEY_FILE, "").strip():
        path = Path(env[ENV_KEY_FILE]).expanduser()
        return SecretKeys(_split(_read(path)), f"{ENV_KEY_FILE} ({path})", path=path)
    path = default_key_file(env)
    source = f"the key file {path}"
    if path.is_file():
        return SecretKeys(_split(_read(path)), source, path=path)
    if not create:
        return None
    try:
        return SecretKeys([_create(path)], source, path=path, created=True)
    except FileExistsError:  # another process made it first
        return SecretKeys(_split(_read(path)), source, path=path)


def _split(text: str) -> list[SecretStr]:
    return [SecretStr(part) for part in re.split(r"[\s,]+", text) if part]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise SecretKeyError(
            f"the key file {path} does not exist: set {ENV_KEY_FILE} to the file that holds the key"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not a key file"
        raise SecretKeyError(f"cannot read the key file {path}: {reason}") from None


def _create(path: Path) -> SecretStr:
    key = new_key()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise
    except OSError as exc:
        raise SecretKeyError(
            f"cannot create the key file {path} ({exc.strerror}): set {ENV_KEY} to a key "
            "from `ghtraffic credential new-key`"
        ) from None
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key + "\n")
    return SecretStr(key)
