from __future__ import annotations

import pytest

from rules import net002
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import BARE, GOOD, PRIVATE, network

CASES = [
    Case(
        "node subnet, overlay, pod subnet and kubenet",
        network(
            b.cluster("legacy", [b.pool("sys", GOOD), b.pool("user", GOOD)], plugin_mode=None),
            b.cluster("overlay", [b.pool("sys", GOOD)]),
            b.cluster(
                "podsubnet",
                [b.pool("sys", GOOD, pod_subnet=PRIVATE), b.pool("user", GOOD)],
                plugin_mode=None,
            ),
            b.cluster("kubenet", [b.pool("sys", BARE)], plugin="kubenet", plugin_mode=None),
        ),
        fails={b.cluster_id("legacy")},
        passes={b.cluster_id("overlay"), b.cluster_id("podsubnet"), b.cluster_id("kubenet")},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(net002.RULE, case)


def test_message_and_command() -> None:
    (finding,) = findings_for(net002.RULE, CASES[0])
    assert finding.message == (
        "Cluster legacy runs Azure CNI in the legacy node-subnet mode: no network plugin mode "
        "and no pod subnet on any of its 2 node pools."
    )
    assert finding.remediation == (
        f"az aks update -g {b.RG} -n legacy --network-plugin azure "
        "--network-plugin-mode overlay --pod-cidr 192.168.0.0/16"
    )
