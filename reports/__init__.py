"""Reporters: one module per format, each a pure function of an `AuditResult` to text."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from auditor.result import AuditResult


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
