"""What every SARIF file meant for GitHub must satisfy: the OASIS schema (with format checks)
plus the checklist of shared/docs/sarif-github.md §6 that the schema cannot see."""

from __future__ import annotations

import gzip
import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from jsonschema import FormatChecker, validators

SCHEMA = Path(__file__).resolve().parent.parent / "data" / "sarif-schema-2.1.0.json"
LEVELS = {"note", "warning", "error"}
PRECISIONS = {"very-high", "high", "medium", "low"}
PROBLEM_SEVERITIES = {"error", "warning", "recommendation"}
CATEGORY = re.compile(r"egress-audit/[0-9a-f-]+/")
NUMERIC = re.compile(r"\d+(\.\d+)?")


@cache
def _validator() -> Any:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=FormatChecker())


def schema_errors(document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _validator().iter_errors(document)
    ]


def check_valid(document: Any) -> None:
    """Schema-valid SARIF 2.1.0 (for any file we write, upload or full report)."""
    assert FormatChecker().conforms("not a uri", "uri-reference") is False, (
        "jsonschema[format-nongpl] is needed to check uri-reference"
    )
    assert schema_errors(document) == []
    assert document["version"] == "2.1.0"
    assert document["$schema"].startswith("https://")
    for run in document["runs"]:
        # Every rule reference points at its rule in this run's driver.
        ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
        for result in run["results"]:
            if "ruleIndex" in result:
                assert ids[result["ruleIndex"]] == result["ruleId"]
        for invocation in run.get("invocations", []):
            for notification in invocation.get("toolExecutionNotifications", []):
                if "associatedRule" in notification:
                    rule = notification["associatedRule"]
                    assert ids[rule["index"]] == rule["id"]


def check_upload(document: dict[str, Any], text: str | None = None) -> None:
    """Everything GitHub code scanning needs from one upload file."""
    check_valid(document)
    runs = document["runs"]
    assert len(runs) <= 20
    ids = [run["automationDetails"]["id"] for run in runs]
    assert len(set(ids)) == len(ids), ids
    hashes: set[tuple[str, str]] = set()
    for run in runs:
        assert CATEGORY.fullmatch(run["automationDetails"]["id"]), run["automationDetails"]
        assert run["automationDetails"]["id"] == run["automationDetails"]["id"].lower()
        assert run["invocations"][0]["executionSuccessful"] is True
        rules = _check_driver(run["tool"]["driver"])
        # SARIF §3.27.23: `suppressions` is on every result of a run or on none.
        assert len({"suppressions" in r for r in run["results"]}) <= 1
        assert isinstance(run["results"], list)
        assert len(run["results"]) <= 25_000
        for result in run["results"]:
            _check_result(result, rules)
            key = (result["ruleId"], result["partialFingerprints"]["primaryLocationLineHash"])
            assert key not in hashes, key
            hashes.add(key)
    if text is not None:
        assert len(gzip.compress(text.encode("utf-8"))) <= 10_000_000


def _check_driver(driver: dict[str, Any]) -> list[str]:
    assert driver["name"] == "egress-audit"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", driver["semanticVersion"])
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(set(ids)) == len(ids)
    for rule in driver["rules"]:
        assert 0 < len(rule["name"]) <= 255
        for key in ("shortDescription", "fullDescription"):
            assert 0 < len(rule[key]["text"]) <= 1024
        assert rule["help"]["text"].strip()
        assert rule["help"]["markdown"].strip()
        assert rule["defaultConfiguration"]["level"] in LEVELS
        properties = rule["properties"]
        assert 0 < len(properties["tags"]) <= 20
        assert properties["precision"] in PRECISIONS
        assert properties["problem.severity"] in PROBLEM_SEVERITIES
        if "security-severity" in properties:
            score = properties["security-severity"]
            assert isinstance(score, str)
            assert NUMERIC.fullmatch(score), score
            assert 0.1 <= float(score) <= 10.0
    return ids


def _check_result(result: dict[str, Any], rules: list[str]) -> None:
    assert result["ruleId"] in rules
    assert rules[result["ruleIndex"]] == result["ruleId"]
    assert result["level"] in LEVELS
    assert result["message"]["text"].strip()
    for suppression in result.get("suppressions", []):
        # Suppressed results are uploaded marked, with the reason (docs/github.md).
        assert suppression["kind"] == "external"
        assert suppression["status"] == "accepted"
        assert suppression["justification"].strip()
    assert result.get("baselineState") != "absent", "absent results must not be uploaded"
    assert result.get("kind", "fail") == "fail"
    assert len(result["locations"]) == 1
    location = result["locations"][0]
    uri = location["physicalLocation"]["artifactLocation"]["uri"]
    check_relative_uri(uri)
    region = location["physicalLocation"]["region"]
    assert region["startLine"] >= 1
    assert region.get("endLine", region["startLine"]) >= region["startLine"]
    assert result["partialFingerprints"]["primaryLocationLineHash"]
    assert location["logicalLocations"][0]["kind"] == "resource"
    assert location["logicalLocations"][0]["fullyQualifiedName"].startswith("/subscriptions/")


def check_relative_uri(uri: str) -> None:
    """Repository-relative: no scheme, no leading slash, no `:` in the first segment, forward
    slashes, and percent-encoded (re-encoding the decoded segments gives it back)."""
    assert uri
    assert urlsplit(uri).scheme == ""
    assert not uri.startswith("/")
    assert ":" not in uri.split("/")[0]
    assert "\\" not in uri
    assert " " not in uri
    segments = uri.split("/")
    assert all(segments), uri
    assert [_encode(unquote(s)) for s in segments] == segments, uri


def _encode(segment: str) -> str:
    # A name made of dots only is encoded whole, so no resolver reads it as a dot segment.
    return segment.replace(".", "%2E") if set(segment) == {"."} else quote(segment, safe="")
