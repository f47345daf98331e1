"""Text from input files and from Azure, made safe to show: bounded, on one line, with control
and bidirectional-override characters made visible, and lone surrogates replaced.

Input files and resource names are data written by someone else. Shown raw, a name can move a
terminal's cursor or retitle its window (ESC, OSC), reorder what a reader sees (U+202E), or —
being megabytes long — make a report too large to open. Every string that reaches an error
message or a report goes through here; the limits are documented in README.md ("Input limits").
"""

from __future__ import annotations

import re

from auditor.wording import counted

# A value from the inputs (a name, an ID, a glob, a message) is shown at most this long in a
# report; the rest is replaced by a note saying how much was left out.
MAX_SHOWN = 4096
# A value quoted in a one-line error or warning message.
MAX_QUOTED = 120

# C0 controls (with tab and newline: one value is one line), DEL, C1 controls, the bidi
# embeddings, overrides, isolates and marks, and the line and paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """Control and bidi characters as visible escapes (`\\x1b`, `\\u202e`): shown, never obeyed."""
    if text.isprintable():  # every character escaped below is one str.isprintable refuses
        return text
    return _UNSAFE.sub(_visible, text)


def cap(text: str, limit: int = MAX_SHOWN) -> str:
    """At most `limit` characters, then a note of how many were left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters]"


def shown(text: str, limit: int = MAX_SHOWN) -> str:
    """A value for one line of a report: capped, controls made visible."""
    return escape_controls(cap(text, limit))


def quoted(value: object, limit: int = MAX_QUOTED) -> str:
    """A scalar from an input file quoted in a message, bounded whatever its size (a number
    past Python's printable digit limit is described, never printed)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"a {value.bit_length() * 30103 // 100000 + 1}-digit number"
    if isinstance(value, str):
        text = value if len(value) <= limit else value[:limit]
        out = escape_controls(repr(text))
        return out if len(value) <= limit else f"{out}… [{len(value) - limit:,} more characters]"
    return escape_controls(cap(repr(value), limit))


def has_surrogates(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def replace_surrogates(text: str) -> str:
    """Lone UTF-16 surrogates (from `\\ud800`-style escapes) are not characters and cannot be
    written as UTF-8: each becomes U+FFFD, the replacement character."""
    return _SURROGATE.sub("\ufffd", text)


def surrogate_warning(where: str, count: int) -> str:
    """The warning for `count` strings whose surrogates were replaced, the first at `where`."""
    return (
        f"{where}: {counted(count, 'string')} held lone UTF-16 surrogates (escapes such "
        "as \\ud800 that are not text); each was replaced by U+FFFD"
    )
