"""The checker of printed commands (tests/printed_commands.py) finds each kind of mistake, and
agrees with the recorded table's own parser observations."""

from __future__ import annotations

import json

import pytest

from tests.printed_commands import TABLE, placeholders, problems

RG = "-g rg -n aks"


@pytest.mark.parametrize(
    ("fix", "problem"),
    [
        ("az aks updat -g rg -n aks", "unknown command"),
        ("az network nat gateway update -g rg -n ng --sku Standard", "has no flag --sku"),
        (f"az aks update {RG} --load-balancer-sku basic", "--load-balancer-sku basic is not one"),
        (f"az aks update {RG} --outbound-type managedNATGatewayV2", "is not one of"),
        ("az aks update -g rg --name aks -n aks", "-n is given twice (as --name)"),
        (f"az aks update {RG} --tier=free --tier=free", "given twice"),
        ("az aks update -g rg", "requires --name"),
        ("az aks start rg aks", "takes no positional argument 'rg'"),
        (
            f"az aks update {RG} --nat-gateway-managed-outbound-ipv6-count 1 (Azure CLI 2.91.0)",
            "accepted only with --outbound-type-sku StandardV2",
        ),
        (
            f"az aks update {RG} --outbound-type-sku StandardV2",
            "needs Azure CLI 2.91.0, which the fix must say",
        ),
        ("Run `az aks start {RG}; az aks show {RG}`", "shell operator ';'"),
        ("Run `az aks start -g rg -n aks &&`", "empty command around &&"),
        ("Run `az aks start -g 'rg -n aks`", "does not split as a shell line"),
        ("Run `--remove natGateway` on the subnet", "neither an az nor an egress-audit command"),
        ("Then run az aks start -g rg -n aks", "command outside a code span: az aks"),
        ("refresh with egress-audit --baseline x", "command outside a code span: egress-audit"),
        ("`egress-audit drift --baseline b.json --no-such-flag`", "unrecognized arguments"),
        ("`egress-audit drift`", "the following arguments are required: --baseline"),
        ("`egress-audit rules --format text`", "no parser recorded for egress-audit rules"),
    ],
)
def test_a_mistake_is_found(fix: str, problem: str) -> None:
    assert any(problem in p for p in problems(fix)), problems(fix)


@pytest.mark.parametrize(
    "fix",
    [
        f"az aks update {RG} --outbound-type userassignednatgateway",  # enums ignore case
        "az network vnet subnet show --ids /subscriptions/s/x --query natGateway",  # --ids
        "az network public-ip create -g rg -n p --zone 1 2 3",  # a list of values
        "First `az aks update -g rg -n a --tier free` (then `az aks show -g rg -n a`)",
        "`az aks update -g rg -n <cluster> --nat-gateway-idle-timeout <minutes>`",
        "`egress-audit drift --baseline <baseline file> --update-baseline`",
        "`egress-audit --demo --format json -o report.json`",
        "Set keepalives in the workloads; nothing to run.",
    ],
)
def test_a_good_fix_passes(fix: str) -> None:
    assert problems(fix) == []


def test_placeholders_are_read_from_the_commands_only() -> None:
    fix = "Pick <a name>: `az aks nodepool add -g rg --cluster-name c -n <new pool> --zones 1`"
    assert placeholders(fix) == {"<new pool>"}


def _observations(kind: str) -> list[str]:
    recorded = json.loads(TABLE.read_text(encoding="utf-8"))
    return [line for entry in recorded.values() for line in entry.get(kind) or ()]


@pytest.mark.parametrize("line", _observations("parser_accepted"))
def test_what_azure_cli_accepted_passes(line: str) -> None:
    assert problems(f"`{line}` (Azure CLI 2.91.0 or later)") == []


@pytest.mark.parametrize("line", _observations("parser_rejected"))
def test_what_azure_cli_rejected_fails(line: str) -> None:
    assert problems(line)
