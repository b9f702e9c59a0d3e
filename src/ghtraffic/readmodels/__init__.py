"""What the dashboard, the JSON API, badges and the static report read: traffic series
(daily, weekly, monthly, summed across repositories), stars and forks over time, GitHub's
window totals, referrers and popular content, spike events, roll-ups.

Plain functions over a session or a ``Database``, returning small frozen values; callers
pass repository ids already filtered by ``identity.permissions``.
"""
