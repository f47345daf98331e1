from __future__ import annotations

import pytest

from auditor.model import Severity
from rules import drf006
from tests import estate_builder as b
from tests.drift.cases import (
    NODES,
    OTHER,
    PODS,
    SYS,
    USER,
    DriftCase,
    baseline,
    detect,
    drift_findings,
    estate,
    run_drift_case,
)

NEW = b.pool_id("aks", "new")
OTHER_SUB = "00000000-0000-4000-8000-000000000002"


def _pools(*extra: dict[str, object]) -> list[dict[str, object]]:
    return [b.pool("sys", NODES), b.pool("user", NODES, mode="User"), *extra]


CASES = [
    DriftCase(
        "a pool added",
        baseline(),
        estate(pools=_pools(b.pool("new", OTHER, mode="User"))),
        expected={(NEW, "added"): ("absent", OTHER)},
        passes={SYS, USER},
        severities={(NEW, "added"): Severity.LOW},
    ),
    DriftCase(
        "a pool removed",
        baseline(),
        estate(pools=[b.pool("sys", NODES)]),
        expected={(USER, "removed"): (NODES, "absent")},
        passes={SYS},
        severities={(USER, "removed"): Severity.INFO},
    ),
    DriftCase(
        "a pool's nodes moved to another subnet",
        baseline(),
        estate(pools=[b.pool("sys", NODES), b.pool("user", OTHER, mode="User")]),
        expected={(USER, "nodes"): (NODES, OTHER)},
        passes={SYS},
        severities={(USER, "nodes"): Severity.MEDIUM},
    ),
    DriftCase(
        "a pool's pods got their own subnet",
        baseline(),
        estate(pools=[b.pool("sys", NODES), b.pool("user", NODES, mode="User", pod_subnet=PODS)]),
        expected={(USER, "pods"): ("", PODS)},
    ),
    DriftCase("identical estates", baseline(), estate(), passes={SYS, USER}),
    DriftCase(
        "a pool in a subscription the current snapshot did not read is unknown, not removed",
        baseline().add(
            b.cluster("far", [b.pool("sys", NODES)], sub=OTHER_SUB),
        ),
        estate(),
        passes={b.pool_id("far", "sys", sub=OTHER_SUB)},
    ),
    DriftCase(
        "a pool in a subscription the baseline did not read is not added",
        baseline(),
        estate().add(b.cluster("far", [b.pool("sys", NODES)], sub=OTHER_SUB)),
        passes={b.pool_id("far", "sys", sub=OTHER_SUB)},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: DriftCase) -> None:
    run_drift_case(drf006.RULE, case)


def test_added_pool_says_where_it_leaves() -> None:
    (finding,) = drift_findings(drf006.RULE, CASES[0])
    assert finding.message.startswith(
        "Node pool new of cluster aks was added since the baseline, in subnet vnet/other; "
        "it leaves through NAT gateway ng-b (20.0.0.3/32)."
    )
    assert (finding.expected, finding.observed) == ("absent", "present")


def test_moved_pool_message() -> None:
    (finding,) = drift_findings(drf006.RULE, CASES[2])
    assert finding.message.startswith(
        "Node pool user of cluster aks moved its nodes from subnet vnet/nodes to subnet "
        "vnet/other; they now leave through NAT gateway ng-b (20.0.0.3/32)."
    )
    assert (finding.expected, finding.observed) == (NODES, OTHER)


def test_a_scope_that_failed_in_the_current_snapshot_is_not_removal() -> None:
    after = estate(pools=[b.pool("sys", NODES)])
    document = after.document()
    document["errors"] = [
        {
            "scope": "subscriptions batch 1/1",
            "status": 429,
            "message": "throttled",
            "subscriptions": [b.SUB],
        }
    ]
    from auditor import policy as policy_module
    from auditor import snapshot

    findings = detect(
        baseline().snapshot(),
        snapshot.parse_document(document, "estate.json"),
        policy_module.EMPTY,
        [drf006.RULE],
    )
    assert findings == []
