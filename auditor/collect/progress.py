"""Progress of a collection on stderr: a status line on a terminal, waits in any case.

On a terminal one line is rewritten in place (stage, queries done, pages, rows, elapsed). A
wait of a second or more is always said, terminal or not, with what it waits for: a long
run never sits in silence (a CI log gets one line per wait). Safe to call from threads.
"""

from __future__ import annotations

import threading
from typing import TextIO

from auditor.collect.clock import Clock
from auditor.collect.retry import seconds

PROG = "egress-audit"


class Progress:
    def __init__(self, stream: TextIO, clock: Clock, *, enabled: bool | None = None) -> None:
        self._stream = stream
        self._clock = clock
        self._terminal = _isatty(stream) if enabled is None else enabled
        self._start = clock.monotonic()
        self._lock = threading.Lock()
        self._label = ""
        self._done = self._planned = self._pages = self._rows = 0
        self._width = 0

    @property
    def enabled(self) -> bool:
        """Whether the status line is drawn (stderr is a terminal)."""
        return self._terminal

    def stage(self, label: str) -> None:
        """What the collection is doing now, e.g. `checking subscriptions`."""
        with self._lock:
            self._label = label
            self._draw(label)

    def counted(self, done: int, planned: int, pages: int, rows: int) -> None:
        """Running totals: queries finished of those planned, pages and rows received."""
        with self._lock:
            self._done, self._planned, self._pages, self._rows = done, planned, pages, rows
            self._draw(self._label)

    def waiting(self, delay: float, reason: str) -> None:
        with self._lock:
            text = f"waiting {seconds(delay)}: {reason}"
            if self._terminal:
                self._draw(text)
            else:
                self._stream.write(f"{PROG}: {text}\n")
                self._stream.flush()

    def finish(self) -> None:
        with self._lock:
            if not self._terminal:
                return
            self._draw("done")
            self._stream.write("\n")
            self._stream.flush()

    def _draw(self, text: str) -> None:
        if not self._terminal:
            return
        elapsed = self._clock.monotonic() - self._start
        queries = f"{self._done:,}/{self._planned:,} queries, " if self._planned else ""
        line = (
            f"{PROG}: {text} | {queries}{self._pages:,} pages, {self._rows:,} rows, "
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
