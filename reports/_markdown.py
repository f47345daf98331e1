"""A tiny, safe Markdown subset for rule help: paragraphs, `-` lists, `code`, **bold** and
[links](https://…). Every piece of text is escaped; raw HTML in the input stays text, and only
http(s) links become anchors, so rule help can never inject markup into a report."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_INLINE = re.compile(
    r"`(?P<code>[^`]+)`"
    r"|\*\*(?P<bold>[^*]+)\*\*"
    r"|\[(?P<text>[^\]]+)\]\((?P<url>https?://[^\s()<>]+)\)"
)
_BULLET = re.compile(r"^\s*[-*]\s+")


def render(text: str) -> Markup:
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return Markup("\n").join(_block(b) for b in blocks)


def _block(block: str) -> Markup:
    lines = [line for line in block.splitlines() if line.strip()]
    if all(_BULLET.match(line) for line in lines):
        items = Markup("").join(
            Markup("<li>{}</li>").format(inline(_BULLET.sub("", line))) for line in lines
        )
        return Markup("<ul>{}</ul>").format(items)
    return Markup("<p>{}</p>").format(inline(" ".join(line.strip() for line in lines)))


def inline(text: str) -> Markup:
    out: list[Markup] = []
    position = 0
    for match in _INLINE.finditer(text):
        out.append(escape(text[position : match.start()]))
        if match["code"] is not None:
            out.append(Markup("<code>{}</code>").format(match["code"]))
        elif match["bold"] is not None:
            out.append(Markup("<strong>{}</strong>").format(match["bold"]))
        else:
            out.append(
                Markup('<a href="{}" rel="noopener noreferrer">{}</a>').format(
                    match["url"], match["text"]
                )
            )
        position = match.end()
    out.append(escape(text[position:]))
    return Markup("").join(out)
