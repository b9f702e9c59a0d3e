"""The static report: ``ghtraffic report`` writes the archive as a folder of HTML pages.

It owns reading the archive into the figures the pages show (``data.py``), rendering
them with Jinja2 into ``index.html`` and one ``repos/OWNER/NAME.html`` per repository,
with the chart library copied from ``ghtraffic.web``'s built assets and the report's own
script and stylesheet into ``assets/`` (``site.py``), and printing the pages to PDF
through the system Chromium (``pdf.py``).

Every page carries its chart data inline, in a ``<script type="application/json">``
block, so the site works from ``file://`` and on any static host without a network.
"""

from ghtraffic.report.data import RepoPage, ReportData, load_report
from ghtraffic.report.site import ReportError, write_site

__all__ = ["RepoPage", "ReportData", "ReportError", "load_report", "write_site"]
