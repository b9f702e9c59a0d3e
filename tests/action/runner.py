"""Running ``action.yml`` the way a GitHub runner does, offline.

The ``uses:`` steps (``actions/setup-python``) are skipped: this interpreter is the
Python. Every ``run:`` step is the action's own script, run by bash with the step's
``env:`` mapping, its ``${{ ... }}`` expressions resolved from the inputs, ``github``
and ``runner`` contexts given here, and the variables a runner sets (``GITHUB_WORKSPACE``,
``RUNNER_TEMP``, ``GITHUB_OUTPUT``, ...). On ``PATH`` first: a ``pip`` that records its
arguments and installs nothing (this interpreter already imports ghtraffic) and a
``ghtraffic`` that is this interpreter's. A run is written as one bash script, so a git
hook can start a run too.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")


def action() -> dict[str, Any]:
    document = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def resolve(text: str, context: dict[str, str]) -> str:
    """``text`` with each ``${{ name }}`` replaced from ``context`` (an unknown name fails)."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in context, f"action.yml uses ${{{{ {name} }}}}, which the runner lacks"
        return context[name]

    resolved = EXPRESSION.sub(value, text)
    return resolve(resolved, context) if EXPRESSION.search(resolved) else resolved


def _shims(folder: Path) -> Path:
    """``pip`` (records, installs nothing), ``ghtraffic`` and ``python`` (this interpreter)."""
    folder.mkdir(parents=True, exist_ok=True)
    python = shlex.quote(sys.executable)
    log = shlex.quote(str(folder / "pip.log"))
    scripts = {
        "pip": f'echo "$*" >> {log}',
        "ghtraffic": f'exec {python} -m ghtraffic "$@"',
        "python": f'exec {python} "$@"',
    }
    for name, line in scripts.items():
        shim = folder / name
        shim.write_text(f"#!/usr/bin/env bash\n{line}\n")
        shim.chmod(0o755)
    return folder


@dataclass
class ActionRun:
    """One run of the action in ``workspace`` (a git checkout) against the API ``api_url``."""

    workspace: Path
    temp: Path
    api_url: str
    inputs: dict[str, str]
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def output_file(self) -> Path:
        return self.temp / "github_output"

    def context(self) -> dict[str, str]:
        context = {
            "github.action_path": str(ROOT),
            "github.api_url": self.api_url,
            "github.workspace": str(self.workspace),
            "runner.temp": str(self.temp),
        }
        for name, spec in action()["inputs"].items():
            context[f"inputs.{name}"] = self.inputs.get(name, str(spec.get("default", "")))
        return context

    def env(self) -> dict[str, str]:
        base = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("GHTRAFFIC_", "GITHUB_", "GH_", "RUNNER_", "GIT_"))
        }
        shims = _shims(self.temp / "bin")
        if base.get("PYTHONPATH"):  # the steps run elsewhere: as absolute paths
            paths = base["PYTHONPATH"].split(os.pathsep)
            base["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve()) for p in paths if p)
        return {
            **base,
            "PATH": f"{shims}{os.pathsep}{base.get('PATH', '')}",
            "HOME": str(self.temp / "home"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_API_URL": self.api_url,
            "GITHUB_OUTPUT": str(self.output_file),
            "RUNNER_TEMP": str(self.temp),
            **self.extra_env,
        }

    def script(self) -> Path:
        """The run as one bash script: each ``run:`` step in a bash of its own, with its
        environment; the first failing step ends it with its exit code."""
        self.temp.mkdir(parents=True, exist_ok=True)
        (self.temp / "home").mkdir(exist_ok=True)
        context = self.context()
        lines = ["#!/usr/bin/env bash", "set -e", f"cd {shlex.quote(str(self.workspace))}"]
        steps = action()["runs"]["steps"]
        for step in steps:
            if "uses" in step:
                continue
            assert step.get("shell") == "bash", step
            env = {**self.env()}
            env |= {key: resolve(str(value), context) for key, value in step.get("env", {}).items()}
            script = resolve(step["run"], context)
            exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
            lines.append(f"env -i {exports} bash -e -o pipefail -c {shlex.quote(script)}")
        path = self.temp / "run-action.sh"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def run(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(self.script())],
            cwd=self.workspace,
            capture_output=True,
            text=True,
            check=False,
            timeout=180,
        )

    def outputs(self) -> dict[str, str]:
        if not self.output_file.exists():
            return {}
        pairs = (line.split("=", 1) for line in self.output_file.read_text().splitlines())
        return {key: value for key, value in pairs}
