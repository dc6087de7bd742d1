"""A Rich progress display fed by the wallet library's progress callback (:mod:`tanglehub.wallet.progress`).

One bar per stage (indexer sync, ledger sync bootstrap, ledger sync, address generation, account recovery)
with what it is working on, ``done/total`` counts, the rate per second and the elapsed time. A stage of
known size starts a fresh bar for each account; a stage with an unknown total (milestones, recovery) shows
a pulsing bar and keeps counting across accounts and chains (addresses checked so far). Drawn on standard error, so
standard output stays clean for results and ``--json``.
"""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as RichProgress
from rich.text import Text

from tanglehub.wallet import Progress, ProgressStage

__all__ = ["ProgressBar", "RateColumn"]


class RateColumn(ProgressColumn):
    """Units per second (``1,234/s``), from Rich's own speed estimate."""

    def render(self, task: Task) -> Text:
        """The rate of ``task``."""
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f}/s", style="progress.data.speed")


class ProgressBar:
    """``with ProgressBar(console, enabled) as bar: await wallet.sync(progress=bar)``; a no-op when disabled."""

    def __init__(self, console: Console, enabled: bool) -> None:
        self._enabled = enabled
        self._rich = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[ProgressStage, tuple[TaskID, str]] = {}
        self._carried: dict[ProgressStage, int] = {}
        self._last: dict[ProgressStage, int] = {}

    def __enter__(self) -> ProgressBar:
        if self._enabled:
            self._rich.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._enabled:
            self._rich.stop()

    def __call__(self, progress: Progress) -> None:
        """The library's callback: move (or start) the stage's bar."""
        if not self._enabled:
            return
        stage = progress.stage
        description = str(stage) + (f": {progress.detail}" if progress.detail else "")
        known = self._tasks.get(stage)
        if known is None:
            task = self._rich.add_task(description, total=progress.total, completed=progress.done)
            self._tasks[stage] = (task, progress.detail)
            self._last[stage] = progress.done
            return
        task, detail = known
        if detail != progress.detail:  # the same stage moved on to another account or chain
            self._tasks[stage] = (task, progress.detail)
            if progress.total is not None:  # a new piece of known size: a fresh bar
                self._carried[stage] = 0
                self._last[stage] = progress.done
                self._rich.reset(task, total=progress.total, completed=progress.done, description=description)
                return
            self._carried[stage] = self._carried.get(stage, 0) + self._last.get(stage, 0)  # unknown size: count on
            self._rich.update(task, description=description)
        self._last[stage] = progress.done
        self._rich.update(task, total=progress.total, completed=self._carried.get(stage, 0) + progress.done)
