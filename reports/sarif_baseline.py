"""`baselineState` against a previous SARIF (`--sarif-previous`).

Results match on (ruleId, partialFingerprints.primaryLocationLineHash): the hash is derived from
the rule, the lower-cased resource ID and the finding's key, so it survives re-ordering, casing
changes and message rewording. A match whose message, level or suppression changed is
"updated"; a previous result with no match is "absent" and appears only in the full report
(uploading it would open an alert for something that is gone).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.files import parse_json, read_text

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
    absent = {k: v for k, v in result.items() if k not in ("ruleIndex", "suppressions")}
    absent["baselineState"] = "absent"
    rule_id = str(absent.get("ruleId"))
    if rule_id in rule_index:
        absent["ruleIndex"] = rule_index[rule_id]
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
    source = str(path)
    document = parse_json(read_text(path, source), source)
    if not isinstance(document, dict) or document.get("version") != "2.1.0":
        raise InputError(source, "version", "not a SARIF 2.1.0 file")
    runs = document.get("runs")
    if not isinstance(runs, list):
        raise InputError(source, "runs", "expected a list")
    found = []
    for r, run in enumerate(runs):
        if not isinstance(run, dict) or not isinstance(run.get("results", []), list):
            raise InputError(source, f"runs[{r}].results", "expected a list")
        automation = run.get("automationDetails") or {}
        automation_id = str(automation.get("id", "")) if isinstance(automation, dict) else ""
        for i, result in enumerate(run.get("results", [])):
            if not isinstance(result, dict):
                raise InputError(source, f"runs[{r}].results[{i}]", "expected an object")
            key = result_key(result)
            # An absent result was not found last time either; results without our
            # fingerprint cannot be matched and are not ours to judge.
            if key is not None and result.get("baselineState") != "absent":
                found.append((key, Previous(automation_id, result)))
    return found
