from __future__ import annotations

import pytest

from rules import life001
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import GOOD, network

STOPPED = {"code": "Stopped"}

CASES = [
    Case(
        "a stopped cluster is reported once, not per pool",
        network(
            b.cluster(
                "dev",
                [b.pool("sys", GOOD, powerState=STOPPED), b.pool("u", GOOD, powerState=STOPPED)],
                power_state="Stopped",
            )
        ),
        fails={b.cluster_id("dev")},
        passes={b.pool_id("dev", "sys"), b.pool_id("dev", "u")},
    ),
    Case(
        "a stopped pool of a running cluster",
        network(b.cluster("aks", [b.pool("sys", GOOD), b.pool("batch", GOOD, powerState=STOPPED)])),
        fails={b.pool_id("aks", "batch")},
        passes={b.cluster_id("aks"), b.pool_id("aks", "sys")},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(life001.RULE, case)


def test_start_commands() -> None:
    (cluster,) = findings_for(life001.RULE, CASES[0])
    assert cluster.remediation == f"az aks start -g {b.RG} -n dev"
    (pool,) = findings_for(life001.RULE, CASES[1])
    assert pool.remediation == f"az aks nodepool start -g {b.RG} --cluster-name aks -n batch"
