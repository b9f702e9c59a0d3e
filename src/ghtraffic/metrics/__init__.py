"""Prometheus metrics of a ghtraffic process (``serve``, the ASGI factory, ``worker``).

Figures read from the archive when scraped (``figures.py``, kept for ``cache_seconds``;
exposed by ``collector.py``): the last run and the last successful one, the rate limit
left per credential (by name), the queue's depth on PostgreSQL; and, counted in the
background every ``status_seconds`` (``coverage.py``), repositories at risk and days
lost as ``ghtraffic status`` counts them. Counters kept by the process
itself (``instruments.py``): HTTP requests served and their latency (``http.py``),
GitHub requests by status class (``github.py``). ``config.py`` is the ``[metrics]`` table,
``port.py`` the listener of their own that ``access = "port"`` and workers use.
"""
