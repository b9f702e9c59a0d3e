"""A port in use: `serve` says so in one line and exits 2 before announcing anything;
`demo` takes the next free port when 8000 is in use and prints the one it uses."""

from __future__ import annotations

import contextlib
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ghtraffic.fakegithub.server import free_port

from .helpers import clean_env, error_line, run_cli


@contextlib.contextmanager
def port_in_use(port: int | None = None) -> Iterator[int]:
    """A port another program listens on (``port``, when this test can take it; when it
    cannot, someone else already listens there)."""
    holder = socket.socket()
    try:
        try:
            holder.bind(("127.0.0.1", port if port is not None else 0))
            holder.listen()
        except OSError:
            assert port is not None
        yield holder.getsockname()[1] if port is None else port
    finally:
        holder.close()


def test_serve_on_a_port_in_use_exits_2_with_what_to_do(tmp_path: Path) -> None:
    with port_in_use() as port:
        result = run_cli(
            ["serve", "--no-scheduler", "--port", str(port)], env=clean_env(tmp_path), cwd=tmp_path
        )
    line = error_line(result, 2)
    assert line == (
        f"error: port {port} on 127.0.0.1 is already in use by another program: stop that "
        "program, or choose a free port with --port or [web] port"
    )
    assert "serving" not in result.stdout + result.stderr


def test_serve_with_its_metrics_port_in_use_names_that_setting(tmp_path: Path) -> None:
    with port_in_use() as port:
        (tmp_path / "ghtraffic.toml").write_text(f'[metrics]\naccess = "port"\nport = {port}\n')
        result = run_cli(
            ["serve", "--no-scheduler", "--port", str(free_port())],
            env=clean_env(tmp_path),
            cwd=tmp_path,
        )
    line = error_line(result, 2)
    assert f"port {port} on 127.0.0.1 is already in use" in line
    assert line.endswith("choose a free port with [metrics] port")


def test_serve_on_an_address_of_another_machine_exits_2(tmp_path: Path) -> None:
    (tmp_path / "ghtraffic.toml").write_text("[web]\nsecure_cookies = true\n")
    result = run_cli(
        ["serve", "--no-scheduler", "--host", "192.0.2.1", "--port", str(free_port())],
        env=clean_env(tmp_path),
        cwd=tmp_path,
    )
    line = error_line(result, 2)
    assert line.startswith("error: cannot listen on 192.0.2.1: it is not an address of this")


def test_demo_on_a_given_port_in_use_exits_2_before_collecting(tmp_path: Path) -> None:
    with port_in_use() as port:
        result = run_cli(
            ["demo", "--port", str(port), "--database", str(tmp_path / "demo.sqlite")],
            env=clean_env(tmp_path),
            cwd=tmp_path,
        )
    line = error_line(result, 2)
    assert line.endswith("choose a free port with --port")
    assert not (tmp_path / "demo.sqlite").exists(), "nothing was collected"


@pytest.mark.slow
def test_demo_takes_the_next_free_port_when_8000_is_in_use(tmp_path: Path) -> None:
    with port_in_use(8000):
        process = subprocess.Popen(
            [sys.executable, "-m", "ghtraffic", "demo", "--repos", "2", "--days", "3"],
            env=clean_env(tmp_path),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        stdout: list[str] = []
        found = threading.Event()

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                stdout.append(line)
                if "Dashboard" in line:
                    found.set()

        threading.Thread(target=read, daemon=True).start()
        try:
            assert found.wait(120), "".join(stdout)
            where = re.search(r"Dashboard: (http://127\.0\.0\.1:(\d+))", "".join(stdout))
            assert where is not None, stdout
            assert where.group(2) != "8000"
            assert httpx.get(f"{where.group(1)}/healthz", timeout=5).status_code == 200
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
    assert f"port 8000 is in use: the dashboard takes {where.group(2)}" in stderr
    assert process.returncode == 0, stderr
