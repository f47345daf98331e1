from __future__ import annotations

import pytest

from rules import meta001
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import GOOD, network

CASES = [
    Case(
        "preview, unknown and stable outbound types",
        network(
            b.cluster("v2", [b.pool("sys", GOOD)], outbound_type="managedNATGatewayV2"),
            b.cluster("blocked", [b.pool("sys", GOOD)], outbound_type="block"),
            b.cluster("odd", [b.pool("sys", GOOD)], outbound_type="quantumTunnel"),
            b.cluster("nat", [b.pool("sys", GOOD)]),
            b.cluster("lb", [b.pool("sys", GOOD)], outbound_type="LOADBALANCER"),
            b.cluster("none", [b.pool("sys", GOOD)], outbound_type="none"),
        ),
        fails={b.cluster_id("v2"), b.cluster_id("blocked"), b.cluster_id("odd")},
        passes={b.cluster_id("nat"), b.cluster_id("lb"), b.cluster_id("none")},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(meta001.RULE, case)


def test_messages_tell_preview_from_unknown() -> None:
    messages = {f.resource_id.text: f.message for f in findings_for(meta001.RULE, CASES[0])}
    assert messages[b.cluster_id("v2")] == (
        "Cluster v2 has outbound type managedNATGatewayV2, a preview value, outside the "
        "stable API's enum."
    )
    assert messages[b.cluster_id("odd")] == (
        "Cluster odd has outbound type quantumTunnel, a value egress-audit does not know, "
        "outside the stable API's enum."
    )
