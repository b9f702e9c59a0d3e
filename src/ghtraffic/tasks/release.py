"""What a stopping worker does with the jobs it still runs: it gives them back.

On SIGTERM or SIGINT a worker takes no new job and lets the running ones finish for up to
its stop timeout; Procrastinate then cancels the ones still running. A cancelled job is
released: queued again at once, for any worker (``ReleaseAtShutdown``, wrapped around
every task's own retry strategy, whatever the attempts so far), so none stays ``doing``
for the stalled-job sweep and none is given up.

A job's database writes run on threads (``asyncio.to_thread``), which a cancellation does
not stop. Before a cancelled job is released, ``settle_threads`` waits for the calls this
worker's threads are still running (``TrackedThreads``, the loop's default executor), so
a write already under way commits, and the job run again finds it (each job is done once
by what it commits) instead of running beside it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from procrastinate import App, JobContext
from procrastinate.job_context import AbortReason
from procrastinate.jobs import Job
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from procrastinate.worker import Worker


class ReleaseAtShutdown(BaseRetryStrategy):
    """A job cancelled because the worker stops is queued again now; any other outcome is
    left to the task's own strategy (``None``: no retry)."""

    def __init__(self, inner: BaseRetryStrategy | None, stopping: Callable[[], bool]) -> None:
        self.inner = inner
        self.stopping = stopping

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if isinstance(exception, asyncio.CancelledError) and self.stopping():
            return RetryDecision(retry_in={"seconds": 0})
        if self.inner is None:
            return None
        retry = self.inner.get_retry_exception(exception=exception, job=job)
        return None if retry is None else retry.retry_decision


def release_at_shutdown(app: App, stopping: Callable[[], bool]) -> None:
    """Wrap the retry strategy of every task of ``app``."""
    for task in app.tasks.values():
        task.retry_strategy = ReleaseAtShutdown(task.retry_strategy, stopping)


class TrackedThreads(ThreadPoolExecutor):
    """A thread pool that knows the calls it has not finished."""

    def __init__(self) -> None:
        super().__init__(thread_name_prefix="ghtraffic-job")
        self._lock = threading.Lock()
        self._running: set[Future[Any]] = set()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._running.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._running.discard(future)

    async def settled(self) -> None:
        """Return once every call submitted so far has finished."""
        with self._lock:
            running = list(self._running)
        if running:
            await asyncio.wait([asyncio.wrap_future(f) for f in running])


def settle_threads(threads: TrackedThreads) -> Callable[..., Any]:
    """A worker middleware: a job cancelled by the worker's stop is handed back only once
    the writes already started on threads have ended."""

    async def middleware(call_next: Callable[[], Any], context: JobContext, worker: Worker) -> Any:
        try:
            return await call_next()
        except asyncio.CancelledError:
            if context.abort_reason() == AbortReason.SHUTDOWN:
                await threads.settled()
            raise

    return middleware
