from __future__ import annotations

import pytest

from auditor.fixtext import commands
from auditor.model import Severity
from rules import nat002
from tests import estate_builder as b
from tests.rules.cases import Case, findings_for, run_case

A = b.subnet_id("vnet", "a")


def _estate() -> b.Estate:
    return b.Estate().add(
        b.vnet("vnet", [b.subnet("a", "vnet", "10.1.0.0/16", nat=b.nat_id("subnet-side"))]),
        b.vnet("vnet2", []),
        b.public_ip("pip", "20.0.0.1"),
        b.nat("listed", subnets=(A,)),
        b.nat("subnet-side"),
        b.nat("whole-vnet", sku="StandardV2", sourceVirtualNetwork={"id": b.vnet_id("vnet2")}),
        b.nat("idle", ips=(b.pip_id("pip"),)),
    )


CASES = [
    Case(
        "a NAT gateway on no subnet and no virtual network",
        _estate(),
        fails={b.nat_id("idle")},
        passes={b.nat_id("listed"), b.nat_id("subnet-side"), b.nat_id("whole-vnet")},
        severities={b.nat_id("idle"): Severity.LOW},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_cases(case: Case) -> None:
    run_case(nat002.RULE, case)


def test_names_the_idle_addresses_and_the_delete_command() -> None:
    (finding,) = findings_for(nat002.RULE, CASES[0])
    assert "20.0.0.1/32 serve nothing" in finding.message
    assert commands(finding.remediation)[-1] == f"az network nat gateway delete -g {b.RG} -n idle"
