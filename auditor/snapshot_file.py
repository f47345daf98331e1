"""Reading a snapshot file: straight from its bytes with msgspec, its rows left as text.

Only the small parts of the document (format, version, scope, errors, warnings) are decoded
here; each resource type's rows stay as their JSON text (RawRows) until the graph decodes them
typed (auditor/graph/shapes.py), and the change history until drift reads it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import msgspec

from auditor import decode
from auditor.files import check_utf8
from auditor.raw_rows import RawRows
from auditor.reader import Node
from auditor.snapshot import RESOURCE_TYPES, VERSION, Header, Row, Snapshot, parse_dicts


def parse_bytes(data: bytes, source: str) -> Snapshot:
    """A snapshot file's bytes. The rows stay undecoded (RawRows) until the graph decodes
    them typed; only the small parts of the document are read here.

    msgspec reads the document when it is plain: UTF-8 JSON, with no escaped lone surrogate,
    at the current version. Anything else (an error to report in json's words, a surrogate to
    replace, a version to upgrade) is read as before, through `json.loads` and dicts."""
    view = memoryview(data)
    if data.startswith(b"\xef\xbb\xbf"):  # a byte-order mark, which Windows tools write
        view = view[3:]
    check_utf8(data, source)
    if b"\\" in data and _ESCAPED_SURROGATE.search(data):
        return parse_dicts(str(view, "utf-8"), source)
    try:
        envelope = msgspec.json.decode(view, type=_Envelope)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return parse_dicts(str(view, "utf-8"), source)
    if type(envelope.version) is not int or envelope.version != VERSION:
        return parse_dicts(str(view, "utf-8"), source)
    header_fields = {
        "format": envelope.format,
        "version": envelope.version,
        "collectedAt": envelope.collectedAt,
        "tool": envelope.tool,
        "scope": envelope.scope,
        "errors": envelope.errors,
        "warnings": envelope.warnings,
    }
    header = Header.of(Node(source, "", header_fields))
    resources: dict[str, Sequence[Row]] = {}
    for resource_type, raw in envelope.resources.items():
        where = f"resources.{resource_type}"
        if resource_type.lower() not in RESOURCE_TYPES:
            # Read by nothing, but as valid as any row must be.
            decode.decode_list(raw, decode.Identified, source, where)
        resources[resource_type.lower()] = RawRows(raw, source, where)
    changes: Sequence[Row] = []
    if not _is_null(envelope.changes):
        decode.decode_list(envelope.changes, decode.AnyObject, source, "changes")
        changes = RawRows(envelope.changes, source, "changes")
    return header.snapshot(resources, changes)


# An escaped lone surrogate (or the first half of a pair), which only json.loads reads.
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


class _Envelope(msgspec.Struct, gc=False):
    """The document with its rows left as text; the small parts are checked as dicts."""

    resources: dict[str, msgspec.Raw]
    format: Any = None
    version: Any = None
    collectedAt: Any = None
    tool: Any = None
    scope: Any = None
    changes: msgspec.Raw = msgspec.Raw(b"null")
    errors: Any = None
    warnings: Any = None


def _is_null(raw: msgspec.Raw) -> bool:
    view = memoryview(raw)
    return view.nbytes == 4 and view.tobytes() == b"null"
