from __future__ import annotations

import pytest

from auditor.fixtext import commands
from auditor.model import Severity
from rules import egr012
from tests import estate_builder as b
from tests import hub_builder as h
from tests.rules.cases import Case, findings_for, run_case

NODES = b.subnet_id("vnet", "nodes")
PRIVATE = b.subnet_id("vnet", "private")
AKS = b.cluster_id("aks")
SYS = b.pool_id("aks", "sys")
CACHE = {
    "artifactSource": "Cache",
    "containerRegistryId": b.rid("Microsoft.ContainerRegistry/registries", "cache"),
}


def _estate(outbound: str, subnet: str = NODES, *, cache: bool = True, **pool: object) -> b.Estate:
    cluster = b.cluster("aks", [b.pool("sys", subnet, **pool)], outbound_type=outbound)
    if cache:
        h.with_properties(cluster, bootstrapProfile=CACHE)
    return b.Estate().add(
        b.vnet(
            "vnet",
            [
                b.subnet("nodes", "vnet", "10.1.0.0/24", nat=b.nat_id("ng")),
                b.subnet("private", "vnet", "10.1.1.0/24", default_outbound_access=False),
            ],
        ),
        b.nat("ng", ips=(b.pip_id("pip"),)),
        b.public_ip("pip", "20.0.0.1"),
        cluster,
    )


CASES = [
    Case(
        "none with the cache but a NAT gateway",
        _estate("none"),
        fails={SYS},
        severities={SYS: Severity.MEDIUM},
    ),
    Case("none with the cache on a private subnet", _estate("none", PRIVATE), passes={SYS, AKS}),
    Case(
        "none without the cache builds its own egress", _estate("none", cache=False), passes={SYS}
    ),
    Case(
        "block with a NAT gateway left on the subnet",
        _estate("block"),
        fails={SYS},
        severities={SYS: Severity.LOW},
    ),
    Case(
        "block without the cache cannot bootstrap",
        _estate("block", PRIVATE, cache=False),
        fails={AKS},
        severities={AKS: Severity.HIGH},
    ),
    Case(
        "none with the cache and node public IPs",
        _estate("none", PRIVATE, node_public_ip=True),
        fails={SYS},
    ),
    Case("an ordinary NAT cluster", _estate("userAssignedNATGateway"), passes={SYS, AKS}),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(egr012.RULE, case)


def test_the_fix_removes_the_nat_gateway_and_makes_the_subnet_private() -> None:
    (finding,) = findings_for(egr012.RULE, CASES[0])
    assert "declares network isolation" in finding.message
    assert "NAT gateway ng" in finding.message
    assert commands(finding.remediation) == [
        f"az network vnet subnet update -g {b.RG} --vnet-name vnet -n nodes --remove natGateway "
        "--default-outbound-access false"
    ]


def test_the_bootstrap_fix_switches_to_the_cache() -> None:
    (finding,) = findings_for(egr012.RULE, CASES[4])
    assert finding.key == "bootstrap"
    assert commands(finding.remediation)[0].startswith(
        f"az aks update -g {b.RG} -n aks --bootstrap-artifact-source Cache"
    )
