"""Exit codes and the exceptions that carry them (one code per kind of failure)."""

from __future__ import annotations

from enum import IntEnum


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
        location = f"{source}: {where}" if where else source
        super().__init__(f"{location}: {problem}")


class CollectionFailed(AuditError):
    """Nothing could be collected (authentication, no access at all)."""

    exit_code = ExitCode.COLLECTION_FAILED
