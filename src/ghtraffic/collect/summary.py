"""The outcome of one collection run, as the run log and the CLI report it."""

from __future__ import annotations

from dataclasses import dataclass, field

from ghtraffic.domain import RepoOutcome


@dataclass
class RunSummary:
    run_id: int | None = None
    outcomes: list[RepoOutcome] = field(default_factory=list)
    requests: int = 0
    points: int = 0
    rate_remaining: int | None = None
    rate_limit: int | None = None
    notices: list[str] = field(default_factory=list)
    #: Repositories not due in this run (their cadence reads them on a later day).
    waiting: int = 0
    #: Set when the run had to stop early for a reason that concerns every repository.
    fatal: str | None = None
    #: The CLI's exit code for a fatal reason: 2 for configuration (a bad token), else 1.
    fatal_code: int = 1

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def ok(self) -> int:
        return self.count("ok")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def deferred(self) -> int:
        return self.count("deferred")

    @property
    def days_added(self) -> int:
        return sum(o.days_added for o in self.outcomes)

    @property
    def days_raised(self) -> int:
        return sum(o.days_raised for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        if self.fatal:
            return self.fatal_code
        return 1 if self.failed else 0

    def line(self) -> str:
        """The one-line summary printed at the end of a run."""
        rate = (
            f"rate limit {self.rate_remaining}/{self.rate_limit} left"
            if self.rate_remaining is not None
            else "no rate limit reported"
        )
        waiting = f", {self.waiting} not due" if self.waiting else ""
        return (
            f"{len(self.outcomes)} repos: {self.ok} ok, {self.failed} failed, "
            f"{self.deferred} deferred{waiting}; {self.requests} requests"
            f" ({self.points} rate points), {rate}; {self.days_added} days added,"
            f" {self.days_raised} raised"
        )
