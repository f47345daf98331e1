"""Exit codes and the exceptions that carry them (one code per kind of failure)."""

from __future__ import annotations

from enum import IntEnum

from auditor.safetext import shown

# The parts of a one-line error: a file name or path in a document, and the problem.
MAX_PLACE = 500
MAX_PROBLEM = 1000


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    INPUT_ERROR = 2
    COLLECTION_FAILED = 3
    PARTIAL = 4


class AuditError(Exception):
    """An error the CLI prints as one line and turns into an exit code."""

    exit_code: ExitCode = ExitCode.INPUT_ERROR


class UsageError(AuditError):
    """Bad flags or flag combinations."""


class InputError(AuditError):
    """A file the user gave us is unreadable or invalid: `<file>: <where>: <what>`."""

    def __init__(self, source: str, where: str, problem: str) -> None:
        self.source = source
        self.where = where
        self.problem = problem
        # The message is one bounded line whatever the file holds: a key or a path can be
        # megabytes long, or carry terminal escape sequences.
        location = shown(source, MAX_PLACE)
        if where:
            location = f"{location}: {shown(where, MAX_PLACE)}"
        super().__init__(f"{location}: {shown(problem, MAX_PROBLEM)}")


class CollectionFailed(AuditError):
    """Nothing could be collected (authentication, no access at all)."""

    exit_code = ExitCode.COLLECTION_FAILED
