"""EGR001, NET001 and NAT007 on small estates with the exact IDs that must fail and pass."""

from __future__ import annotations

import pytest

from auditor import policy as policy_module
from auditor.model import Finding, Rule, Severity
from auditor.policy import Policy
from rules import egr001, nat007, net001
from tests import estate_builder as b

NAT = b.nat_id("ng")
GOOD = b.subnet_id("vnet", "good")
BARE = b.subnet_id("vnet", "bare")
PRIVATE = b.subnet_id("vnet", "private")


def _run(rule: Rule, estate: b.Estate, policy: Policy = policy_module.EMPTY) -> list[Finding]:
    return list(rule.check(estate.graph(), policy))


def _network(*clusters: dict) -> b.Estate:
    return b.Estate().add(
        b.vnet(
            "vnet",
            [
                b.subnet("good", "vnet", "10.1.0.0/16", nat=NAT),
                b.subnet("bare", "vnet", "10.2.0.0/16"),
                b.subnet("private", "vnet", "10.3.0.0/16", default_outbound_access=False),
            ],
        ),
        b.nat("ng", ips=(b.pip_id("pip"),), subnets=(GOOD,)),
        b.public_ip("pip", "20.0.0.1"),
        *clusters,
    )


# -- EGR001 ----------------------------------------------------------------------------------


def test_egr001_flags_exactly_the_pools_outside_the_nat_subnet() -> None:
    estate = _network(
        b.cluster("aks", [b.pool("sys", GOOD), b.pool("batch", BARE), b.pool("locked", PRIVATE)])
    )
    findings = {f.resource_id: f for f in _run(egr001.RULE, estate)}
    assert set(findings) == {b.pool_id("aks", "batch"), b.pool_id("aks", "locked")}
    assert findings[b.pool_id("aks", "batch")].severity is Severity.HIGH
    assert findings[b.pool_id("aks", "locked")].severity is Severity.CRITICAL
    remediation = findings[b.pool_id("aks", "batch")].remediation
    assert remediation == (
        f"az network vnet subnet update -g {b.RG} --vnet-name vnet -n bare --nat-gateway {NAT}"
    )


@pytest.mark.parametrize("outbound", ["loadBalancer", "userDefinedRouting", "none"])
def test_egr001_ignores_clusters_that_do_not_declare_nat_egress(outbound: str) -> None:
    estate = _network(b.cluster("aks", [b.pool("batch", BARE)], outbound_type=outbound))
    assert _run(egr001.RULE, estate) == []


def test_egr001_passes_when_every_pool_subnet_has_the_nat() -> None:
    estate = _network(b.cluster("aks", [b.pool("sys", GOOD), b.pool("user", GOOD, mode="User")]))
    assert _run(egr001.RULE, estate) == []


def test_egr001_reports_nothing_for_a_subnet_it_could_not_read() -> None:
    unread = b.subnet_id("vnet-elsewhere", "nodes", rg="rg-other")
    estate = _network(b.cluster("aks", [b.pool("sys", GOOD), b.pool("far", unread)]))
    assert _run(egr001.RULE, estate) == []


# -- NET001 ----------------------------------------------------------------------------------


def test_net001_flags_kubenet_clusters_only() -> None:
    estate = _network(
        b.cluster("old", [b.pool("sys", BARE)], plugin="kubenet", plugin_mode=None),
        b.cluster("new", [b.pool("sys", GOOD)]),
    )
    findings = _run(net001.RULE, estate)
    assert [f.resource_id for f in findings] == [b.cluster_id("old")]
    assert findings[0].severity is Severity.HIGH
    assert "--network-plugin azure --network-plugin-mode overlay" in findings[0].remediation


@pytest.mark.parametrize(
    ("read_on", "severity"),
    [
        ("2027-09-29T00:00:00Z", Severity.HIGH),  # 184 days before 2028-03-31
        ("2027-09-30T00:00:00Z", Severity.CRITICAL),  # 183 days before: inside the window
    ],
)
def test_net001_becomes_critical_six_months_before_retirement(
    read_on: str, severity: Severity
) -> None:
    estate = _network(b.cluster("old", [b.pool("sys", BARE)], plugin="kubenet", plugin_mode=None))
    estate.collected_at = read_on
    assert [f.severity for f in _run(net001.RULE, estate)] == [severity]


# -- NAT007 ----------------------------------------------------------------------------------


def _idle_policy(seconds: int, cluster_glob: str = "*/managedclusters/aks") -> Policy:
    return policy_module.parse(
        f"""
clusters:
  - match:
      id: "{cluster_glob}"
    workloads:
      - name: longpoll
        max_idle_seconds: {seconds}
""",
        "egress-audit.yaml",
    )


@pytest.mark.parametrize(
    ("seconds", "fires"),
    [(239, False), (240, True), (600, True)],  # NAT default idle timeout: 4 min = 240 s
)
def test_nat007_boundary_of_the_nat_idle_timeout(seconds: int, fires: bool) -> None:
    estate = _network(b.cluster("aks", [b.pool("sys", GOOD)]))
    findings = _run(nat007.RULE, estate, _idle_policy(seconds))
    assert [f.resource_id for f in findings] == ([b.pool_id("aks", "sys")] if fires else [])


def test_nat007_points_at_the_declaring_policy_line_and_fills_the_nat_command() -> None:
    estate = _network(b.cluster("aks", [b.pool("sys", GOOD)]))
    (finding,) = _run(nat007.RULE, estate, _idle_policy(600))
    assert finding.location is not None
    assert (finding.location.path, finding.location.line) == ("egress-audit.yaml", 7)
    assert finding.remediation.endswith(
        f"az network nat gateway update -g {b.RG} -n ng --idle-timeout 11"
    )


def test_nat007_uses_the_load_balancer_idle_timeout() -> None:
    lb_pip = b.pip_id("lb")
    estate = _network(
        b.public_ip("lb", "20.0.0.5"),
        b.cluster(
            "aks",
            [b.pool("sys", BARE)],
            outbound_type="loadBalancer",
            load_balancer_profile={
                "effectiveOutboundIPs": [{"id": lb_pip}],
                "idleTimeoutInMinutes": 30,
            },
        ),
    )
    assert _run(nat007.RULE, estate, _idle_policy(1799)) == []
    (finding,) = _run(nat007.RULE, estate, _idle_policy(1800))
    assert "--load-balancer-idle-timeout 31" in finding.remediation


def test_nat007_ignores_clusters_the_policy_does_not_match() -> None:
    estate = _network(b.cluster("aks", [b.pool("sys", GOOD)]))
    assert _run(nat007.RULE, estate, _idle_policy(600, "*/managedclusters/other")) == []


def test_nat007_does_not_judge_an_unknown_egress_device() -> None:
    estate = _network(b.cluster("aks", [b.pool("sys", b.subnet_id("far", "s", rg="x"))]))
    assert _run(nat007.RULE, estate, _idle_policy(6000)) == []
