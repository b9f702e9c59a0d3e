"""The ``[web]`` and ``[schedule]`` tables of ``ghtraffic.toml``, validated."""

from __future__ import annotations

from datetime import timedelta
from ipaddress import ip_address, ip_network
from typing import Any, TypeVar

from cronsim import CronSim, CronSimError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ghtraffic.config import ConfigError, Settings, validation_message
from ghtraffic.web.throttle import Limits

DEFAULT_CRON = "17 3 * * *"
#: The names a browser on this machine uses: always answered to unless ``allowed_hosts``
#: is set.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
#: Top-up runs through the day: read what is due or overdue, when anything is.
DEFAULT_TOP_UP = "47 * * * *"

M = TypeVar("M", bound=BaseModel)


class WebConfig(BaseModel):
    """``[web]``: how the dashboard serves and protects itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    #: Mark cookies ``Secure``; turn off only for plain http on a loopback address.
    secure_cookies: bool = True
    session_hours: float = Field(default=24 * 14, gt=0)
    #: Failed sign-ins of one account from one address before that pair must wait.
    login_max_failures: int = Field(default=5, ge=1)
    #: How long a failed sign-in counts (a wait ends when enough of them are older).
    login_lockout_seconds: float = Field(default=300, gt=0)
    #: Failed sign-ins from one address, to any accounts, before the address must wait.
    login_max_failures_per_address: int = Field(default=20, ge=1)
    #: Failed sign-ins of one account, from any addresses, before every address that has
    #: failed must wait for it (an address without failures may still sign in).
    login_max_failures_per_account: int = Field(default=20, ge=1)
    #: Accounts one wrong password may fail for before addresses that have failed may no
    #: longer try it (password spraying).
    login_max_accounts_per_password: int = Field(default=5, ge=1)
    #: Addresses or networks (CIDR) of reverse proxies whose ``X-Forwarded-For`` and
    #: ``X-Forwarded-Proto`` are believed; by default none, so the client is the peer.
    trusted_proxies: tuple[str, ...] = ()
    #: Host names (``Host`` header) the dashboard answers to; ``*.example.org`` matches
    #: subdomains. Default: the loopback names and ``host``.
    allowed_hosts: tuple[str, ...] | None = None
    #: Serve a read-only view of the public repositories at ``/public`` without login.
    public_view: bool = False
    #: How often the live stream looks at the change feed, in seconds.
    live_poll_seconds: float = Field(default=1.5, gt=0, le=60)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        found = []
        for entry in value:
            try:
                network = ip_network(entry.strip(), strict=False)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is neither an IP address nor a network like 10.0.0.0/8"
                ) from None
            single = network.num_addresses == 1
            found.append(str(network.network_address) if single else str(network))
        return tuple(found)

    @field_validator("allowed_hosts")
    @classmethod
    def _host_patterns(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for entry in value or ():
            if (
                not entry
                or "*" in entry[1:]
                or (entry[0] == "*" and entry[:2] != "*." and entry != "*")
            ):
                raise ValueError(f"{entry!r} is not a host name (or *.domain, or *)")
        return value

    def hosts(self) -> list[str]:
        """The ``Host`` names answered to: ``allowed_hosts``, else the loopback names and
        ``host`` (an IPv6 address in brackets, as the header writes it)."""
        if self.allowed_hosts is not None:
            return [name.lower() for name in self.allowed_hosts]
        names = list(LOOPBACK_HOSTS)
        host = self.host.lower()
        if host and not _every_address(host):
            names.append(f"[{host}]" if ":" in host else host)
        return list(dict.fromkeys(names))


def _every_address(host: str) -> bool:
    """``0.0.0.0`` or ``::``: an address to listen on, never a name a browser asks for."""
    try:
        return ip_address(host).is_unspecified
    except ValueError:
        return False


class ScheduleConfig(BaseModel):
    """``[schedule]``: when ``ghtraffic serve`` collects."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cron: str = DEFAULT_CRON
    #: Between the runs of ``cron``, a run whenever this names a moment and a repository is
    #: due or overdue (a credential's limit refills every hour); "" for none.
    top_up: str = DEFAULT_TOP_UP
    #: At start, collect at once when the last success is older than this many hours.
    catch_up_hours: float = Field(default=24, ge=0)

    @field_validator("cron", "top_up")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        from datetime import UTC, datetime

        if not value:
            return value
        try:
            CronSim(value, datetime.now(UTC))
        except CronSimError as error:
            raise ValueError(f"{value!r} is not a cron expression ({error})") from None
        return value


def _load(model: type[M], name: str, raw: dict[str, Any]) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        message = validation_message(error, model).replace("(top level)", "(table)")
        raise ConfigError(f"ghtraffic.toml: [{name}] {message}") from None


def login_limits(config: WebConfig) -> Limits:
    """The sign-in throttle's limits from ``[web]``."""
    return Limits(
        per_pair=config.login_max_failures,
        per_address=config.login_max_failures_per_address,
        per_account=config.login_max_failures_per_account,
        spray_accounts=config.login_max_accounts_per_password,
        window=timedelta(seconds=config.login_lockout_seconds),
    )


def uvicorn_proxy_options(config: WebConfig) -> dict[str, Any]:
    """uvicorn's ``proxy_headers`` and ``forwarded_allow_ips`` as ``trusted_proxies`` says:
    without trusted proxies ``X-Forwarded-For`` is ignored (uvicorn's own default would
    believe it from 127.0.0.1)."""
    if not config.trusted_proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": list(config.trusted_proxies)}


def web_config(settings: Settings) -> WebConfig:
    return _load(WebConfig, "web", settings.section("web"))


def schedule_config(settings: Settings) -> ScheduleConfig:
    return _load(ScheduleConfig, "schedule", settings.section("schedule"))
