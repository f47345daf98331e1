"""The text of a SARIF log, written run by run.

The layout is `json.dumps(log, indent=2)` except that each result is one line: a changed result
is one changed line in a diff. A log is written one run at a time, so a file of thousands of
runs is never one string; each rule descriptor is encoded once per audit, not once per run,
since every run of an upload repeats them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from reports._json_text import indented, one_line

RUN_DEPTH = 2  # a log's runs: log → "runs" → run
_RESULT_INDENT = "  " * (RUN_DEPTH + 2)


class Writer:
    """Writes the logs of one audit, remembering the text of each rule descriptor and of the
    tool object most runs share."""

    def __init__(self) -> None:
        self._descriptors: dict[str, str] = {}
        self._tool: tuple[tuple[str, ...], str] | None = None

    def log(self, head: Mapping[str, Any], runs: Iterable[Mapping[str, Any]]) -> Iterator[str]:
        """The log's text in pieces: `head` holds its other members in order, with `runs`
        standing for where the runs go."""
        yield "{"
        for index, (key, value) in enumerate(head.items()):
            yield ("," if index else "") + "\n  " + _key(key)
            if key != "runs":
                yield _value(value, 1)
                continue
            empty = True
            for run in runs:
                yield ("[" if empty else ",") + "\n" + "  " * RUN_DEPTH + self.run(run)
                empty = False
            yield "[]" if empty else "\n  ]"
        yield "\n}\n"

    def run(self, run: Mapping[str, Any]) -> str:
        depth = RUN_DEPTH + 1
        members = []
        for key, value in run.items():
            if key == "tool":
                text = self._tool_text(value)
            elif key == "results":
                text = _results(value)
            else:
                text = _value(value, depth)
            members.append((key, text))
        return _object(members, RUN_DEPTH)

    def _tool_text(self, tool: Mapping[str, Any]) -> str:
        driver = tool["driver"]
        ids = tuple(rule["id"] for rule in driver["rules"])
        if self._tool is not None and self._tool[0] == ids:
            return self._tool[1]
        depth = RUN_DEPTH + 3  # run → "tool" → "driver" → its members
        members = [
            (key, self._rules(value, depth) if key == "rules" else _value(value, depth))
            for key, value in driver.items()
        ]
        text = _object([("driver", _object(members, depth - 1))], depth - 2)
        self._tool = (ids, text)
        return text

    def _rules(self, rules: Sequence[Mapping[str, Any]], depth: int) -> str:
        texts = []
        for rule in rules:
            text = self._descriptors.get(rule["id"])
            if text is None:
                text = self._descriptors[rule["id"]] = _value(rule, depth + 1)
            texts.append(text)
        return _array(texts, depth)


def _key(key: str) -> str:
    return json.dumps(key) + ": "


def _value(value: Any, depth: int) -> str:
    """`value` as `json.dumps(..., indent=2)` writes it `depth` levels deep."""
    return indented(value).replace("\n", "\n" + "  " * depth)


def _object(members: Sequence[tuple[str, str]], depth: int) -> str:
    if not members:
        return "{}"
    inner = "  " * (depth + 1)
    body = ",\n".join(inner + _key(key) + text for key, text in members)
    return "{\n" + body + "\n" + "  " * depth + "}"


def _array(items: Sequence[str], depth: int) -> str:
    if not items:
        return "[]"
    inner = "  " * (depth + 1)
    return "[\n" + ",\n".join(inner + item for item in items) + "\n" + "  " * depth + "]"


def _results(results: Sequence[Mapping[str, Any]]) -> str:
    if not results:
        return "[]"
    lines = ",\n".join(_RESULT_INDENT + one_line(r) for r in results)
    return f"[\n{lines}\n{_RESULT_INDENT[:-2]}]"
