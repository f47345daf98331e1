"""Progress of a long collection on stderr (pages, rows, elapsed), only when it is a terminal."""

from __future__ import annotations

from typing import TextIO

from auditor.collect.clock import Clock


class Progress:
    """One status line, rewritten in place; silent unless `stream` is a terminal."""

    def __init__(self, stream: TextIO, clock: Clock, *, enabled: bool | None = None) -> None:
        self._stream = stream
        self._clock = clock
        self._enabled = _isatty(stream) if enabled is None else enabled
        self._start = clock.monotonic()
        self._label = ""
        self._pages = 0
        self._rows = 0
        self._width = 0

    @property
    def enabled(self) -> bool:
        return self._enabled

    def query(self, label: str) -> None:
        """A new query starts (e.g. `batch 1/3 natgateways`)."""
        self._label = label
        self._draw(f"{label}: starting")

    def page(self, pages_in_query: int, rows_in_query: int) -> None:
        self._draw(f"{self._label}: page {pages_in_query}, {rows_in_query:,} rows")

    def counted(self, pages: int, rows: int) -> None:
        """Running totals for the whole collection, shown on every line."""
        self._pages = pages
        self._rows = rows

    def waiting(self, seconds: float, reason: str) -> None:
        self._draw(f"{self._label}: {reason}, waiting {seconds:.0f} s")

    def finish(self) -> None:
        if not self._enabled:
            return
        self._draw("done")
        self._stream.write("\n")
        self._stream.flush()

    def _draw(self, text: str) -> None:
        if not self._enabled:
            return
        elapsed = self._clock.monotonic() - self._start
        line = (
            f"egress-audit: {text} | {self._pages:,} pages, {self._rows:,} rows, "
            f"{elapsed:.0f} s elapsed"
        )
        padding = " " * max(0, self._width - len(line))
        self._width = len(line)
        self._stream.write("\r" + line + padding)
        self._stream.flush()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
