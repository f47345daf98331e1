"""How a fix is written: a command on its own, or prose with each command in its own
backtick code span ("Plan downtime, then `az aks update …`"). Reports that can show code (the
Markdown summary, the HTML page, the rule reference) split a fix into its prose and its
commands; the text report and SARIF print it as written."""

from __future__ import annotations

COMMAND_PREFIX = "az "


def command(text: str) -> str:
    """A command inside a prose fix."""
    return f"`{text}`"


def segments(fix: str) -> list[tuple[str, bool]]:
    """The fix's pieces in order, each with whether it is a command."""
    if "`" not in fix:
        return [(fix, fix.startswith(COMMAND_PREFIX))] if fix else []
    pieces = fix.split("`")
    return [(text, index % 2 == 1) for index, text in enumerate(pieces) if text]


def commands(fix: str) -> list[str]:
    """The commands a fix gives, each as one line (`&&` chains stay one command line)."""
    return [text for text, is_command in segments(fix) if is_command]
