"""Reporters: one module per format, each a pure function of an `AuditResult` to text.

Each module has `render(result) -> str` and `chunks(result)`, the same text in pieces, which
the CLI writes as they come: a large estate's report is never one string in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import Enum

from auditor.result import AuditResult

Chunks = Callable[[AuditResult], Iterator[str]]


class Format(Enum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    HTML = "html"


def renderer(fmt: Format) -> Callable[[AuditResult], str]:
    """The renderer of a format; imported lazily so a run pays only for the format it writes."""
    match fmt:
        case Format.TEXT:
            from reports import text

            return text.render
        case Format.JSON:
            from reports import json

            return json.render
        case Format.SARIF:
            from reports import sarif

            return sarif.render
        case Format.MARKDOWN:
            from reports import markdown

            return markdown.render
        case Format.HTML:
            from reports import html

            return html.render


def streamer(fmt: Format) -> Chunks:
    """The renderer of a format that yields its text in pieces (`chunks`)."""
    match fmt:
        case Format.TEXT:
            from reports import text

            return text.chunks
        case Format.JSON:
            from reports import json

            return json.chunks
        case Format.SARIF:
            from reports import sarif

            return sarif.chunks
        case Format.MARKDOWN:
            from reports import markdown

            return markdown.chunks
        case Format.HTML:
            from reports import html

            return html.chunks
