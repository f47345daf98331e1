from __future__ import annotations

import pytest

from auditor.model import Severity
from rules import net001
from tests import estate_builder as b
from tests.rules.cases import Case, run_case
from tests.rules.network import BARE, GOOD, network


def _kubenet(read_on: str = "2026-11-20T06:00:00Z") -> b.Estate:
    estate = network(
        b.cluster("old", [b.pool("sys", BARE)], plugin="kubenet", plugin_mode=None),
        b.cluster("new", [b.pool("sys", GOOD)]),
    )
    estate.collected_at = read_on
    return estate


CASES = [
    Case(
        "kubenet and overlay side by side",
        _kubenet(),
        fails={b.cluster_id("old")},
        passes={b.cluster_id("new")},
        severities={b.cluster_id("old"): Severity.HIGH},
    ),
    Case(  # 184 days before 2028-03-31: still high
        "just outside the six-month window",
        _kubenet("2027-09-29T00:00:00Z"),
        fails={b.cluster_id("old")},
        severities={b.cluster_id("old"): Severity.HIGH},
    ),
    Case(  # 183 days before: critical
        "inside the six-month window",
        _kubenet("2027-09-30T00:00:00Z"),
        fails={b.cluster_id("old")},
        severities={b.cluster_id("old"): Severity.CRITICAL},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    findings = run_case(net001.RULE, case)
    for finding in findings:
        assert "--network-plugin azure --network-plugin-mode overlay" in finding.remediation
