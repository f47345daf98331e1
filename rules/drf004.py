"""DRF004 egress-idle-timeout-changed: an egress device drops idle flows after another time."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.drift import (
    LB_PROFILE,
    MANAGED_NAT_PROFILE,
    IdleTimeout,
)
from auditor.fixtext import command
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._drift import ATTRIBUTION_HELP, CHANGES_DOC, INTENDED, both_read, evidence
from rules._text import source_link, urls

HISTORY_HINTS = ("idletimeout",)


META = RuleMeta(
    id="DRF004",
    name="egress-idle-timeout-changed",
    title="Egress devices keep the idle timeout of the baseline",
    severity=Severity.LOW,
    description=(
        "The TCP idle timeout of a device that carries node pool egress (a NAT gateway, or a "
        "cluster's managed NAT gateway or load balancer profile) changed since the baseline."
    ),
    help_markdown=(
        "A flow idle for longer than the timeout is dropped silently and the next packet gets "
        f"a reset ({source_link('NAT-RES')}). Workloads tuned to the old timeout (keepalives, "
        f"connection pools) break when it is lowered ({source_link('AKS-KA')}); a raised "
        f"timeout holds SNAT ports longer ({source_link('NAT-RES')}). Defaults: NAT gateway 4 "
        f"minutes, AKS load balancer outbound rule 30 minutes ({source_link('AKS-LBCFG')}); an "
        "unset value is compared as its default.\n\n"
        "Severity is medium when the timeout was lowered, low when it was raised (NAT006 and "
        "NAT007 judge the value itself). The subject is the NAT gateway, or the cluster when "
        "the timeout is its `natGatewayProfile` (managed NAT gateway) or "
        "`loadBalancerProfile`. Only devices that carry node pool egress in both estates are "
        "compared.\n\n" + ATTRIBUTION_HELP
    ),
    remediation=(
        "Restore the timeout (`az network nat gateway update -g <rg> -n <NAT gateway> "
        "--idle-timeout <minutes>`, or `az aks update -g <rg> -n <cluster> "
        "--nat-gateway-idle-timeout <minutes>` or `az aks update -g <rg> -n <cluster> "
        "--load-balancer-idle-timeout <minutes>`), or refresh the baseline with "
        "--update-baseline if the change was intended"
    ),
    sources=(*urls("NAT-RES", "AKS-KA", "AKS-LBCFG"), CHANGES_DOC),
    tags=("reliability", "networking", "egress", "drift", "idle-timeout"),
    precision="very-high",
    needs_baseline=True,
    history_hints=HISTORY_HINTS,
    other_severities="medium when the timeout was lowered",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    comparison = ctx.compared()
    before, after = comparison.before, comparison.after
    for key, now in after.timeouts.items():
        was = before.timeouts.get(key)
        if was is None or was.minutes == now.minutes:
            continue
        if not both_read(before, after, now.subject_id):
            continue
        lowered = now.minutes < was.minutes
        yield META.finding(
            severity=Severity.MEDIUM if lowered else META.severity,
            resource_id=now.subject_id,
            message=(
                f"{_device(now)} now drops idle flows after {now.minutes} minutes instead of "
                f"{was.minutes}."
            ),
            observed=f"idle timeout {now.minutes} min",
            expected=f"idle timeout {was.minutes} min",
            evidence=evidence(now.subject_id, *(c.id for c in now.clusters)),
            key=now.owner,
            details={
                "device": now.owner,
                "before": str(was.minutes),
                "after": str(now.minutes),
            },
            remediation="If it was not intended, restore it: "
            f"{command(_restore(now, was.minutes))}. {INTENDED}.",
        )


def _device(timeout: IdleTimeout) -> str:
    if timeout.owner == MANAGED_NAT_PROFILE:
        return f"The managed NAT gateway of cluster {timeout.clusters[0].name} (natGatewayProfile)"
    if timeout.owner == LB_PROFILE:
        return (
            f"The load balancer outbound rule of cluster {timeout.clusters[0].name} "
            "(loadBalancerProfile)"
        )
    users = ", ".join(sorted(c.name for c in timeout.clusters))
    plural = "s" if len(timeout.clusters) > 1 else ""
    return f"NAT gateway {timeout.subject_id.parts.name}, egress of cluster{plural} {users},"


def _restore(timeout: IdleTimeout, minutes: int) -> str:
    if timeout.owner in (MANAGED_NAT_PROFILE, LB_PROFILE):
        cluster = timeout.clusters[0]
        flag = (
            "--nat-gateway-idle-timeout"
            if timeout.owner == MANAGED_NAT_PROFILE
            else "--load-balancer-idle-timeout"
        )
        return f"az aks update -g {cluster.resource_group} -n {cluster.name} {flag} {minutes}"
    nat = timeout.subject_id.parts
    return (
        f"az network nat gateway update -g {nat.resource_group} -n {nat.name} "
        f"--idle-timeout {minutes}"
    )


RULE = Rule(META, check)
