"""The report's files and figures: what a reader sees matches the archive."""

from __future__ import annotations

import json
import re
import tomllib
from html import unescape
from pathlib import Path

from ghtraffic.report import load_report, write_site
from ghtraffic.storage.archive import Archive
from ghtraffic.web.headers import CSP
from ghtraffic.web.vendor import VENDOR_DIR, VENDOR_FILES
from tests.cli.helpers import clean_env, error_line, run_cli
from tests.report.conftest import XSS, Seeded


def _cell(html: str, repo: str, metric: str) -> int:
    row = re.search(rf'<tr data-name="[^"]*" data-repo="{re.escape(repo)}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {repo}"
    cell = re.search(rf'data-metric="{metric}">([^<]*)<', row.group(1))
    assert cell
    return int(cell.group(1).replace(",", ""))


def _kpi(html: str, label: str) -> str:
    found = re.search(rf'data-kpi="{re.escape(label)}">([^<]*)<', html)
    assert found, label
    return found.group(1)


def _embedded(html: str) -> dict[str, object]:
    block = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S
    )
    assert block
    data: dict[str, object] = json.loads(block.group(1))
    return data


def test_the_report_folder_holds_an_index_a_page_per_repo_and_the_chart_files(
    seeded: Seeded,
) -> None:
    out = seeded.out
    names = sorted(r.full_name for r in seeded.archive.status(seeded.data.generated_at).repos)
    assert len(names) == 4
    assert (out / "index.html").is_file()
    for name in names:
        assert (out / "repos" / f"{name}.html").is_file(), name
    for name in VENDOR_FILES:
        assert (out / "assets" / name).read_bytes() == (VENDOR_DIR / name).read_bytes()
    assert (out / "assets" / "report.js").is_file()
    assert (out / "assets" / "report.css").is_file()
    for page in seeded.pages:
        html = page.read_text(encoding="utf-8")
        # every reference is relative and stays inside the folder: no server, no CDN
        for ref in re.findall(r'(?:src|href)="([^"]*)"', html):
            if ref == "data:,":
                continue
            assert not re.match(r"[a-z]+:", ref), (page, ref)
            assert (page.parent / ref).resolve().is_relative_to(out.resolve()), (page, ref)
            assert (page.parent / ref).is_file(), (page, ref)
        assert "fetch(" not in html
    script = (out / "assets" / "report.js").read_text(encoding="utf-8")
    assert "fetch(" not in script
    assert "XMLHttpRequest" not in script


def test_each_repos_total_views_and_clones_equal_the_archives_sums(seeded: Seeded) -> None:
    index = (seeded.out / "index.html").read_text(encoding="utf-8")
    grand_views = 0
    for status in seeded.archive.status(seeded.data.generated_at).repos:
        rows = list(seeded.archive.export_daily(status.full_name))
        views = sum(r.views or 0 for r in rows)
        clones = sum(r.clones or 0 for r in rows)
        assert views > 0
        assert _cell(index, status.full_name, "views") == views
        assert _cell(index, status.full_name, "clones") == clones
        page = (seeded.out / "repos" / f"{status.full_name}.html").read_text(encoding="utf-8")
        assert _kpi(page, "Views") == f"{views:,}"
        assert _kpi(page, "Clones") == f"{clones:,}"
        daily = _embedded(page)["daily"]
        assert isinstance(daily, dict)
        assert sum(v or 0 for v in daily["series"]["views"]) == views
        assert len(daily["days"]) >= status.days_archived
        grand_views += views
    assert _kpi(index, "Views") == f"{grand_views:,}"
    combined = _embedded(index)["combined"]
    assert isinstance(combined, dict)
    assert sum(v or 0 for v in combined["series"]["views"]) == grand_views


def test_a_repo_page_shows_weeks_stars_lists_and_the_lost_days(seeded: Seeded) -> None:
    report = seeded.archive.status(seeded.data.generated_at)
    status = report.repos[0]
    assert status.lost_count > 0  # the 20-day gap between collections lost days
    html = (seeded.out / "repos" / f"{status.full_name}.html").read_text(encoding="utf-8")
    assert f'data-lost="{status.lost_count}"' in html
    assert status.lost_days[0].isoformat() in html
    charts = _embedded(html)
    weekly = charts["weekly"]
    assert isinstance(weekly, dict)
    assert weekly["days"]
    assert any(v is not None for v in weekly["series"]["views_unique"])
    stars = charts["stars"]
    assert isinstance(stars, dict)
    assert len(stars["days"]) == len(stars["series"]["stars"]) >= 5
    assert "Top referrers" in html
    assert 'id="referrers"' in html
    assert (
        '<table class="data list">' in html.split('id="referrers"', 1)[1].split("</section>", 1)[0]
    )
    assert '<table class="data list">' in html.split('id="paths"', 1)[1].split("</section>", 1)[0]


def test_untrusted_text_is_escaped_in_the_html(seeded: Seeded) -> None:
    page = (seeded.out / "repos" / f"{seeded.hostile}.html").read_text(encoding="utf-8")
    index = (seeded.out / "index.html").read_text(encoding="utf-8")
    for html in (page, index):
        assert XSS not in html
        assert "&lt;script&gt;alert(" in html
        assert "<img src=x" not in html
    assert unescape(page).count(XSS) >= 2  # the description and a path title


def test_since_and_repo_narrow_the_report(seeded: Seeded, tmp_path: Path) -> None:
    name = seeded.data.pages[-1].repo.full_name
    last = seeded.data.until
    assert last is not None
    since = last.replace(day=1) if last.day > 7 else last
    data = load_report(seeded.archive, [name.upper()], since)
    assert [p.repo.full_name for p in data.pages] == [name]
    write_site(data, tmp_path)
    html = (tmp_path / "repos" / f"{name}.html").read_text(encoding="utf-8")
    rows = [r for r in seeded.archive.export_daily(name) if r.day >= since]
    assert _kpi(html, "Views") == f"{sum(r.views or 0 for r in rows):,}"
    assert all(day >= since.isoformat() for day in _days(html))
    assert not (tmp_path / "repos" / f"{seeded.data.pages[0].repo.full_name}.html").exists()


def _days(html: str) -> list[str]:
    daily = _embedded(html)["daily"]
    assert isinstance(daily, dict)
    days: list[str] = daily["days"]
    return days


def test_the_command_writes_the_report_and_refuses_an_unknown_repo(
    seeded: Seeded, tmp_path: Path
) -> None:
    url = seeded.archive.db.url.render_as_string(hide_password=False)
    env = clean_env(tmp_path / "home")
    out = tmp_path / "site"
    done = run_cli(["report", "--out", str(out), "--database-url", url], env=env, cwd=tmp_path)
    assert done.code == 0, done
    assert "4 repositories" in done.stdout
    assert (out / "index.html").is_file()
    assert len(list((out / "repos").rglob("*.html"))) == 4
    bad = run_cli(
        ["report", "--out", str(out), "--repo", "nobody/nothing", "--database-url", url],
        env=env,
        cwd=tmp_path,
    )
    assert "nobody/nothing" in error_line(bad, 2)


def test_pdf_without_chromium_is_one_error_line_and_exit_1(seeded: Seeded, tmp_path: Path) -> None:
    url = seeded.archive.db.url.render_as_string(hide_password=False)
    env = clean_env(tmp_path / "home", GHTRAFFIC_CHROMIUM=str(tmp_path / "no-chromium"))
    out = tmp_path / "site"
    done = run_cli(
        ["report", "--out", str(out), "--pdf", "--database-url", url], env=env, cwd=tmp_path
    )
    assert error_line(done, 1) == (
        f"error: PDFs need Chromium, which is missing at {tmp_path / 'no-chromium'}: install "
        "chromium or set GHTRAFFIC_CHROMIUM to its path (or leave out --pdf)"
    )
    assert not out.exists(), "nothing is written before the command fails"


def test_pdf_without_playwright_names_the_extra_to_install(seeded: Seeded, tmp_path: Path) -> None:
    # An installation without the ``pdf`` extra: ``import playwright`` fails.
    absent = tmp_path / "without-playwright"
    (absent / "playwright").mkdir(parents=True)
    (absent / "playwright" / "__init__.py").write_text(
        'raise ImportError("No module named playwright")\n'
    )
    url = seeded.archive.db.url.render_as_string(hide_password=False)
    env = clean_env(tmp_path / "home", PYTHONPATH=str(absent))
    out = tmp_path / "site"
    done = run_cli(
        ["report", "--out", str(out), "--pdf", "--database-url", url], env=env, cwd=tmp_path
    )
    assert error_line(done, 1) == (
        "error: PDFs need Playwright, which is not installed: pip install 'ghtraffic[pdf]' "
        "(or leave out --pdf)"
    )
    assert not out.exists()


def test_the_pdf_extra_is_declared() -> None:
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    extra = pyproject["project"]["optional-dependencies"]["pdf"]
    assert any(requirement.startswith("playwright") for requirement in extra)


def test_an_empty_archive_gives_an_index_that_says_what_to_do(
    archive: Archive, tmp_path: Path
) -> None:
    pages = write_site(load_report(archive), tmp_path)
    assert pages == [tmp_path / "index.html"]
    html = pages[0].read_text(encoding="utf-8")
    assert "Nothing archived yet" in html
    assert _kpi(html, "Repositories") == "0"


def test_every_page_carries_the_dashboards_content_security_policy(seeded: Seeded) -> None:
    pages = [seeded.out / "index.html", *(seeded.out / "repos").rglob("*.html")]
    assert len(pages) == 5
    for page in pages:
        found = re.search(
            r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">',
            page.read_text(encoding="utf-8"),
        )
        assert found, page
        policy = unescape(found.group(1))
        assert policy == CSP.replace("; frame-ancestors 'none'", "")
        assert "unsafe-inline" not in policy
