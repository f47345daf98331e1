from __future__ import annotations

from pathlib import Path

import pytest

from auditor import policy as policy_module
from auditor.fixtext import commands
from auditor.model import RuleContext, SourceLocation
from rules import egr010
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import BARE, GOOD, NAT, network

PODS = b.subnet_id("pods", "pods")


def _policy(*allowed: str, glob: str = "*/managedclusters/aks") -> str:
    items = ", ".join(f'"{a}"' for a in allowed)
    return f"""
clusters:
  - match:
      id: "{glob}"
    allowed_egress: [{items}]
"""


def _lb_cluster(name: str = "aks") -> dict[str, object]:
    return b.cluster(
        name,
        [b.pool("sys", BARE)],
        outbound_type="loadBalancer",
        load_balancer_profile={"effectiveOutboundIPs": [{"id": b.pip_id("lb")}]},
    )


SYS = b.pool_id("aks", "sys")
NO_HOLDER = "no NAT gateway of the estate holds the allowlisted address"
BATCH = b.pool_id("aks", "batch")

CASES = [
    Case(
        "a pool outside the NAT subnet leaves from the load balancer",
        network(
            b.public_ip("lb", "51.0.0.9"),
            b.cluster(
                "aks",
                [b.pool("sys", GOOD), b.pool("batch", BARE, mode="User")],
                outbound_type="loadBalancer",
                load_balancer_profile={"effectiveOutboundIPs": [{"id": b.pip_id("lb")}]},
            ),
        ),
        fails={BATCH},
        passes={SYS},
        policy=_policy("20.0.0.1"),
    ),
    Case(
        "the NAT IP is inside an allowed CIDR",
        network(b.cluster("aks", [b.pool("sys", GOOD)])),
        passes={SYS},
        policy=_policy("20.0.0.0/24"),
    ),
    Case(
        "a prefix only partly inside the allowlist is outside",
        b.Estate().add(
            b.vnet("vnet", [b.subnet("good", "vnet", "10.1.0.0/16", nat=NAT)]),
            b.nat("ng", prefixes=(b.prefix_id("pfx"),)),
            b.public_ip_prefix("pfx", "20.0.0.0/28"),
            b.cluster("aks", [b.pool("sys", GOOD)]),
        ),
        fails={SYS},
        policy=_policy("20.0.0.0/29"),
    ),
    Case(
        "pods in their own subnet leave from elsewhere",
        network(
            b.vnet("pods", [b.subnet("pods", "pods", "10.9.0.0/16", nat=b.nat_id("ng-pods"))]),
            b.nat("ng-pods", ips=(b.pip_id("pods-ip"),)),
            b.public_ip("pods-ip", "30.0.0.7"),
            b.cluster("aks", [b.pool("sys", GOOD, pod_subnet=PODS)], plugin_mode=None),
        ),
        fails={SYS},
        policy=_policy("20.0.0.1/32"),
    ),
    Case(
        "unknown egress (default outbound access) is not a breach",
        network(b.cluster("aks", [b.pool("batch", BARE)])),
        passes={BATCH},
        policy=_policy("20.0.0.1"),
    ),
    Case(
        "unknown addresses (an out-of-scope public IP) are not a breach",
        b.Estate().add(
            b.vnet("vnet", [b.subnet("good", "vnet", "10.1.0.0/16", nat=NAT)]),
            b.nat("ng", ips=(b.pip_id("far", rg="rg-x"),)),
            b.cluster("aks", [b.pool("sys", GOOD)]),
        ),
        passes={SYS},
        policy=_policy("20.0.0.1"),
    ),
    Case(
        "no allowlist for the cluster: nothing to judge",
        network(b.public_ip("lb", "51.0.0.9"), _lb_cluster()),
        passes={SYS},
        policy=_policy("20.0.0.1", glob="*/managedclusters/other"),
    ),
    Case(
        "two matching entries allow together",
        network(b.public_ip("lb", "51.0.0.9"), _lb_cluster()),
        passes={SYS},
        policy=_policy("20.0.0.1") + '  - match: {resource_group: "rg-test"}\n'
        '    allowed_egress: ["51.0.0.0/24"]\n',
    ),
    Case(
        NO_HOLDER,
        network(b.public_ip("lb", "51.0.0.9"), _lb_cluster()),
        fails={SYS},
        policy=_policy("20.9.9.9"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(egr010.RULE, case)


def test_names_the_addresses_outside_and_points_at_the_policy() -> None:
    (finding,) = findings_for(egr010.RULE, CASES[0])
    assert finding.message == (
        "Node pool batch of cluster aks leaves from 51.0.0.9/32, outside the allowed egress "
        "20.0.0.1/32 (nodes through load balancer outbound rules (51.0.0.9/32))."
    )
    assert finding.observed == "51.0.0.9/32"
    assert finding.expected == "only 20.0.0.1/32"
    assert finding.location == SourceLocation("egress-audit.yaml", 3)
    # ng leaves from 20.0.0.1 only: it holds the allowlisted address.
    assert commands(finding.remediation) == [
        f"az network vnet subnet update -g {b.RG} --vnet-name vnet -n bare --nat-gateway {NAT}"
    ]
    assert "Attach the NAT gateway that holds them" in finding.remediation


def test_no_nat_gateway_holds_the_allowlisted_addresses() -> None:
    (finding,) = run_case(egr010.RULE, next(c for c in CASES if c.name == NO_HOLDER))
    assert commands(finding.remediation)[0].endswith("--nat-gateway <NAT gateway ID>")


def test_a_free_prefix_inside_the_allowlist_is_named_and_stray_ips_are_taken_off() -> None:
    estate = b.Estate().add(
        b.vnet("vnet", [b.subnet("good", "vnet", "10.1.0.0/16", nat=NAT)]),
        b.nat("ng", ips=(b.pip_id("stray"),)),
        b.public_ip("stray", "51.0.0.9"),
        b.public_ip_prefix("taken", "20.0.0.0/30"),
        b.public_ip_prefix("free", "20.0.0.4/30"),
        {**b.public_ip_prefix("far", "20.0.0.8/30", rg="rg-other"), "location": "eastus"},
        b.nat("other", prefixes=(b.prefix_id("taken"),)),
        b.cluster("aks", [b.pool("sys", GOOD)]),
    )
    (finding,) = findings_for(egr010.RULE, Case("free", estate, policy=_policy("20.0.0.0/24")))
    assert commands(finding.remediation) == [
        f"az network nat gateway update -g {b.RG} -n ng --public-ip-prefixes free"
    ]
    assert "take off its public IPs outside the allowlist (stray)" in finding.remediation


def test_pod_breach_names_the_pods() -> None:
    (finding,) = findings_for(egr010.RULE, CASES[3])
    assert finding.details["outside"] == "30.0.0.7/32"
    assert "(pods through NAT gateway ng-pods (30.0.0.7/32))" in finding.message
    assert finding.details["podsPath"] == "nat-gateway"


def test_partial_prefix_is_named() -> None:
    (finding,) = findings_for(egr010.RULE, CASES[2])
    assert finding.observed == "20.0.0.0/28"
    assert "az network nat gateway update -g rg-test -n ng --public-ip-prefixes" in (
        finding.remediation
    )


def test_a_static_egress_gateway_prefix_outside_the_allowlist(tmp_path: Path) -> None:
    (tmp_path / "gateway.yaml").write_text(
        "apiVersion: egressgateway.kubernetes.azure.com/v1alpha1\n"
        "kind: StaticGatewayConfiguration\n"
        "metadata: {name: partner, namespace: sync}\n"
        f"spec: {{gatewayNodepoolName: gw, publicIpPrefixId: {b.prefix_id('gw-prefix')}}}\n"
    )
    (tmp_path / "egress-audit.yaml").write_text(
        "clusters:\n"
        "  - match: {id: '*/managedClusters/aks'}\n"
        "    allowed_egress: [20.0.0.1/32]\n"
        "    manifests: [gateway.yaml]\n"
    )
    nodes = b.subnet_id("vnet", "nodes")
    estate = b.Estate().add(
        b.vnet("vnet", [b.subnet("nodes", "vnet", "10.1.0.0/24", nat=b.nat_id("ng"))]),
        b.nat("ng", ips=(b.pip_id("pip"),)),
        b.public_ip("pip", "20.0.0.1"),
        b.public_ip_prefix("gw-prefix", "20.9.0.0/31"),
        b.cluster("aks", [b.pool("sys", nodes), b.pool("gw", nodes, mode="Gateway", count=2)]),
    )
    policy = policy_module.load(tmp_path / "egress-audit.yaml")
    (finding,) = egr010.RULE.check(RuleContext(estate.graph(), policy))
    assert finding.resource_id.text == b.pool_id("aks", "gw")
    assert finding.key == "workload:gw (sync/partner)"
    assert finding.message.startswith(
        "Pods annotated for static egress gateway gw (sync/partner) leave from 20.9.0.0/31, "
        "outside the allowed egress 20.0.0.1/32"
    )
