"""What the dashboard, the JSON API, badges and the static report read: traffic series
(daily, weekly, monthly, summed across repositories: ``series``), stars, forks, watchers,
open issues and GitHub's 14-day and weekly uniques over time (``levels``), where each
repository's archive starts (``coverage``), referrers and popular content (``popular``)
and their history (``popular_history``), release downloads (``downloads``), spike events
(``events``) and the events page's timeline of spikes and failed collections
(``timeline``), repositories side by side (``compare``), roll-ups, and the chart blocks
the dashboard and the report draw (``chartdata``).

Plain functions over a session or a ``Database``, returning small frozen values; callers
pass repository ids already filtered by ``identity.permissions``.
"""
