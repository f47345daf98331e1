"""`baselineState` against a previous SARIF (`--sarif-previous`).

Results match on (ruleId, partialFingerprints.primaryLocationLineHash): the hash is derived from
the rule, the lower-cased resource ID and the finding's key, so it survives re-ordering, casing
changes and message rewording. A match whose message, level or suppression changed is
"updated"; a previous result with no match is "absent" and appears only in the full report
(uploading it would open an alert for something that is gone).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.files import parse_json, read_text
from auditor.reader import TYPE_NAMES

Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Previous:
    automation_id: str
    result: Mapping[str, Any]

    @property
    def message(self) -> str:
        return str(self.result.get("message", {}).get("text", ""))

    @property
    def level(self) -> str:
        return str(self.result.get("level", "warning"))

    @property
    def suppressed(self) -> bool:
        return bool(self.result.get("suppressions"))


@dataclass(frozen=True, slots=True)
class Baseline:
    results: Mapping[Key, Previous]

    def apply(
        self,
        automation_id: str,
        results: Sequence[dict[str, Any]],
        rule_index: Mapping[str, int],
        *,
        include_absent: bool,
    ) -> list[dict[str, Any]]:
        """`results` with `baselineState` set, plus (when asked) this run's absent ones."""
        marked = []
        present = set()
        for result in results:
            key = result_key(result)
            present.add(key)
            previous = self.results.get(key) if key is not None else None
            if previous is None:
                state = "new"
            elif (previous.message, previous.level, previous.suppressed) != (
                result["message"]["text"],
                result.get("level", "warning"),
                bool(result.get("suppressions")),
            ):
                state = "updated"
            else:
                state = "unchanged"
            marked.append({**result, "baselineState": state})
        if include_absent:
            for key, previous in self.results.items():
                if previous.automation_id == automation_id and key not in present:
                    marked.append(_absent(previous.result, rule_index))
        return marked


def result_key(result: Mapping[str, Any]) -> Key | None:
    line_hash = (result.get("partialFingerprints") or {}).get("primaryLocationLineHash")
    rule_id = result.get("ruleId")
    if not isinstance(line_hash, str) or not isinstance(rule_id, str):
        return None
    return rule_id, line_hash


def _absent(result: Mapping[str, Any], rule_index: Mapping[str, int]) -> dict[str, Any]:
    """A previous result as an absent one: the parts of a result egress-audit writes, each
    checked when the file was read (`_result`); anything else is left behind."""
    absent: dict[str, Any] = {"ruleId": result["ruleId"]}
    if result["ruleId"] in rule_index:
        absent["ruleIndex"] = rule_index[result["ruleId"]]
    absent.update({k: result[k] for k in _KEPT if k in result})
    absent["baselineState"] = "absent"
    return absent


def load(path: Path) -> Baseline:
    """A previous SARIF file, or every `*.sarif` in a folder (as --output-dir writes them)."""
    if path.is_dir():
        files = sorted(path.glob("*.sarif"))
        if not files:
            raise InputError(str(path), "", "no *.sarif file in this folder")
    else:
        files = [path]
    results: dict[Key, Previous] = {}
    for file in files:
        for key, previous in _read(file):
            results.setdefault(key, previous)
    return Baseline(dict(sorted(results.items())))


def _read(path: Path) -> list[tuple[Key, Previous]]:
    """The results of one previous SARIF file. Every part the baseline reads, or copies into
    the report as an absent result, is checked for its SARIF type first: a wrong type is an
    input error naming the file and the JSON path, never a traceback or a report built on it."""
    source = str(path)
    document = parse_json(read_text(path, source), source)
    if not isinstance(document, dict) or document.get("version") != "2.1.0":
        raise InputError(source, "version", "not a SARIF 2.1.0 file")
    runs = _member(source, document, "", "runs", list)
    if runs is None:
        raise InputError(source, "runs", "expected a list")
    found = []
    for r, run in enumerate(runs):
        where = f"runs[{r}]"
        _check(source, where, run, dict)
        automation = _member(source, run, where, "automationDetails", dict) or {}
        automation_id = _member(source, automation, f"{where}.automationDetails", "id", str)
        for i, result in enumerate(_member(source, run, where, "results", list) or ()):
            checked = _result(source, f"{where}.results[{i}]", result)
            key = result_key(checked)
            # An absent result was not found last time either; results without our
            # fingerprint cannot be matched and are not ours to judge.
            if key is not None and checked.get("baselineState") != "absent":
                if "message" not in checked:  # SARIF's one required member of a result
                    raise InputError(source, f"{where}.results[{i}].message", "missing")
                found.append((key, Previous(automation_id or "", checked)))
    return found


_MISSING = object()
_LEVELS = ("none", "note", "warning", "error")
_STATES = ("new", "unchanged", "updated", "absent")
_KEPT = ("level", "message", "locations", "partialFingerprints", "properties")
# A URI reference as SARIF's schema checks it: the characters RFC 3986 allows, unescaped.
_URI = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")


def _result(source: str, where: str, result: Any) -> dict[str, Any]:
    """A previous result with the parts the baseline reads or copies checked and kept: those
    egress-audit writes, in the shapes it writes them."""
    _check(source, where, result, dict)
    kept: dict[str, Any] = {}
    for name in ("ruleId", "level", "baselineState"):
        allowed = {"level": _LEVELS, "baselineState": _STATES}.get(name, ())
        value = _member(source, result, where, name, str, allowed)
        if value is not None:
            kept[name] = value
    fingerprints = _member(source, result, where, "partialFingerprints", dict)
    if fingerprints is not None:
        for name, value in fingerprints.items():
            _check(source, f"{where}.partialFingerprints.{name}", value, str)
        kept["partialFingerprints"] = dict(fingerprints)
    message = _member(source, result, where, "message", dict)
    if message is not None:
        text = _member(source, message, f"{where}.message", "text", str)
        kept["message"] = {"text": text or ""}
    suppressions = _member(source, result, where, "suppressions", list)
    if suppressions:
        kept["suppressions"] = suppressions  # read as present or not; never copied
    properties = _member(source, result, where, "properties", dict)
    if properties is not None:
        tags = _member(source, properties, f"{where}.properties", "tags", list) or []
        for n, tag in enumerate(tags):
            _check(source, f"{where}.properties.tags[{n}]", tag, str)
        if len(set(tags)) != len(tags):
            raise InputError(source, f"{where}.properties.tags", "expected unique strings")
        kept["properties"] = dict(properties)
    locations = _member(source, result, where, "locations", list)
    if locations is not None:
        kept["locations"] = [
            _location(source, f"{where}.locations[{n}]", location)
            for n, location in enumerate(locations)
        ]
    return kept


def _location(source: str, where: str, location: Any) -> dict[str, Any]:
    """A location as egress-audit writes it: the resource as an artifact and a line, and the
    resource as a logical location."""
    _check(source, where, location, dict)
    kept: dict[str, Any] = {}
    physical = _member(source, location, where, "physicalLocation", dict)
    if physical is not None:
        at = f"{where}.physicalLocation"
        artifact = _member(source, physical, at, "artifactLocation", dict)
        if artifact is None:  # SARIF also allows an `address`, which egress-audit never writes
            raise InputError(source, f"{at}.artifactLocation", "missing")
        uri = _member(source, artifact, f"{at}.artifactLocation", "uri", str)
        if uri is not None and not _URI.fullmatch(uri):
            raise InputError(source, f"{at}.artifactLocation.uri", "expected a URI reference")
        kept["physicalLocation"] = {"artifactLocation": {} if uri is None else {"uri": uri}}
        region = _member(source, physical, at, "region", dict)
        if region is not None:
            kept["physicalLocation"]["region"] = {
                name: _line(source, f"{at}.region.{name}", region.get(name, _MISSING))
                for name in ("startLine", "endLine")
                if name in region or name == "startLine"
            }
    logical = _member(source, location, where, "logicalLocations", list)
    if logical is not None:
        kept["logicalLocations"] = []
        for n, entry in enumerate(logical):
            at = f"{where}.logicalLocations[{n}]"
            _check(source, at, entry, dict)
            names = ("name", "fullyQualifiedName", "kind")
            fields = {k: _member(source, entry, at, k, str) for k in names if k in entry}
            kept["logicalLocations"].append(fields)
    return kept


def _line(source: str, where: str, value: Any) -> int:
    if value is _MISSING:
        raise InputError(source, where, "missing")
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(source, where, "expected an integer of 1 or more")
    return value


def _member(
    source: str,
    parent: Mapping[str, Any],
    where: str,
    name: str,
    kind: type,
    allowed: Sequence[str] = (),
) -> Any:
    """`parent[name]` when it is of `kind` (and one of `allowed`), None when absent."""
    if name not in parent:
        return None
    value = parent[name]
    _check(source, f"{where}.{name}" if where else name, value, kind, allowed)
    return value


def _check(source: str, where: str, value: Any, kind: type, allowed: Sequence[str] = ()) -> None:
    if not isinstance(value, kind):
        raise InputError(source, where, f"expected {TYPE_NAMES[kind]}")
    if allowed and value not in allowed:
        raise InputError(source, where, f"expected one of {', '.join(allowed)}")
