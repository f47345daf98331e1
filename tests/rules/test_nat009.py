from __future__ import annotations

from typing import Any

import pytest

from auditor import policy as policy_module
from auditor.errors import InputError
from auditor.fixtext import commands
from auditor.model import Severity
from rules import nat009
from rules._nodes import surge_nodes
from rules.registry import BUILTIN
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case

S = b.subnet_id("vnet", "s")
BARE = b.subnet_id("vnet", "bare")
NG = b.nat_id("ng")


def _policy(peak: int = 1000, clusters: tuple[str, ...] = ("aks",), rules: str = "") -> str:
    entries = "".join(
        f"""
  - match: {{id: "*/managedclusters/{name}"}}
    workloads:
      - name: api-client
        peak_connections_per_node: {peak}
      - name: quiet
        peak_connections_per_node: 10
"""
        for name in clusters
    )
    return f"clusters:{entries}{rules}"


def _estate(*clusters: dict[str, Any], ips: int = 1, prefixes: tuple[str, ...] = ()) -> b.Estate:
    """NAT gateway `ng` on subnet `s` with `ips` public IPs and the given prefix CIDRs."""
    ip_rows = [b.public_ip(f"ip{i}", f"20.0.0.{i + 1}") for i in range(ips)]
    prefix_rows = [b.public_ip_prefix(f"px{i}", cidr) for i, cidr in enumerate(prefixes)]
    return b.Estate().add(
        b.vnet(
            "vnet",
            [
                b.subnet("s", "vnet", "10.1.0.0/16", nat=NG),
                b.subnet("bare", "vnet", "10.2.0.0/16"),
            ],
        ),
        *ip_rows,
        *prefix_rows,
        b.nat(
            "ng",
            ips=tuple(r["id"] for r in ip_rows),
            prefixes=tuple(r["id"] for r in prefix_rows),
            subnets=(S,),
        ),
        *clusters,
    )


def _with_unread_prefix(estate: b.Estate) -> b.Estate:
    nat = next(row for row in estate.rows if row["id"] == NG)
    nat["properties"]["publicIpPrefixes"].append({"id": b.prefix_id("gone", rg="rg-x")})
    return estate


def _scaled(max_count: int, surge: str | None = "1", name: str = "aks") -> dict[str, Any]:
    """One autoscaled pool on the NAT subnet, currently at one node."""
    return b.cluster(name, [b.pool("sys", S, count=1, **b.autoscale(1, max_count, surge))])


def _fixed(count: int) -> dict[str, Any]:
    return b.cluster("aks", [b.pool("sys", S, count=count, upgradeSettings={"maxSurge": "1"})])


# One public IP: 50,000 connections to one destination; 1,000 per node declared.
CASES = [
    Case("peak 49,000 fits", _estate(_scaled(48)), passes={NG}, policy=_policy()),
    Case("peak 50,000 is the limit", _estate(_scaled(49)), passes={NG}, policy=_policy()),
    Case(
        "peak 51,000 exceeds it",
        _estate(_scaled(50)),
        fails={NG},
        policy=_policy(),
        severities={NG: Severity.MEDIUM},
    ),
    Case("39,000 now is below 80 %", _estate(_fixed(39)), passes={NG}, policy=_policy()),
    Case("40,000 now is exactly 80 %", _estate(_fixed(40)), passes={NG}, policy=_policy()),
    Case(
        "41,000 now passes 80 %",
        _estate(_fixed(41)),
        fails={NG},
        policy=_policy(),
        severities={NG: Severity.HIGH},
    ),
    Case(
        "default surge 10 % of 45 rounds up to 5: 50,000",
        _estate(_scaled(45, surge=None)),
        passes={NG},
        policy=_policy(),
    ),
    Case(
        "default surge 10 % of 46 rounds up to 5: 51,000",
        _estate(_scaled(46, surge=None)),
        fails={NG},
        policy=_policy(),
    ),
    Case(
        "1 IP + a /31 prefix = 3 addresses: 150,000 fits",
        _estate(_scaled(149), prefixes=("20.1.0.0/31",)),
        passes={NG},
        policy=_policy(),
    ),
    Case(
        "1 IP + a /31 prefix = 3 addresses: 151,000 does not",
        _estate(_scaled(150), prefixes=("20.1.0.0/31",)),
        fails={NG},
        policy=_policy(),
    ),
    Case(
        "an unread prefix leaves the limit unknown",
        _with_unread_prefix(_estate(_scaled(500))),
        passes={NG},
        policy=_policy(),
    ),
    Case("nothing declared, nothing judged", _estate(_scaled(500)), passes={NG}),
    Case(
        "two clusters share the NAT gateway: 30,600 + 30,600",
        _estate(_scaled(50, name="a"), _scaled(50, name="b")),
        fails={NG},
        policy=_policy(peak=600, clusters=("a", "b")),
    ),
    Case(
        "the policy lowers the total: 41,000 > 40,000",
        _estate(_scaled(40)),
        fails={NG},
        policy=_policy(rules="rules:\n  NAT009: {max_connections: 40000}\n"),
    ),
    Case(
        "SNAT ports cap a raised per-destination figure: 64,000 fits",
        _estate(_scaled(63)),
        passes={NG},
        policy=_policy(rules="rules:\n  NAT009: {connections_per_destination_per_ip: 100000}\n"),
    ),
    Case(
        "SNAT ports cap a raised per-destination figure: 65,000 does not",
        _estate(_scaled(64)),
        fails={NG},
        policy=_policy(rules="rules:\n  NAT009: {connections_per_destination_per_ip: 100000}\n"),
    ),
    Case(
        "pods in a NAT pod subnet count where their nodes do not",
        _estate(
            b.cluster(
                "aks",
                [b.pool("sys", BARE, pod_subnet=S, count=1, **b.autoscale(1, 50, "1"))],
                plugin_mode=None,
            )
        ),
        fails={NG},
        policy=_policy(),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(nat009.RULE, case)


def test_points_at_the_declaration_and_sizes_the_prefix() -> None:
    (finding,) = findings_for(nat009.RULE, CASES[2])
    assert finding.location is not None
    assert (finding.location.path, finding.location.line) == ("egress-audit.yaml", 5)  # the peak
    assert finding.details["workload"] == "api-client"
    assert finding.details["limit"] == "50000"
    assert finding.details["peak"] == "51000"
    assert commands(finding.remediation) == [
        f"az network public-ip prefix create -g {b.RG} -n ng-prefix --length 31 --sku Standard "
        f"&& az network nat gateway update -g {b.RG} -n ng --public-ip-prefixes ng-prefix"
    ]
    assert "the 2 addresses of ng-prefix join them" in finding.remediation
    assert finding.remediation.endswith("(3 addresses cover a peak of 51,000)")


def test_beyond_sixteen_addresses_split_the_subnets() -> None:
    (finding,) = findings_for(
        nat009.RULE, Case("huge", _estate(_scaled(999)), policy=_policy(peak=1000))
    )
    assert finding.remediation.startswith("20 public IPs would be needed")


@pytest.mark.parametrize(
    ("surge", "base", "expected"),
    [("10%", 45, 5), ("10%", 40, 4), ("33%", 10, 4), ("3", 10, 3), ("bad", 10, 1), (None, 0, 0)],
)
def test_surge_nodes(surge: str | None, base: int, expected: int) -> None:
    pool = b.pool("p", **({"upgradeSettings": {"maxSurge": surge}} if surge else {}))
    _, node_pool = next(b.Estate().add(b.cluster("c", [pool])).graph().node_pools())
    assert surge_nodes(node_pool, base, "10%") == expected


def test_policy_validates_the_parameters() -> None:
    configs = {rule.meta.id: rule.config for rule in BUILTIN}
    good = policy_module.parse(
        "rules:\n  NAT009: {high_ratio: 0.9, default_max_surge: '33%', max_connections: 10}\n",
        "p.yaml",
    )
    good.check_rules(configs)
    assert good.config("NAT009", nat009.Config) == nat009.Config(
        high_ratio=0.9, default_max_surge="33%", max_connections=10
    )
    bad = policy_module.parse("rules:\n  NAT009: {high_ratio: high}\n", "p.yaml")
    with pytest.raises(InputError, match="expected a number"):
        bad.check_rules(configs)
