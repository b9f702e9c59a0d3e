"""The change feed, the collector hooks (never breaking collection) and the settings."""

from __future__ import annotations

import logging

import pytest
from alembic import command
from sqlalchemy import inspect

from ghtraffic.config import ConfigError, Settings
from ghtraffic.domain import RepoOutcome
from ghtraffic.processing import Processor, changes_since, latest_change_id
from ghtraffic.processing.config import parse_processing_settings
from ghtraffic.storage.archive import Archive
from ghtraffic.storage.database import Database
from ghtraffic.storage.migrate import alembic_config
from tests.processing.helpers import Recorder, at, collect, day, new_repo, processor


def test_the_feed_lists_changes_in_order_and_forgets_old_ones(
    archive: Archive, db: Database
) -> None:
    a, b = new_repo(archive), new_repo(archive)
    proc = processor(db)
    assert latest_change_id(db) == 0
    proc.process_repo(a, collect(archive, a, day(15), {day(i): 10 for i in range(1, 15)}))
    mark = latest_change_id(db)
    proc.process_repo(b, collect(archive, b, day(15), {day(i): 10 for i in range(1, 15)}))
    proc.on_committed(RepoOutcome("acme/broken", "failed", reason="HTTP 502"))

    first = changes_since(db, 0)
    assert [(c.kind, c.repo_id) for c in first] == [("traffic", a), ("traffic", b), ("run", None)]
    assert [c.id for c in changes_since(db, mark)] == [c.id for c in first[1:]]
    assert [c.id for c in changes_since(db, 0, limit=1)] == [first[0].id]
    assert changes_since(db, first[-1].id) == []

    # A week later the old rows are gone, the new one is there.
    proc.process_repo(a, at(day(23)))
    assert [(c.kind, c.at) for c in changes_since(db, 0)] == [("traffic", at(day(23)))]


def test_a_processing_job_run_again_after_its_commit_does_nothing(
    archive: Archive, db: Database
) -> None:
    # A worker killed between the commit and marking its job done: the queue runs the
    # same job again. The repository is processed (and announced) once.
    repo_id = new_repo(archive)
    channel = Recorder()
    proc = processor(db, transports=[channel])
    days = {day(i): 10 for i in range(1, 14)} | {day(14): 400}
    now = collect(archive, repo_id, day(15), days)
    first = proc.process_repo(repo_id, now, job_id=41)
    again = proc.process_repo(repo_id, now, job_id=41)
    older = proc.process_repo(repo_id, now, job_id=40)
    assert (first.already_done, again.already_done, older.already_done) == (False, True, True)
    assert [c.kind for c in changes_since(db, 0)] == ["traffic", "event"]
    assert len(channel.sent) == 1

    # The next job of the repository is processed as usual.
    later = collect(archive, repo_id, day(16), {day(15): 12})
    assert not proc.process_repo(repo_id, later, job_id=57).already_done
    assert [c.kind for c in changes_since(db, 0)] == ["traffic", "event", "traffic"]


def test_the_commit_hook_processes_and_never_raises(
    archive: Archive,
    db: Database,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo_id = new_repo(archive)
    now = collect(archive, repo_id, day(15), {day(i): 10 for i in range(1, 15)})
    proc = processor(
        db,
        notifications={
            "smtp_host": "mail.invalid",
            "smtp_user": "me",
            "smtp_password_env": "PW",
            "email_from": "a@b.c",
            "email_to": ["d@e.f"],
        },
        env={"PW": "hunter2-very-secret"},
    )
    proc.on_committed(RepoOutcome("acme/x", "ok", repo_id=repo_id, finished_at=now))
    assert [c.kind for c in changes_since(db, 0)] == ["traffic"]

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database said: password hunter2-very-secret rejected\nsecond line")

    monkeypatch.setattr(proc, "process_repo", broken)
    with caplog.at_level(logging.DEBUG):
        proc.on_committed(RepoOutcome("acme/x", "ok", repo_id=repo_id, finished_at=now))
    assert len(caplog.records) == 1
    line = caplog.records[0].getMessage()
    assert "acme/x" in line
    assert "RuntimeError" in line
    assert "hunter2" not in caplog.text
    assert "\n" not in line


def test_failed_repositories_are_notified_once_a_day(archive: Archive, db: Database) -> None:
    channel = Recorder()
    proc = processor(db, transports=[channel])
    failed = RepoOutcome("acme/gone", "failed", reason="repository not found")
    proc.on_result(failed)
    proc.on_result(RepoOutcome("acme/fine", "ok", repo_id=1))
    proc.on_result(RepoOutcome("acme/later", "deferred"))
    proc.close()
    proc.record_failure(failed, at(day(0), 23))  # the same UTC day: no second message
    assert [m.kind for m in channel.sent] == ["collection_failed"]
    assert channel.sent[0].data["repo"] == "acme/gone"
    assert "repository not found" in channel.sent[0].text
    proc.record_failure(failed, at(day(1)))
    assert len(channel.sent) == 2


def test_disabled_processing_does_nothing(archive: Archive, db: Database) -> None:
    repo_id = new_repo(archive)
    now = collect(archive, repo_id, day(15), {day(i): 10 for i in range(1, 15)})
    proc = processor(db, {"enabled": False})
    proc.on_committed(RepoOutcome("acme/x", "ok", repo_id=repo_id, finished_at=now))
    assert changes_since(db, 0) == []


@pytest.mark.parametrize(
    ("processing", "notifications", "env", "message"),
    [
        ({"spike_k": 0}, {}, {}, "[processing] spike_k"),
        ({"spike_min_history": 40}, {}, {}, "spike_min_history"),
        ({"nope": 1}, {}, {}, "[processing] nope"),
        ({}, {"smtp_password": "x"}, {}, "smtp_password_env"),
        ({}, {"smtp_host": "h"}, {}, "email_from and email_to"),
        ({}, {"webhook_url": "ftp://x"}, {}, "http:// or https://"),
        ({}, {"webhook_url_env": "HOOK"}, {}, "HOOK"),
        (
            {},
            {
                "smtp_host": "h",
                "email_from": "a@b",
                "email_to": ["c@d"],
                "smtp_user": "u",
                "smtp_password_env": "PW",
            },
            {},
            "PW",
        ),
    ],
)
def test_bad_settings_are_one_line_config_errors(
    db: Database,
    processing: dict[str, object],
    notifications: dict[str, object],
    env: dict[str, str],
    message: str,
) -> None:
    settings = Settings(sections={"processing": processing, "notifications": notifications})
    with pytest.raises(ConfigError) as info:
        Processor(db, settings, env=env)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert "ftp://x" not in str(info.value)


def test_defaults() -> None:
    settings = parse_processing_settings({})
    assert (settings.spike_k, settings.spike_min, settings.spike_history) == (3.5, 20, 28)
    assert settings.feed_keep_days == 7


def test_the_migration_goes_down_and_up_again(db: Database) -> None:
    tables = {
        "rollups_repo",
        "rollups_group",
        "traffic_events",
        "notification_deliveries",
        "data_changes",
        "processing_state",
    }
    with db.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0001")
    assert not tables & set(inspect(db.engine).get_table_names())
    with db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    assert tables <= set(inspect(db.engine).get_table_names())
