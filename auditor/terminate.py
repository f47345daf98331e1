"""SIGTERM (a CronJob's deadline, `docker stop`, `timeout`) handled like Ctrl-C: raised as an
exception where the program is, so cleanup runs and a report being written leaves no
temporary file behind."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType


class Terminated(BaseException):
    """A BaseException, so that no `except Exception` on the way takes it for an ordinary
    error (a rule's, a collector's) and carries on."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def raise_on_sigterm() -> Callable[[], object]:
    """Install the handler (only the main thread may); returns what puts back the handler it
    replaced (the CLI's main() is also called in-process, by tests and wrappers)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    return lambda: signal.signal(signal.SIGTERM, previous)
