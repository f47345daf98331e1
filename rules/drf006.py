"""DRF006 node-pool-changed: a node pool was added, removed, or moved to another subnet."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.arm import ResourceId, text_of
from auditor.drift import NODES, PODS, PoolFacts
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._drift import (
    ATTRIBUTION_HELP,
    CHANGES_DOC,
    INTENDED,
    both_read,
    evidence,
    subnet_name,
)
from rules._text import pool_label, source_link, urls

ADDED = "added"
REMOVED = "removed"
ABSENT = "absent"

HISTORY_HINTS = ("agentpoolprofiles", "vnetsubnetid", "podsubnetid")


META = RuleMeta(
    id="DRF006",
    name="node-pool-changed",
    title="Node pools are the ones of the baseline, in the same subnets",
    severity=Severity.MEDIUM,
    description=(
        "A node pool was added or removed since the baseline, or its nodes or pods moved to "
        "another subnet, which can give it another egress path and other addresses."
    ),
    help_markdown=(
        f"Egress is decided per subnet ({source_link('NAT-OV')}): a pool added in, or moved "
        "to, a subnet without the cluster's NAT gateway leaves from other addresses or not at "
        f"all ({source_link('AKS-NAT')}, {source_link('AKS-DOA')}).\n\n"
        "Severity is medium for a pool whose nodes or pods moved to another subnet, low for an "
        "added pool (its egress is judged by the EGR rules like any other) and info for a "
        "removed one. A pool is added or removed only when both snapshots read its "
        "subscription completely: a pool out of scope or in a scope that failed is unknown, "
        "not removed.\n\n" + ATTRIBUTION_HELP
    ),
    remediation=(
        "Check that the pool's subnet has the cluster's NAT gateway (the EGR rules report it), "
        "then refresh the baseline with --update-baseline if the change was intended"
    ),
    sources=(*urls("NAT-OV", "AKS-NAT", "AKS-DOA"), CHANGES_DOC),
    tags=("security", "networking", "egress", "drift", "node-pool"),
    precision="very-high",
    needs_baseline=True,
    history_hints=HISTORY_HINTS,
    other_severities="low for an added pool, info for a removed one",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    comparison = ctx.compared()
    before, after = comparison.before, comparison.after
    for key, now in after.pools.items():
        if not both_read(before, after, now.pool.id):
            continue
        was = before.pools.get(key)
        if was is None:
            yield _added(now, new_cluster=now.cluster.id.key not in before.clusters)
            continue
        for side, old_id, new_id in (
            (NODES, was.node_subnet_id, now.node_subnet_id),
            (PODS, was.pod_subnet_id, now.pod_subnet_id),
        ):
            if old_id != new_id:
                yield _moved(now, side, old_id, new_id)
    for key, was in before.pools.items():
        if key not in after.pools and both_read(before, after, was.pool.id):
            yield _removed(was)


def _added(now: PoolFacts, *, new_cluster: bool) -> Finding:
    label = pool_label(now.cluster, now.pool)
    path = now.paths[NODES]
    where = " (with its cluster)" if new_cluster else ""
    return META.finding(
        severity=Severity.LOW,
        resource_id=now.pool.id,
        message=(
            f"{label} was added since the baseline{where}, in {_place(now.node_subnet_id)}; "
            f"it leaves through {path.describe()}."
        ),
        observed="present",
        expected=ABSENT,
        evidence=evidence(now.cluster.id, now.pool.id, now.node_subnet_id, now.pod_subnet_id),
        key=ADDED,
        details={
            "change": ADDED,
            "before": ABSENT,
            "after": text_of(now.node_subnet_id, "AKS-managed subnet"),
            "added": now.pool.id.text,
            "removed": "",
        },
        remediation=(
            f"Check that the new pool's egress is the cluster's (EGR rules report it). {INTENDED}."
        ),
    )


def _place(subnet_id: ResourceId | None, unset: str = "the AKS-managed subnet") -> str:
    return f"subnet {subnet_name(subnet_id)}" if subnet_id else unset


def _removed(was: PoolFacts) -> Finding:
    label = pool_label(was.cluster, was.pool)
    return META.finding(
        severity=Severity.INFO,
        resource_id=was.pool.id,
        message=(
            f"{label} was removed since the baseline; it left through "
            f"{was.paths[NODES].describe()}."
        ),
        observed=ABSENT,
        expected="present",
        evidence=evidence(was.cluster.id, was.pool.id),
        key=REMOVED,
        details={
            "change": REMOVED,
            "before": text_of(was.node_subnet_id, "AKS-managed subnet"),
            "after": ABSENT,
            "added": "",
            "removed": was.pool.id.text,
        },
        remediation=(
            "Drop its addresses from destination allowlists if no other pool uses them. "
            f"{INTENDED}."
        ),
    )


def _moved(
    now: PoolFacts, side: str, old_id: ResourceId | None, new_id: ResourceId | None
) -> Finding:
    label = pool_label(now.cluster, now.pool)
    what = "nodes" if side == NODES else "pods"
    unset = "the AKS-managed subnet" if side == NODES else "the node subnet"

    def place(subnet_id: ResourceId | None) -> str:
        return _place(subnet_id, unset)

    path = now.paths.get(side, now.paths[NODES])
    leaves = f"; they now leave through {path.describe()}"
    return META.finding(
        severity=Severity.MEDIUM,
        resource_id=now.pool.id,
        message=(f"{label} moved its {what} from {place(old_id)} to {place(new_id)}{leaves}."),
        observed=text_of(new_id, "none"),
        expected=text_of(old_id, "none"),
        evidence=evidence(now.cluster.id, now.pool.id, old_id, new_id),
        key=side,
        details={
            "change": f"{side} subnet",
            "before": text_of(old_id),
            "after": text_of(new_id),
            "added": text_of(new_id),
            "removed": text_of(old_id),
        },
        remediation=(
            "Check that the new subnet has the cluster's NAT gateway (`az network vnet subnet "
            f"show --ids {text_of(new_id, '<subnet ID>')} --query natGateway`). {INTENDED}."
        ),
    )


RULE = Rule(META, check)
