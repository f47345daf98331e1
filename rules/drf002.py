"""DRF002 egress-path-kind-changed: a node pool's traffic now leaves by another kind of path."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model import EgressKind, Finding, Rule, RuleContext, RuleMeta, Severity
from rules._drift import (
    ATTRIBUTION_HELP,
    CHANGES_DOC,
    INTENDED,
    allowlisted,
    both_read,
    evidence,
    restore_path,
    side_label,
)
from rules._text import source_link, urls

# Paths after which the pool has no stable egress at all.
LOST = frozenset({EgressKind.NONE, EgressKind.BLACKHOLE, EgressKind.DEFAULT_OUTBOUND})

HISTORY_HINTS = (
    "natgateway",
    "routes",
    "routetable",
    "nexthop",
    "outbound",
    "publicip",
    "defaultoutboundaccess",
    "subnet",
    "agentpoolprofiles",
)


META = RuleMeta(
    id="DRF002",
    name="egress-path-kind-changed",
    title="Node pools leave by the same kind of egress path as in the baseline",
    severity=Severity.MEDIUM,
    description=(
        "A node pool's effective egress (or its pods', with a pod subnet) changed kind since "
        "the baseline, e.g. from a NAT gateway to load balancer outbound rules or to a "
        "0.0.0.0/0 route through a virtual appliance."
    ),
    help_markdown=(
        "Azure picks a subnet's egress by precedence: a 0.0.0.0/0 route to an appliance or "
        "gateway, then the subnet's NAT gateway, then instance-level public IPs, then load "
        "balancer outbound rules, then default outbound access "
        f"({source_link('NAT-OV')}, {source_link('NAT-TSC')}). A route added, a NAT gateway "
        "detached or attached, or node public IPs turned on changes the path without any "
        f"change to the cluster's outbound type ({source_link('AKS-NAT')}), and with it the "
        "addresses, the idle timeout and the SNAT capacity.\n\n"
        "Severity is high when the policy declares `allowed_egress` for the cluster, or when "
        "the new path is no egress, a blackhole route or default outbound access (an implicit "
        "address that can change); medium otherwise. A path that is unknown on either side is "
        "not compared.\n\n" + ATTRIBUTION_HELP
    ),
    remediation=(
        "Restore the previous path (e.g. `az network vnet subnet update -g <rg> --vnet-name "
        "<vnet> -n <subnet> --nat-gateway <NAT gateway ID>`), or refresh the baseline with "
        "--update-baseline if the change was intended"
    ),
    sources=(*urls("NAT-OV", "NAT-TSC", "AKS-NAT"), CHANGES_DOC),
    tags=("security", "networking", "egress", "drift"),
    precision="very-high",
    needs_baseline=True,
    history_hints=HISTORY_HINTS,
    other_severities=(
        "high when the policy declares allowed_egress for the cluster, or when the new path "
        "loses egress (no egress, a route to None, or default outbound access)"
    ),
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    comparison = ctx.compared()
    before, after = comparison.before, comparison.after
    policy = ctx.policy
    for key, now in after.pools.items():
        was = before.pools.get(key)
        if was is None or not both_read(before, after, now.pool.id):
            continue
        for side, path in now.paths.items():
            old = was.paths.get(side)
            if old is None or old.is_unknown or path.is_unknown or old.kind is path.kind:
                continue
            cluster = now.cluster
            severe = allowlisted(policy, cluster) or path.kind in LOST
            restore = restore_path(ctx.graph, cluster, old, path)
            undo = f"If it was not intended, restore it: {restore}. " if restore else ""
            yield META.finding(
                severity=Severity.HIGH if severe else META.severity,
                resource_id=now.pool.id,
                message=(
                    f"{side_label(side, cluster, now.pool)} now leaves through "
                    f"{path.describe()} instead of {old.describe()}."
                ),
                observed=path.kind.slug,
                expected=old.kind.slug,
                evidence=evidence(cluster.id, now.pool.id, *old.hop_ids, *path.hop_ids),
                key=side,
                details={
                    "path": side,
                    "before": old.kind.slug,
                    "after": path.kind.slug,
                    "beforePath": old.describe(),
                    "afterPath": path.describe(),
                },
                remediation=f"{undo}{INTENDED}.",
            )


RULE = Rule(META, check)
