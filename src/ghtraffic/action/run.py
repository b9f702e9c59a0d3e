"""One run of the action: the data branch in, a collection, the data branch out.

1. The data branch is checked out in a worktree (an orphan branch on the first run) and
   its text form merged into a fresh SQLite archive in the runner's temporary folder.
2. On the first run (no text form yet), a github-repo-stats data branch, when named, is
   imported with the ``github-repo-stats`` importer.
3. ``ghtraffic collect`` runs in a process of its own, the credential in its environment
   only (never on a command line, never printed), in the workspace (so a
   ``ghtraffic.toml`` there applies).
4. The archive is written back as text, the report built (and committed, if asked), and
   the change committed and pushed. A push the remote rejects because the branch moved
   is answered by fetching it, merging its text form into the archive (the archive's
   rules: nothing either run read is lost), writing, committing and pushing again, at
   most ``retries`` times.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from ghtraffic.action.dump import dump
from ghtraffic.action.git import DataBranch, GitError
from ghtraffic.action.load import load
from ghtraffic.action.settings import ActionSettings
from ghtraffic.history.identity import adopt_imported
from ghtraffic.history.importers import ImportFailure, Target, read_path
from ghtraffic.history.load import apply_import
from ghtraffic.storage.archive import Archive, open_archive
from ghtraffic.storage.urls import sqlite_url

Echo = Callable[[str], None]
#: ``ghtraffic collect``'s exit code for a usage error or a token GitHub rejects.
EXIT_USAGE = 2
REPORT_IN_BRANCH = "report"


class ActionError(Exception):
    """A run that cannot go on; the message is one line saying why and what to do."""


def run_action(settings: ActionSettings, env: Mapping[str, str], echo: Echo) -> int:
    """Carry out one run; returns the collection's exit code (0, 1: some failed, 2: a
    usage error or a rejected token, and then nothing is committed)."""
    work = settings.work_dir
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    database_url = sqlite_url(work / "archive.sqlite")
    archive = open_archive(database_url)
    data = DataBranch(settings.workspace, settings.remote, settings.branch, work / "data")
    existed = data.check_out()
    try:
        restored = load(archive, data.path, _now())
        if existed:
            echo(f"restored {restored.repos} repositories from the branch {settings.branch}")
        else:
            echo(f"the branch {settings.branch} does not exist yet: this run starts it")
        if settings.import_branch and restored.repos == 0:
            _import_repo_stats(settings, archive, work, echo)
        code = _collect(settings, env, database_url, work)
        if code == EXIT_USAGE:  # a rejected token or setting: nothing was read
            echo(f"nothing collected: nothing is committed to {settings.branch}")
            return code
        with archive.db.session() as session:  # imported history onto the collected repository
            adopt_imported(session, _now())
        _publish(settings, archive, data, echo, env)
        return code
    finally:
        data.remove()


def _now() -> datetime:
    return datetime.now(UTC)


def _import_repo_stats(settings: ActionSettings, archive: Archive, work: Path, echo: Echo) -> None:
    """Import the github-repo-stats data branch (its ``OWNER/REPO/ghrs-data`` folders)."""
    assert settings.import_branch is not None
    source = DataBranch(settings.workspace, settings.remote, settings.import_branch, work / "ghrs")
    if source.fetch() is None:
        raise ActionError(
            f"the github-repo-stats branch {settings.import_branch} is not on"
            f" {settings.remote}: check the import-github-repo-stats input"
        )
    source.check_out()
    try:
        data, _ = read_path(source.path, "github-repo-stats", Target())
    except ImportFailure as exc:
        raise ActionError(f"cannot import {settings.import_branch}: {exc}") from None
    finally:
        source.remove()
    report = apply_import(archive, data, _now())
    echo(
        f"imported github-repo-stats from {settings.import_branch}: {len(report.repos)}"
        f" repositories, {report.added} days added, {len(report.rejected)} rows rejected"
    )


def collect_env(
    settings: ActionSettings, env: Mapping[str, str], database_url: str
) -> dict[str, str]:
    """The collection's environment: the runner's, less any token or setting of the action,
    with the archive and the credential of the inputs."""
    child = {
        key: value
        for key, value in env.items()
        if key not in ("GITHUB_TOKEN", "GH_TOKEN", "GHTRAFFIC_TOKEN")
        and not key.startswith("GHTRAFFIC_ACTION_")
    }
    child["GHTRAFFIC_DATABASE_URL"] = database_url
    child["GHTRAFFIC_HOME"] = str(settings.work_dir / "home")
    if settings.token is not None:
        child["GHTRAFFIC_TOKEN"] = settings.token.get_secret_value()
    return child


def _collect(
    settings: ActionSettings, env: Mapping[str, str], database_url: str, work: Path
) -> int:
    args = [sys.executable, "-m", "ghtraffic", "collect"]
    for name in settings.repos:
        args += ["--repo", name]
    for owner in settings.owners:
        args += ["--owner", owner]
    if settings.read_all:
        args.append("--all")
    key_file = work / "app-key.pem"
    if settings.app_id is not None and settings.app_key is not None:
        key_file.touch(mode=0o600)
        key_file.write_text(settings.app_key.get_secret_value() + "\n", encoding="utf-8")
        args += ["--app-id", settings.app_id, "--app-key-file", str(key_file)]
    try:
        done = subprocess.run(
            args, env=collect_env(settings, env, database_url), cwd=settings.workspace, check=False
        )
    finally:
        key_file.unlink(missing_ok=True)
    return done.returncode


def _write(settings: ActionSettings, archive: Archive, data: DataBranch, echo: Echo) -> None:
    """The text form into the worktree, and the report where it is asked for."""
    written = dump(archive, data.path)
    echo(
        f"wrote {written.repos} repositories as text: {len(written.written)} files changed,"
        f" {len(written.removed)} removed"
    )
    if settings.report or settings.commit_report:
        from ghtraffic.report import ReportError, load_report, write_site

        report = load_report(archive)
        targets = [settings.report_dir] if settings.report else []
        if settings.commit_report:
            in_branch = data.path / REPORT_IN_BRANCH
            shutil.rmtree(in_branch, ignore_errors=True)
            targets.append(in_branch)
        for target in targets:
            try:
                write_site(report, target)
            except ReportError as exc:
                raise ActionError(str(exc)) from None
        if settings.report:
            echo(f"report written to {settings.report_dir}")


def _publish(
    settings: ActionSettings, archive: Archive, data: DataBranch, echo: Echo, env: Mapping[str, str]
) -> None:
    """Write, commit and push; on a rejected push merge the remote's branch and retry."""
    message = f"Traffic collected on {_now().date().isoformat()}"
    for attempt in range(settings.retries + 1):
        _write(settings, archive, data, echo)
        commit = data.commit(message)
        if commit is None:  # the branch as checked out or fetched holds everything already
            echo(f"nothing new: the branch {settings.branch} is left as it was")
            _outputs(env, settings, None)
            return
        why = data.push()
        if why is None:
            echo(f"pushed {commit} to {settings.branch}")
            _outputs(env, settings, commit)
            return
        before = data.git.revision(data.tracking)
        after = data.fetch()
        if after is None or after == before:
            raise GitError(f"git push to {settings.branch} failed: {why}")
        if attempt == settings.retries:
            break
        echo(f"the branch {settings.branch} moved while this run collected: merging it")
        data.reset_to_remote()
        load(archive, data.path, _now())
    raise ActionError(
        f"the branch {settings.branch} kept moving: pushed nothing after"
        f" {settings.retries} retries; the next run collects again"
    )


def _outputs(env: Mapping[str, str], settings: ActionSettings, commit: str | None) -> None:
    """The step's outputs, for the workflow (``$GITHUB_OUTPUT``)."""
    path = env.get("GITHUB_OUTPUT")
    if not path:
        return
    lines = [f"data-commit={commit or ''}"]
    if settings.report:
        lines.append(f"report-dir={settings.report_dir}")
    with Path(path).open("a", encoding="utf-8") as stream:
        stream.write("".join(line + "\n" for line in lines))
