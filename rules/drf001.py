"""DRF001 egress-ips-changed: a node pool now leaves from other public IPs than in the baseline."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._drift import (
    ATTRIBUTION_HELP,
    CHANGES_DOC,
    INTENDED,
    REFRESH,
    allowlisted,
    both_read,
    evidence,
    ips_text,
    normalized,
    restore_path,
    side_label,
)
from rules._text import source_link, urls

HISTORY_HINTS = (
    "publicip",
    "ipprefix",
    "ipaddress",
    "natgateway",
    "outbound",
    "routes",
    "subnet",
    "agentpoolprofiles",
)


META = RuleMeta(
    id="DRF001",
    name="egress-ips-changed",
    title="Node pools leave from the same public IPs as in the baseline",
    severity=Severity.MEDIUM,
    description=(
        "The set of public IPs and prefixes a node pool's traffic (or its pods' traffic, with a "
        "pod subnet) leaves from differs from the baseline: destinations that allowlist the "
        "old addresses refuse the new ones."
    ),
    help_markdown=(
        "Teams pin egress to a NAT gateway because destinations, such as payment providers, "
        f"allowlist its static IPs ({source_link('NAT-OV')}). Changing the addresses (a public "
        "IP swapped on the NAT gateway, a subnet moved to another NAT, a new outbound type) "
        "changes what destinations see, and existing connections break "
        f"({source_link('AKS-OT')}: update destination allowlists when egress changes).\n\n"
        "Severity is high when the policy declares `allowed_egress` for the cluster (someone "
        "depends on the addresses) or when no address is left (no internet egress), medium "
        "otherwise. A path whose addresses are unknown on "
        "either side (an unread hop, a virtual appliance, default outbound access) is not "
        "compared: its change of kind is DRF002.\n\n" + ATTRIBUTION_HELP
    ),
    remediation=(
        "Restore the previous addresses (`az network nat gateway update -g <rg> -n <NAT "
        "gateway> --public-ip-addresses <IDs>`), or update every destination allowlist and "
        "refresh the baseline with --update-baseline"
    ),
    sources=(*urls("NAT-OV", "AKS-OT"), CHANGES_DOC),
    tags=("security", "networking", "egress", "drift", "allowlist"),
    precision="very-high",
    needs_baseline=True,
    history_hints=HISTORY_HINTS,
    other_severities=(
        "high when the policy declares allowed_egress for the cluster, or when the pool "
        "now leaves from no known address"
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
            # Unknown addresses on either side are not a change of addresses.
            if old is None or old.addresses is None or path.addresses is None:
                continue
            then, current = normalized(old.addresses), normalized(path.addresses)
            if then == current:
                continue
            added, removed = sorted(current - then), sorted(then - current)
            cluster = now.cluster
            change = "; ".join(
                part
                for part in (
                    f"added {', '.join(added)}" if added else "",
                    f"removed {', '.join(removed)}" if removed else "",
                )
                if part
            )
            restore = restore_path(ctx.graph, cluster, old, path)
            yield META.finding(
                severity=(
                    Severity.HIGH if allowlisted(policy, cluster) or not current else META.severity
                ),
                resource_id=now.pool.id,
                message=(
                    f"{side_label(side, cluster, now.pool)} now leaves from {ips_text(current)} "
                    f"instead of {ips_text(then)} ({change})."
                ),
                observed=ips_text(current),
                expected=ips_text(then),
                evidence=evidence(cluster.id, now.pool.id, *old.hop_ids, *path.hop_ids),
                key=side,
                details={
                    "path": side,
                    "before": ", ".join(sorted(then)),
                    "after": ", ".join(sorted(current)),
                    "added": ", ".join(added),
                    "removed": ", ".join(removed),
                },
                remediation=_remediation(restore, added),
            )


def _remediation(restore: str | None, added: list[str]) -> str:
    undo = f"If it was not intended, restore the previous egress: {restore}. " if restore else ""
    if added:
        return (
            f"{undo}If the change was intended, add {', '.join(added)} to every destination "
            f"allowlist and to allowed_egress, then {REFRESH}."
        )
    return f"{undo}{INTENDED}."


RULE = Rule(META, check)
