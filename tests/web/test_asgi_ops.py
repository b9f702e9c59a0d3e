"""The ASGI factory under `uvicorn --workers 2`, as a person runs it behind a load
balancer: the metrics port sums the counters of both processes (prometheus-client's
multiprocess mode), `/readyz` answers, and SIGTERM stops it at once with a live page open
(the stream is told to close; the browser reconnects to the next server)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from ghtraffic.fakegithub.server import free_port
from ghtraffic.web.server import STOP_SECONDS
from tests.cli.helpers import clean_env
from tests.web.serving import Served, Stream, admin_token, wait_healthy

pytestmark = pytest.mark.slow


def healthz_count(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "ghtraffic_http_request_duration_seconds_count" and (
                sample.labels.get("handler") == "healthz"
            ):
                return sample.value
    return 0.0


def test_two_uvicorn_processes_share_their_metrics_and_stop_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'archive.sqlite'}"
    token = admin_token(url)
    port, metrics_port = free_port(), free_port()
    (tmp_path / "ghtraffic.toml").write_text(
        f'[metrics]\naccess = "port"\nport = {metrics_port}\ncache_seconds = 0\n'
    )
    (tmp_path / "multiproc").mkdir()
    env = clean_env(
        tmp_path,
        GHTRAFFIC_DATABASE_URL=url,
        GHTRAFFIC_CONFIG=str(tmp_path / "ghtraffic.toml"),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "multiproc"),
    )
    command = [sys.executable, "-m", "uvicorn", "--factory", "ghtraffic.web.asgi:from_env"]
    command += ["--no-proxy-headers", "--workers", "2", "--port", str(port)]
    command += ["--log-level", "warning"]
    process = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    served = Served(process, f"http://127.0.0.1:{port}", token, url)
    try:
        wait_healthy(served)
        ready = httpx.get(f"{served.base}/readyz", timeout=5)
        assert ready.status_code == 200, ready.text
        assert ready.json()["status"] == "ready"
        stream = Stream(served).start()
        metrics = f"http://127.0.0.1:{metrics_port}/metrics"
        before = healthz_count(httpx.get(metrics, timeout=5).text)
        sent = 0
        # Requests at once, on connections of their own, until both processes answered.
        while len(list((tmp_path / "multiproc").glob("histogram_*.db"))) < 2 and sent < 400:
            with ThreadPoolExecutor(20) as pool:
                answers = list(pool.map(lambda _: httpx.get(f"{served.base}/healthz"), range(40)))
            assert {answer.status_code for answer in answers} == {200}
            sent += len(answers)
        assert len(list((tmp_path / "multiproc").glob("histogram_*.db"))) == 2
        after = healthz_count(httpx.get(metrics, timeout=5).text)
        # The port's process counts what both answered.
        assert after - before == sent

        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        took = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
        _, stderr = process.communicate(timeout=30)
    assert took < STOP_SECONDS, f"uvicorn took {took:.1f} s to stop: {stderr}"
    assert stream.ended.wait(5)
    assert "event: closing" in stream.lines, stream.lines
    assert "Traceback" not in stderr
