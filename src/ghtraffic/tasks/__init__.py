"""Distributed collection on PostgreSQL with Procrastinate.

This part owns the Procrastinate app and its jobs (``app.py``, ``jobs.py``): a periodic
job that lists the repositories of a run and queues one collection job per repository,
the collection job, which commits the repository and queues its processing job in the
same transaction, the processing job, and a periodic job that hands the jobs of a dead
worker to the living ones; the run log of a distributed run (``runs.py``); the rate
budget all workers of one credential share (``budget.py``); the queue's schema
(``schema.py``) and the worker (``worker.py``): how it hands its jobs back when told to
stop (``release.py``) and the lines it writes, one per run and per failure
(``worklog.py``).
"""
