from __future__ import annotations

import pytest

from auditor.fixtext import commands
from auditor.model import Severity
from rules import nat005
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case


def _sid(name: str) -> str:
    return b.subnet_id("vnet", name)


NATS = {"z1": {"zones": ("1",)}, "nozone": {}, "v2z1": {"zones": ("1",), "sku": "StandardV2"}}


def _estate() -> b.Estate:
    return b.Estate().add(
        b.vnet(
            "vnet",
            [
                b.subnet(name, "vnet", f"10.{i}.0.0/16", nat=b.nat_id(name))
                for i, name in enumerate(NATS)
            ],
        ),
        b.public_ip("pip", "20.0.0.1"),
        *(
            b.nat(name, ips=(b.pip_id("pip"),), subnets=(_sid(name),), **kwargs)
            for name, kwargs in NATS.items()
        ),
        b.cluster(
            "aks",
            [
                b.pool("elsewhere", _sid("z1"), zones=("2", "3")),
                b.pool("same", _sid("z1"), zones=("1",)),
                b.pool("spread", _sid("z1"), zones=("1", "2", "3")),  # NAT004's
                b.pool("regional", _sid("z1"), zones=()),
                b.pool("nozone", _sid("nozone"), zones=("2",)),
                b.pool("v2", _sid("v2z1"), zones=("2",)),
            ],
        ),
    )


CASES = [
    Case(
        "a zonal NAT gateway outside its pool's zones",
        _estate(),
        fails={b.pool_id("aks", "elsewhere")},
        passes={b.pool_id("aks", name) for name in ("same", "spread", "regional", "nozone", "v2")},
        severities={b.pool_id("aks", "elsewhere"): Severity.LOW},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(nat005.RULE, case)


def test_fix_recreates_the_pool_in_the_nat_zone() -> None:
    (finding,) = findings_for(nat005.RULE, CASES[0])
    assert commands(finding.remediation)[:2] == [
        f"az aks nodepool add -g {b.RG} --cluster-name aks -n <new pool> --zones 1 "
        f"--vnet-subnet-id {_sid('z1')}",
        f"az aks nodepool delete -g {b.RG} --cluster-name aks -n elsewhere",
    ]
