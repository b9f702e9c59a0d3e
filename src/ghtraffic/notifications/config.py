"""The ``[notifications]`` table of ``ghtraffic.toml``.

Every channel is optional. Secrets stay out of the file: the SMTP password is read from the
environment variable named by ``smtp_password_env``; webhook URLs (which often embed a
token) may be given either in the file or through ``webhook_url_env`` /
``slack_webhook_url_env``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ghtraffic.config import ConfigError, validation_message

_SECRET_KEYS = {
    "smtp_password": "smtp_password_env",
    "password": "smtp_password_env",
}


def _http_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        # The value itself is not repeated: it may hold a token.
        raise ValueError("must be an http:// or https:// URL")
    return value


class NotificationSettings(BaseModel):
    """Validated ``[notifications]``; see the README for the meaning of each key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    on_spike: bool = True
    on_failure: bool = True
    #: Events on days older than this many days (before the processing time) are recorded
    #: but not sent: a first run over an old archive must not flood the channels.
    notify_within_days: int = Field(default=7, ge=0)
    webhook_url: str | None = None
    webhook_url_env: str | None = None
    slack_webhook_url: str | None = None
    slack_webhook_url_env: str | None = None
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_user: str | None = None
    smtp_password_env: str | None = None
    email_from: str | None = None
    email_to: list[str] = Field(default_factory=list)
    #: A link to the dashboard added to messages (optional).
    dashboard_url: str | None = None
    #: Seconds before one send gives up.
    timeout: float = Field(default=10.0, gt=0)
    #: Tries of one delivery within a run, with exponential backoff from ``retry_wait``.
    send_attempts: int = Field(default=3, ge=1, le=10)
    retry_wait: float = Field(default=1.0, ge=0)
    retry_wait_max: float = Field(default=30.0, ge=0)
    #: Runs that may try one delivery before it is recorded as failed for good.
    max_delivery_attempts: int = Field(default=5, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _no_secrets_in_file(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, instead in _SECRET_KEYS.items():
                if key in data:
                    raise ValueError(
                        f"{key} is not read from the file: put the password in an environment "
                        f"variable and name that variable with {instead}"
                    )
        return data

    @field_validator("webhook_url", "slack_webhook_url", "dashboard_url")
    @classmethod
    def _urls(cls, value: str | None) -> str | None:
        return _http_url(value)

    @model_validator(mode="after")
    def _email_complete(self) -> NotificationSettings:
        if self.smtp_host and not (self.email_from and self.email_to):
            raise ValueError("smtp_host needs email_from and email_to")
        if (self.email_from or self.email_to) and not self.smtp_host:
            raise ValueError("email_from/email_to need smtp_host")
        if self.smtp_password_env and not self.smtp_user:
            raise ValueError("smtp_password_env needs smtp_user")
        return self


def parse_notification_settings(raw: Mapping[str, Any]) -> NotificationSettings:
    """Validate the raw ``[notifications]`` table; a problem is a one-line ``ConfigError``."""
    try:
        return NotificationSettings.model_validate(dict(raw))
    except ValidationError as exc:
        message = validation_message(exc, NotificationSettings)
        raise ConfigError(f"[notifications] {message}".replace("] (top level)", "]")) from None


def _from_env(env: Mapping[str, str], name: str | None, key: str) -> str | None:
    if not name:
        return None
    value = env.get(name)
    if not value:
        raise ConfigError(
            f"[notifications] {key} = {name!r}, but that variable is not set: "
            f"export it or remove {key}"
        )
    return value


def resolve_webhook_url(
    settings: NotificationSettings, env: Mapping[str, str] | None = None
) -> str | None:
    env = os.environ if env is None else env
    url = settings.webhook_url or _from_env(env, settings.webhook_url_env, "webhook_url_env")
    return _checked(url, "webhook_url_env")


def resolve_slack_url(
    settings: NotificationSettings, env: Mapping[str, str] | None = None
) -> str | None:
    env = os.environ if env is None else env
    url = settings.slack_webhook_url or _from_env(
        env, settings.slack_webhook_url_env, "slack_webhook_url_env"
    )
    return _checked(url, "slack_webhook_url_env")


def resolve_smtp_password(
    settings: NotificationSettings, env: Mapping[str, str] | None = None
) -> str | None:
    env = os.environ if env is None else env
    return _from_env(env, settings.smtp_password_env, "smtp_password_env")


def _checked(url: str | None, key: str) -> str | None:
    try:
        return _http_url(url)
    except ValueError as exc:
        raise ConfigError(f"[notifications] the URL named by {key} {exc}") from None
