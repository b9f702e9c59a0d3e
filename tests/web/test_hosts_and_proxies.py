"""Who the client is and which names the dashboard answers to: ``X-Forwarded-For`` is
believed only from ``[web] trusted_proxies`` (default none), and a ``Host`` outside
``[web] allowed_hosts`` is refused (DNS rebinding). The servers are real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from ghtraffic.config import ConfigError, Settings
from ghtraffic.fakegithub.server import free_port
from ghtraffic.identity.accounts import add_user
from ghtraffic.storage.database import Database, sqlite_url
from ghtraffic.web.asgi import check_uvicorn_command, uvicorn_command_trust
from ghtraffic.web.config import WebConfig, web_config
from ghtraffic.web.throttle import LoginThrottle
from tests.web.conftest import PASSWORD, csrf_from

SPOOFED = {"X-Forwarded-For": "203.0.113.9"}


def test_a_host_outside_the_allow_list_is_refused(anon: TestClient) -> None:
    evil = anon.get("/login", headers={"Host": "rebound.evil.example"})
    assert evil.status_code == 400
    assert evil.text == "Invalid host header"
    assert anon.get("/login", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    health = anon.get("/healthz", headers={"Host": "10.1.2.3:8000"})
    assert health.status_code == 200, "load balancers ask the health check by address"


def test_allowed_hosts_default_to_loopback_and_the_configured_host() -> None:
    assert WebConfig().hosts() == ["localhost", "127.0.0.1", "[::1]"]
    assert WebConfig(host="0.0.0.0").hosts()  # noqa: S104 (listening, not a name) == ["localhost", "127.0.0.1", "[::1]"]
    assert WebConfig(host="traffic.internal").hosts()[-1] == "traffic.internal"
    assert WebConfig(host="fd00::5").hosts()[-1] == "[fd00::5]"
    assert WebConfig(allowed_hosts=("Traffic.Example.org", "*.example.org")).hosts() == [
        "traffic.example.org",
        "*.example.org",
    ]


@pytest.mark.parametrize(
    ("web", "message"),
    [
        (
            {"trusted_proxies": ["10.0.0.0/8", "nginx"]},
            "ghtraffic.toml: [web] trusted_proxies: 'nginx' is neither an IP address nor a "
            "network like 10.0.0.0/8",
        ),
        (
            {"allowed_hosts": ["exa*mple.org"]},
            "ghtraffic.toml: [web] allowed_hosts: 'exa*mple.org' is not a host name (or "
            "*.domain, or *)",
        ),
    ],
)
def test_bad_proxy_and_host_settings_are_one_line(web: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        web_config(Settings(sections={"web": web}))
    assert str(raised.value) == message


def test_trusted_proxies_are_normalised() -> None:
    config = WebConfig(trusted_proxies=("10.1.2.3/8", "::1", "192.0.2.4/32"))
    assert config.trusted_proxies == ("10.0.0.0/8", "::1", "192.0.2.4")


# Real servers ---------------------------------------------------------------------------


def _archive(tmp_path: Path) -> str:
    url = sqlite_url(tmp_path / "archive.sqlite")
    db = Database(url)
    db.upgrade()
    add_user(db, "admin", PASSWORD, admin=True)
    db.dispose()
    return url


def _env(tmp_path: Path, url: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GHTRAFFIC_", "GITHUB_"))},
        "GHTRAFFIC_HOME": str(tmp_path),
        "GHTRAFFIC_DATABASE_URL": url,
        "GHTRAFFIC_CONFIG": str(tmp_path / "ghtraffic.toml"),
    }


@contextmanager
def _server(command: Sequence[str], env: dict[str, str], port: int) -> Iterator[str]:
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "the server did not answer"
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


def _sign_in(base: str, password: str, headers: dict[str, str] | None = None) -> int:
    with httpx.Client(base_url=base, headers=headers or {}, timeout=10) as client:
        page = client.get("/login")
        return client.post(
            "/login",
            data={"name": "admin", "password": password, "csrf_token": csrf_from(page.text)},
        ).status_code


def _serve(port: int) -> list[str]:
    return [sys.executable, "-m", "ghtraffic", "serve", "--no-scheduler", "--port", str(port)]


@pytest.mark.slow
def test_serve_believes_forwarded_addresses_only_from_trusted_proxies(tmp_path: Path) -> None:
    url = _archive(tmp_path)
    env = _env(tmp_path, url)
    config = tmp_path / "ghtraffic.toml"
    config.write_text("[web]\nsecure_cookies = false\n")
    port = free_port()
    with _server(_serve(port), env, port) as base:
        for n in range(5):
            assert _sign_in(base, f"guess-{n}") == 401
        assert _sign_in(base, PASSWORD) == 429
        assert _sign_in(base, PASSWORD, SPOOFED) == 429, "a forged X-Forwarded-For is ignored"
        rebound = httpx.get(f"{base}/login", headers={"Host": "rebound.evil.example"})
        assert rebound.status_code == 400
    # Behind a proxy on this machine: the address it forwards is the client's. The
    # failures above are still in the archive, so the proxy's own address still waits.
    config.write_text('[web]\nsecure_cookies = false\ntrusted_proxies = ["127.0.0.1"]\n')
    with _server(_serve(port), env, port) as base:
        assert _sign_in(base, PASSWORD) == 429
        assert _sign_in(base, PASSWORD, SPOOFED) == 303


def test_uvicorns_command_line_is_read_as_uvicorn_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    for name in ("UVICORN_PROXY_HEADERS", "UVICORN_FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    app = ["--factory", "ghtraffic.web.asgi:from_env"]
    assert uvicorn_command_trust(["pytest", *app]) is None
    assert uvicorn_command_trust(["/venv/bin/uvicorn", *app]) == ("127.0.0.1", "::1")
    assert uvicorn_command_trust(["/venv/bin/uvicorn", *app, "--no-proxy-headers"]) == ()
    assert uvicorn_command_trust(
        ["uvicorn", *app, "--forwarded-allow-ips", "10.0.0.0/8,192.0.2.1"]
    ) == ("10.0.0.0/8", "192.0.2.1")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "172.16.0.1")
    assert uvicorn_command_trust(["uvicorn", *app]) == ("172.16.0.1",)
    with pytest.raises(ConfigError) as raised:
        check_uvicorn_command(WebConfig(), ["uvicorn", *app])
    assert str(raised.value) == (
        "uvicorn believes X-Forwarded-For from 172.16.0.1 but [web] trusted_proxies names "
        "none: run uvicorn with --no-proxy-headers"
    )
    check_uvicorn_command(WebConfig(trusted_proxies=("172.16.0.1",)), ["uvicorn", *app])


@pytest.mark.slow
def test_the_asgi_factory_refuses_uvicorns_default_trust_and_serves_without_it(
    tmp_path: Path,
) -> None:
    url = _archive(tmp_path)
    db = Database(url)
    throttle = LoginThrottle(db)
    for n in range(5):  # five failures from this machine, as if typed
        assert isinstance(throttle.begin("admin", "127.0.0.1", f"guess-{n}"), int)
    db.dispose()
    (tmp_path / "ghtraffic.toml").write_text("[web]\nsecure_cookies = false\n")
    env = {k: v for k, v in _env(tmp_path, url).items() if k != "FORWARDED_ALLOW_IPS"}
    uvicorn = [str(Path(sys.executable).parent / "uvicorn"), "--factory"]
    port = free_port()
    target = ["ghtraffic.web.asgi:from_env", "--port", str(port)]
    refused = subprocess.run(
        [*uvicorn, *target], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert refused.returncode == 3, refused.stderr  # uvicorn: a worker that cannot start
    assert refused.stderr.strip().splitlines()[-1] == (
        "error: uvicorn believes X-Forwarded-For from 127.0.0.1, ::1 but [web] "
        "trusted_proxies names none: run uvicorn with --no-proxy-headers"
    )
    with _server([*uvicorn, *target, "--no-proxy-headers"], env, port) as base:
        assert _sign_in(base, PASSWORD, SPOOFED) == 429
