"""Writing the report folder: pages from the templates, the chart library, own assets."""

from __future__ import annotations

import shutil
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from ghtraffic.report.data import ReportData
from ghtraffic.web.headers import CSP_DIRECTIVES
from ghtraffic.web.templating import when
from ghtraffic.web.vendor import STATIC_DIR, VENDOR_DIR, VENDOR_FILES, missing, missing_message

#: The dashboard's Content-Security-Policy, as a ``<meta>`` tag can carry it (which
#: ignores ``frame-ancestors``): scripts, styles and images only from the report's folder.
META_CSP = "; ".join(d for d in CSP_DIRECTIVES if not d.startswith("frame-ancestors"))

OWN_DIR = Path(__file__).parent / "static"
OWN_FILES = ("report.js", "report.css")
#: The dashboard's chart drawing, the same in the report.
SHARED_FILES = ("charts.js", "charts.css")


class ReportError(Exception):
    """The report cannot be written; the message says what to do."""


def number(value: int | None) -> str:
    """Every digit, grouped: a report is read for exact figures."""
    return "–" if value is None else f"{value:,}"


def environment() -> Environment:
    """Templates with autoescaping everywhere: names, descriptions and titles come from
    GitHub and are untrusted."""
    env = Environment(
        loader=PackageLoader("ghtraffic.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number"] = number
    env.filters["when"] = when
    env.globals["csp"] = META_CSP
    return env


def _copy_assets(target: Path) -> None:
    names = missing()
    if names:
        raise ReportError(missing_message(names))
    target.mkdir(parents=True, exist_ok=True)
    for name in VENDOR_FILES:
        shutil.copyfile(VENDOR_DIR / name, target / name)
    for name in OWN_FILES:
        shutil.copyfile(OWN_DIR / name, target / name)
    for name in SHARED_FILES:
        shutil.copyfile(STATIC_DIR / name, target / name)


def _root(path: str) -> str:
    """The relative way from a page back to the report's folder."""
    return "../" * path.count("/")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_site(data: ReportData, out: Path) -> list[Path]:
    """Write ``index.html``, one page per repository and ``assets/`` into ``out``.

    Returns the pages written, the index first. Files of earlier reports that this one
    does not rewrite are left alone.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        _copy_assets(out / "assets")
        env = environment()
        written = [out / "index.html"]
        _write(
            written[0],
            env.get_template("index.html").render(
                data=data, root="", charts={"combined": data.chart}
            ),
        )
        page_template = env.get_template("repo.html")
        for page in data.pages:
            target = out / page.path
            _write(
                target,
                page_template.render(
                    data=data, page=page, root=_root(page.path), charts=page.chart
                ),
            )
            written.append(target)
    except OSError as exc:
        where = exc.filename or out
        raise ReportError(f"cannot write the report into {where}: {exc.strerror}") from None
    return written
