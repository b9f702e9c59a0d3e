"""Errors a person understands: one line naming what to do, the documented exit code, no
traceback; warnings that do not stop the command; no noise when input is piped."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import HEADER, Result, clean_env, error_line, run_cli

SUPPORTED = "use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"


def _run(tmp_path: Path, *args: str, stdin: str | None = None) -> Result:
    return run_cli(list(args), env=clean_env(tmp_path / "home"), cwd=tmp_path, stdin=stdin)


@pytest.mark.parametrize(
    ("toml", "command", "expected"),
    [
        pytest.param(
            "concurency = 3\n",
            ["status"],
            "concurency is not a setting (did you mean concurrency?)",
            id="top-level",
        ),
        pytest.param(
            '[collect]\nowner = ["acme"]\n',
            ["status"],
            "collect.owner is not a setting (did you mean owners?)",
            id="collect",
        ),
        pytest.param(
            '[[credentials]]\nname = "main"\ntokn_env = "T"\n',
            ["status"],
            "credentials.0.tokn_env is not a setting (did you mean token_env?)",
            id="credentials",
        ),
        pytest.param(
            "[web]\nsecure_cookie = false\n",
            ["serve", "--no-scheduler"],
            "[web] secure_cookie is not a setting (did you mean secure_cookies?)",
            id="web",
        ),
        pytest.param(
            "[colect]\n",
            ["status"],
            "colect is not a setting (did you mean collect?)",
            id="table",
        ),
    ],
)
def test_an_unknown_key_names_the_nearest_known_one(
    tmp_path: Path, toml: str, command: list[str], expected: str
) -> None:
    config = tmp_path / "ghtraffic.toml"
    config.write_text(toml, encoding="utf-8")
    line = error_line(_run(tmp_path, *command, "--config", str(config)), 2)
    prefix = "error: ghtraffic.toml: " if "[web]" in expected else f"error: {config}: "
    assert line == prefix + expected


def test_an_unknown_key_far_from_any_lists_the_known_ones(tmp_path: Path) -> None:
    config = tmp_path / "ghtraffic.toml"
    config.write_text("[schedule]\nwhenever = 1\n", encoding="utf-8")
    line = error_line(_run(tmp_path, "serve", "--no-scheduler", "--config", str(config)), 2)
    assert line == (
        "error: ghtraffic.toml: [schedule] whenever is not a setting "
        "(known: cron, top_up, catch_up_hours)"
    )


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (
            ["status", "--database-url", "mysql://traffic:s3cret@db.internal/traffic"],
            "mysql://traffic:***@db.internal/traffic is not supported (mysql)",
        ),
        (
            ["status", "--database-url", "postgresql+psycopg2://u:s3cret@h/db"],
            "postgresql+psycopg2://u:***@h/db is not supported (postgresql+psycopg2)",
        ),
        (
            ["db", "copy", "--from", "mysql://traffic:s3cret@db/t", "--to", "sqlite:///x.db"],
            "mysql://traffic:***@db/t is not supported (mysql)",
        ),
    ],
)
def test_an_unsupported_database_says_which_are_supported(
    tmp_path: Path, args: list[str], shown: str
) -> None:
    result = _run(tmp_path, *args)
    assert error_line(result, 2) == f"error: the database URL {shown}: {SUPPORTED}"
    assert "s3cret" not in result.stderr + result.stdout
    assert not (tmp_path / "x.db").exists()


def test_a_database_url_that_is_no_url_is_not_echoed(tmp_path: Path) -> None:
    result = _run(tmp_path, "status", "--database-url", "traffic:s3cret@db.internal")
    assert error_line(result, 2) == f"error: the database URL is not a URL: {SUPPORTED}"
    assert "s3cret" not in result.stderr


def test_plain_postgresql_urls_use_psycopg(tmp_path: Path) -> None:
    from ghtraffic.config import check_database_url

    assert check_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert check_database_url("sqlite:///a.sqlite") == "sqlite:///a.sqlite"


def test_a_grant_of_what_the_archive_does_not_hold_warns(tmp_path: Path) -> None:
    assert (
        _run(tmp_path, "user", "add", "bob", "--password-stdin", stdin="a long password\n").code
        == 0
    )
    source = tmp_path / "daily.csv"
    source.write_text(f"{HEADER}\nacme/rocket,2026-01-01,5,3,1,1\n", encoding="utf-8")
    assert _run(tmp_path, "import", "auto", str(source)).code == 0
    held = _run(tmp_path, "user", "grant", "bob", "ACME")
    assert (held.code, held.stdout.strip(), held.stderr) == (0, "bob may see acme", "")
    for target, what in (
        ("acne", "repository of acne"),
        ("acme/rockett", "repository acme/rockett"),
    ):
        missing = _run(tmp_path, "user", "grant", "bob", target)
        assert missing.code == 0
        assert missing.stdout.strip() == f"bob may see {target}"
        assert missing.stderr_lines == [
            f"warning: the archive holds no {what} yet: the grant takes effect once one is "
            "collected or imported (check the spelling)"
        ]


def test_a_piped_password_is_read_without_a_prompt_or_warning(tmp_path: Path) -> None:
    added = _run(tmp_path, "user", "add", "carol", stdin="a long password\n")
    assert added.code == 0, added
    assert added.stdout.strip() == "added viewer carol"
    assert added.stderr == ""
    changed = _run(tmp_path, "user", "password", "carol", stdin="another long one\n")
    assert changed.code == 0, changed
    assert changed.stderr == ""
