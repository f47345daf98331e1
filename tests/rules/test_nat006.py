from __future__ import annotations

import pytest

from auditor.fixtext import commands
from auditor.model import Severity
from rules import nat006
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case
from tests.rules.network import managed_nat_cluster

MANAGED_NAT = b.nat_id("aks-nat-gateway", rg=f"MC_{b.RG}_mng_westeurope")


def _user_nats(*idles: int | None) -> b.Estate:
    """One NAT gateway per idle timeout, each on its own subnet used by cluster `aks`."""
    names = [f"idle-{idle}" for idle in idles]
    return b.Estate().add(
        b.vnet(
            "vnet",
            [
                b.subnet(name, "vnet", f"10.{i}.0.0/16", nat=b.nat_id(name))
                for i, name in enumerate(names)
            ],
        ),
        *(
            b.nat(name, subnets=(b.subnet_id("vnet", name),), idle=idle)
            for name, idle in zip(names, idles, strict=True)
        ),
        b.cluster(
            "aks", [b.pool(name.replace("-", ""), b.subnet_id("vnet", name)) for name in names]
        ),
    )


CASES = [
    Case(
        "user-assigned NAT gateways around 4 and 30 minutes",
        _user_nats(None, 4, 5, 29, 30, 31),
        fails={b.nat_id(f"idle-{m}") for m in (5, 29, 30, 31)},
        passes={b.nat_id("idle-None"), b.nat_id("idle-4")},
        severities={
            b.nat_id("idle-5"): Severity.LOW,
            b.nat_id("idle-30"): Severity.LOW,
            b.nat_id("idle-31"): Severity.MEDIUM,
        },
    ),
    Case(
        "the cluster's policy moves the thresholds of the NAT gateway it alone uses",
        _user_nats(10, 11, 21),
        fails={b.nat_id("idle-11"), b.nat_id("idle-21")},
        passes={b.nat_id("idle-10")},
        policy="""
clusters:
  - match: {id: "*/managedclusters/aks"}
    rules:
      NAT006: {recommended_idle_minutes: 10, medium_above_minutes: 20}
""",
        severities={b.nat_id("idle-11"): Severity.LOW, b.nat_id("idle-21"): Severity.MEDIUM},
    ),
    Case(
        "a managed NAT gateway is judged on its cluster's profile",
        b.Estate().add(
            *managed_nat_cluster(
                "mng", [b.pool("sys")], profile={"idleTimeoutInMinutes": 31}, idle=31
            ),
            *managed_nat_cluster("ok", [b.pool("sys")], profile={"idleTimeoutInMinutes": 4}),
        ),
        fails={b.cluster_id("mng")},
        passes={b.cluster_id("ok"), MANAGED_NAT},
        severities={b.cluster_id("mng"): Severity.MEDIUM},
    ),
    Case(
        "the managed gateway's own timeout stands in for an unset profile value",
        b.Estate().add(*managed_nat_cluster("mng", [b.pool("sys")], profile={}, idle=10)),
        fails={b.cluster_id("mng")},
        passes={MANAGED_NAT},
        severities={b.cluster_id("mng"): Severity.LOW},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(nat006.RULE, case)


def test_fixes_go_through_the_right_command() -> None:
    user = next(
        f for f in findings_for(nat006.RULE, CASES[0]) if f.resource_id.text == b.nat_id("idle-31")
    )
    assert commands(user.remediation) == [
        f"az network nat gateway update -g {b.RG} -n idle-31 --idle-timeout 4"
    ]
    (managed,) = findings_for(nat006.RULE, CASES[2])
    assert commands(managed.remediation) == [
        f"az aks update -g {b.RG} -n mng --nat-gateway-idle-timeout 4"
    ]


def test_config_defaults_are_the_documented_values() -> None:
    assert nat006.Config() == nat006.Config(recommended_idle_minutes=4, medium_above_minutes=30)
    assert nat006.RULE.config is nat006.Config
