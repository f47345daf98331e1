"""Where a SARIF result points: a repository-relative, scheme-less, percent-encoded URI that
GitHub accepts (shared/docs/sarif-github.md §1.2, §5)."""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import quote

from auditor.arm import ResourceId
from auditor.model import SourceLocation

SYNTHETIC_ROOT = "azure"
_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")  # RFC 3986 unreserved: nothing to encode
# A URI from a hostile (megabytes long) ID is cut here and ends in a digest of the whole, so
# it stays a valid, unique path (the report's usual "… [N more characters]" is not a URI).
MAX_URI = 2048


def artifact(resource_id: ResourceId, location: SourceLocation | None) -> tuple[str, int]:
    """The URI and line of a result: the file it was declared in when that is a repository-
    relative path, else the synthetic path of the resource at line 1."""
    if location is not None:
        uri = repo_relative_uri(location.path)
        if uri is not None:
            return _bounded(uri), max(1, location.line)
    return _bounded(resource_uri(resource_id)), 1


def _bounded(uri: str) -> str:
    if len(uri) <= MAX_URI:
        return uri
    digest = hashlib.sha256(uri.encode("utf-8")).hexdigest()[:16]
    kept = uri[: MAX_URI - len(digest) - 1]
    escape = kept.rfind("%", len(kept) - 2)  # never end inside a %XX escape
    return f"{kept if escape < 0 else kept[:escape]}/{digest}"


def resource_uri(resource_id: ResourceId) -> str:
    """`azure/subscriptions/<sub>/resourcegroups/<rg>/providers/…`, lower-cased (ARM IDs are
    case-insensitive and GitHub needs a stable path), every segment percent-encoded."""
    segments = resource_id.key_segments
    return (
        "/".join([SYNTHETIC_ROOT, *(_segment(s) for s in segments)])
        if segments
        else (f"{SYNTHETIC_ROOT}/unknown")
    )


def repo_relative_uri(path: str) -> str | None:
    """A relative URI for a file path, or None when it is absolute or leaves the repository
    (GitHub rejects scheme URIs and cannot place paths outside the checkout; an absolute path
    would also make the report depend on the machine)."""
    text = path.replace("\\", "/")
    if not text or text.startswith("/") or PureWindowsPath(path).drive:
        return None
    normal = posixpath.normpath(text)
    if normal == "." or normal.startswith("../") or normal == "..":
        return None
    return "/".join(_segment(s) for s in PurePosixPath(normal).parts)


@functools.lru_cache(maxsize=65536)  # IDs repeat most segments: subscriptions, groups
def _segment(segment: str) -> str:
    if _PLAIN_SEGMENT.fullmatch(segment) and set(segment) != {"."}:
        return segment
    encoded = quote(segment, safe="")
    # "." and ".." are path steps, not names: encode them so the path stays where it is.
    return encoded.replace(".", "%2E") if set(encoded) == {"."} else encoded
