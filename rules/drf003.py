"""DRF003 subnet-nat-association-changed: a node pool subnet gained, lost or swapped its NAT."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.fixtext import command as command_line
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._drift import (
    ATTRIBUTION_HELP,
    CHANGES_DOC,
    INTENDED,
    both_read,
    evidence,
    subnet_name,
)
from rules._text import source_link, urls

NO_NAT = "no NAT gateway"

HISTORY_HINTS = ("natgateway", "subnets", "sourcevirtualnetwork")


META = RuleMeta(
    id="DRF003",
    name="subnet-nat-association-changed",
    title="Node pool subnets keep the NAT gateway association of the baseline",
    severity=Severity.HIGH,
    description=(
        "A subnet that node pools (their nodes or pods) use gained, lost or swapped its NAT "
        "gateway since the baseline."
    ),
    help_markdown=(
        f"A NAT gateway is attached per subnet ({source_link('NAT-OV')}); with "
        f"`userAssignedNATGateway` it must stay on the cluster's subnet ({source_link('AKS-NAT')}"
        "). Detached, the subnet's pools fall through to node public IPs, load balancer "
        "outbound rules, default outbound access or no egress at all "
        f"({source_link('AKS-DOA')}); attached, all new connections leave from the NAT "
        "gateway's addresses.\n\n"
        "Severity is high when a NAT gateway was removed or replaced, medium when one was only "
        "added. The association counts the subnet's own `natGateway` and a StandardV2 NAT "
        "gateway attached to the whole virtual network. Subnets that are unknown on either "
        "side are not compared. Change records of a subnet are filed under its virtual "
        "network; those of the NAT gateways are read too.\n\n" + ATTRIBUTION_HELP
    ),
    remediation=(
        "Restore the association (`az network vnet subnet update -g <rg> --vnet-name <vnet> "
        "-n <subnet> --nat-gateway <NAT gateway ID>`, or `az network vnet subnet update -g <rg> "
        "--vnet-name <vnet> -n <subnet> --remove natGateway`), or refresh the baseline with "
        "--update-baseline if the change was intended"
    ),
    sources=(*urls("NAT-OV", "AKS-NAT", "AKS-DOA"), CHANGES_DOC),
    tags=("security", "networking", "egress", "drift", "nat-gateway"),
    precision="very-high",
    needs_baseline=True,
    history_hints=HISTORY_HINTS,
    other_severities="medium when a NAT gateway was only added",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    comparison = ctx.compared()
    before, after = comparison.before, comparison.after
    for key, now in after.subnets.items():
        was = before.subnets.get(key)
        if was is None or not both_read(before, after, now.subnet.id):
            continue
        old, new = was.nat_gateway_id, now.nat_gateway_id
        if old == new or was.nat_unknown or now.nat_unknown:
            continue  # no change, or unknown on a side: not a change
        subnet = now.subnet
        name = subnet_name(subnet.id)
        pools = ("node pool " if len(now.pools) == 1 else "node pools ") + ", ".join(
            p.parts.name for p in now.pools
        )
        if old and new:
            change = f"swapped NAT gateway {old.parts.name} for {new.parts.name}"
        elif old:
            change = f"lost NAT gateway {old.parts.name}"
        else:
            change = f"gained NAT gateway {new.parts.name if new else ''}"
        parts = subnet.id.parts
        command = (
            f"az network vnet subnet update -g {parts.resource_group} --vnet-name "
            f"{parts.parent} -n {subnet.name}"
        )
        restore = command_line(
            f"{command} --nat-gateway {old}" if old else f"{command} --remove natGateway"
        )
        yield META.finding(
            severity=Severity.HIGH if old else Severity.MEDIUM,
            resource_id=subnet.id,
            message=(f"Subnet {name}, used by {pools}, {change} since the baseline."),
            observed=new.text if new else NO_NAT,
            expected=old.text if old else NO_NAT,
            evidence=evidence(subnet.id, old, new, *now.pools),
            details={
                "before": old.text if old else "",
                "after": new.text if new else "",
                "added": new.text if new else "",
                "removed": old.text if old else "",
            },
            remediation=f"If it was not intended, restore it: {restore}. {INTENDED}.",
        )


RULE = Rule(META, check)
