"""How a run shows its progress: a Rich bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
from types import TracebackType

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ghtraffic.domain import RepoOutcome


class RunDisplay:
    """Receives the collector's events. Failures are always printed as lines."""

    def __init__(self, console: Console, *, quiet: bool = False) -> None:
        self.console = console
        self.quiet = quiet
        self.tty = console.is_terminal and not quiet
        self._progress: Progress | None = None
        self._task: int | None = None

    def __enter__(self) -> RunDisplay:
        if self.tty:
            self._progress = Progress(
                TextColumn("[bold]collecting"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[last]}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task("collect", total=None, last="")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.__exit__(exc_type, exc, tb)

    def total(self, count: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, total=count)  # type: ignore[arg-type]

    def result(self, outcome: RepoOutcome) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1, last=outcome.full_name)  # type: ignore[arg-type]
        if outcome.outcome == "failed":
            self._line(f"failed   {outcome.full_name}: {outcome.reason}")
        elif not self.tty and not self.quiet:
            detail = (
                f"+{outcome.days_added} days, {outcome.days_raised} raised"
                if outcome.outcome == "ok"
                else outcome.reason or ""
            )
            self._line(f"{outcome.outcome:<8} {outcome.full_name}: {detail}")

    def notice(self, message: str) -> None:
        self._line(f"note: {message}")

    def _line(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.print(text, markup=False, highlight=False)
        else:
            click.echo(text, err=self.console.stderr)
            sys.stderr.flush()
