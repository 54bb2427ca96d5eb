"""Live progress of a run, per release: a table redrawn in place on a terminal, plain lines otherwise.

Progress goes to stderr (stdout keeps the summary, for scripts). Plain lines are printed only when a
release's state text changes, each with the seconds since the run started, so CI logs stay short.
"""
from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from helmgen.deploy.model import Outcome, Status


class PlainProgress:
    def __init__(self, stream: TextIO | None = None, prefix: str = ""):
        self.stream = stream or sys.stderr
        self.prefix = prefix
        self.started = time.monotonic()
        self._last: dict[str, str] = {}
        self._lock = threading.Lock()

    def _line(self, text: str) -> None:
        with self._lock:
            print(f"[{time.monotonic() - self.started:6.1f}s] {self.prefix}{text}", file=self.stream, flush=True)

    def phase(self, release: str, text: str) -> None:
        if self._last.get(release) != text:
            self._last[release] = text
            self._line(f"{release}: {text}")

    def done(self, outcome: Outcome) -> None:
        extra = f" (revision {outcome.revision})" if outcome.revision else ""
        if outcome.status is Status.SKIPPED:
            self._line(f"{outcome.release}: {outcome.status.value}: {outcome.message}")
            return
        why = f": {outcome.message}" if outcome.message and not outcome.status.ok else ""
        self._line(f"{outcome.release}: {outcome.status.value}{extra} after {outcome.seconds:.1f}s{why}")

    def close(self) -> None:
        pass


class LiveProgress:
    """A rich Live table: one row per release with its state and elapsed time."""

    def __init__(self, releases: list[str], prefix: str = ""):
        from rich.console import Console
        from rich.live import Live

        self.prefix = prefix
        self.started = time.monotonic()
        self.rows: dict[str, tuple[str, float | None, float]] = {r: ("waiting for its needs", None, 0.0)
                                                                  for r in releases}
        self._live = Live(self._table(), console=Console(stderr=True), refresh_per_second=4, transient=False,
                          get_renderable=self._table)
        self._live.start()

    def _table(self):
        from rich.table import Table

        table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
        for column in ("RELEASE", "STATE", "TIME"):
            table.add_column(f"{self.prefix}{column}" if column == "RELEASE" and self.prefix else column)
        now = time.monotonic()
        for release, (text, began, took) in self.rows.items():
            seconds = took if took else (now - began if began is not None else 0.0)
            table.add_row(release, text, f"{seconds:.1f}s" if began is not None or took else "")
        return table

    def phase(self, release: str, text: str) -> None:
        _, began, _ = self.rows.get(release, ("", None, 0.0))
        self.rows[release] = (text, began if began is not None else time.monotonic(), 0.0)

    def done(self, outcome: Outcome) -> None:
        colour = "green" if outcome.status.ok else "red"
        text = f"[{colour}]{outcome.status.value}[/{colour}]"
        if outcome.revision:
            text += f" (revision {outcome.revision})"
        self.rows[outcome.release] = (text, self.rows.get(outcome.release, ("", None, 0.0))[1],
                                      max(outcome.seconds, 0.01))

    def close(self) -> None:
        self._live.refresh()
        self._live.stop()


def progress_for(releases: list[str], prefix: str = "", live: bool | None = None):
    """LiveProgress on a terminal, PlainProgress otherwise (or as `live` says)."""
    if live is None:
        live = sys.stderr.isatty()
    return LiveProgress(releases, prefix) if live else PlainProgress(prefix=prefix)
