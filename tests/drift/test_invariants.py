"""What is not drift: the same estate, its IDs in other casing, its rows in another order."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from auditor import drift, snapshot
from auditor import policy as policy_module
from auditor.snapshot import Snapshot
from rules.registry import BUILTIN
from tests import estate_builder as b
from tests.drift.cases import NODES, baseline, detect, estate


def _demo_document() -> dict[str, Any]:
    text = resources.files("auditor.demo").joinpath("estate.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def _upper_ids(value: Any) -> Any:
    if isinstance(value, str) and value.lower().startswith("/subscriptions/"):
        return value.upper()
    if isinstance(value, dict):
        return {k: _upper_ids(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_upper_ids(v) for v in value]
    return value


def _reversed_lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reversed_lists(v) for k, v in reversed(list(value.items()))}
    if isinstance(value, list):
        return [_reversed_lists(v) for v in reversed(value)]
    return value


def _drift(before: Snapshot, after: Snapshot) -> list[str]:
    drift_rules = [rule for rule in BUILTIN if rule.meta.needs_baseline]
    findings = detect(before, after, policy_module.EMPTY, drift_rules)
    return [f"{f.rule_id} {f.resource_id} {f.key}" for f in findings]


def _demo(transform: Any = None) -> Snapshot:
    document = _demo_document()
    if transform is not None:
        document = {**document, "resources": transform(copy.deepcopy(document["resources"]))}
    return snapshot.parse_document(document, "demo")


@pytest.mark.parametrize(
    "transform", [None, _upper_ids, _reversed_lists], ids=["identical", "upper-cased", "reordered"]
)
def test_the_demo_against_itself_has_no_drift(transform: Any) -> None:
    assert _drift(_demo(), _demo(transform)) == []
    assert _drift(_demo(transform), _demo()) == []


def test_a_reference_spelled_in_other_casing_is_not_drift() -> None:
    after = estate(pools=[b.pool("sys", NODES.lower()), b.pool("user", NODES.upper(), mode="User")])
    after.rows[0]["properties"]["subnets"][0]["properties"]["natGateway"]["id"] = b.nat_id(
        "ng-a"
    ).upper()
    assert _drift(baseline().snapshot(), after.snapshot()) == []


def test_the_demo_has_egress_to_compare() -> None:
    """Guards the invariants above against passing vacuously."""
    facts = drift.EstateFacts.of(_demo())
    assert len(facts.pools) == 40
    assert len(facts.subnets) >= 10
    assert {t.owner for t in facts.timeouts.values()} == {
        "nat-gateway",
        "natGatewayProfile",
        "loadBalancerProfile",
    }
