"""``action.yml`` and the example workflow: valid for GitHub (the schemas that
check-jsonschema ships, offline), and written so that no input reaches a script's text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .runner import ACTION, EXPRESSION, ROOT, action

WORKFLOW = ROOT / "docs" / "action-workflow.yml"
GUIDE = ROOT / "docs" / "ACTION.md"
SETTINGS = ROOT / "src" / "ghtraffic" / "action" / "settings.py"


@pytest.mark.parametrize(
    ("path", "schema"),
    [(ACTION, "vendor.github-actions"), (WORKFLOW, "vendor.github-workflows")],
)
def test_valid_for_github(path: Path, schema: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _steps() -> list[dict[str, Any]]:
    document = action()
    assert document["runs"]["using"] == "composite"
    steps = document["runs"]["steps"]
    assert isinstance(steps, list)
    return steps


def test_no_expression_in_a_script_and_secrets_only_in_env() -> None:
    scripts = [step for step in _steps() if "run" in step]
    assert scripts
    for step in scripts:
        assert step["shell"] == "bash"
        assert not EXPRESSION.search(step["run"]), step["run"]
    text = ACTION.read_text(encoding="utf-8")
    for secret in ("inputs.token", "inputs.app-private-key"):
        lines = [line.strip() for line in text.splitlines() if secret in line]
        assert len(lines) == 1, lines
        assert lines[0].startswith("GHTRAFFIC_ACTION_"), lines


def test_it_installs_itself_and_runs_the_command() -> None:
    steps = _steps()
    assert steps[0]["uses"].startswith("actions/setup-python@")
    install = steps[1]
    assert install["env"]["GHTRAFFIC_SOURCE"] == "${{ github.action_path }}"
    assert (
        install["run"].strip()
        == 'pip install --quiet --disable-pip-version-check "$GHTRAFFIC_SOURCE"'
    )
    assert steps[-1]["run"].strip() == "ghtraffic action run"


def test_every_input_reaches_a_setting_the_command_reads() -> None:
    document = action()
    env = _steps()[-1]["env"]
    used = {match for value in env.values() for match in EXPRESSION.findall(str(value))}
    steps_inputs = {f"inputs.{name}" for name in document["inputs"]}
    assert steps_inputs - used == {"inputs.python-version"}
    read = SETTINGS.read_text(encoding="utf-8")
    for name in env:
        if name.startswith("GHTRAFFIC_ACTION_"):
            assert f'"{name.removeprefix("GHTRAFFIC_ACTION_")}"' in read, name


def test_the_workflow_runs_daily_and_on_demand_with_write_access() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key "on" as true
    assert "schedule" in triggers
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "write"}
    assert workflow["jobs"]["pages"]["permissions"] == {"pages": "write", "id-token": "write"}


@pytest.mark.parametrize("document", [GUIDE, ROOT / "README.md"], ids=lambda p: p.name)
def test_the_docs_show_the_example_workflow_as_it_is(document: Path) -> None:
    assert WORKFLOW.read_text(encoding="utf-8") in document.read_text(encoding="utf-8")
