from __future__ import annotations

import pytest

from rules import pol002
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import GOOD, network

# The estate is read on 2026-11-20 (estate_builder.Estate.collected_at).


def _estate() -> b.Estate:
    return network(
        b.cluster("aks", [b.pool("sys", GOOD)]),
        b.cluster("other", [b.pool("sys", GOOD)]),
    )


def _suppression(expires: str, resource: str = "*/managedClusters/aks*") -> str:
    return f"""\
suppressions:
  - rule: NAT007
    resource: "{resource}"
    justification: keepalive rollout tracked in OPS-1234
    expires: {expires}
"""


AKS = b.cluster_id("aks")
POOL = b.pool_id("aks", "sys")
CASES = [
    Case(
        "expired the day before the estate was read",
        _estate(),
        fails={AKS, POOL},  # every resource the glob matches
        passes={b.cluster_id("other"), b.pool_id("other", "sys")},
        policy=_suppression("2026-11-19"),
    ),
    Case(
        "the expiry date itself still counts",
        _estate(),
        passes={AKS, POOL},
        policy=_suppression("2026-11-20"),
    ),
    Case(
        "the glob is case-insensitive",
        _estate(),
        fails={POOL},
        passes={AKS},
        policy=_suppression("2026-01-01", "*/MANAGEDCLUSTERS/AKS/AGENTPOOLS/SYS"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(pol002.RULE, case)


def test_located_at_the_suppression_and_keyed_by_it() -> None:
    finding = next(f for f in findings_for(pol002.RULE, CASES[0]) if f.resource_id.text == POOL)
    assert finding.location is not None
    assert (finding.location.path, finding.location.line) == ("egress-audit.yaml", 2)
    assert finding.key == "NAT007|*/managedclusters/aks*"
    assert finding.message == (
        f"The suppression of NAT007 for {POOL} (egress-audit.yaml:2) expired on 2026-11-19; "
        "its findings count again."
    )
    assert finding.details["justification"] == "keepalive rollout tracked in OPS-1234"
