"""Estates across many subscriptions for the reporter tests, and audit results built from them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from auditor import engine, snapshot
from auditor import policy as policy_module
from auditor.model import CollectionError, Finding, Suppression
from auditor.result import AuditResult
from rules import egr001, nat007, net001
from tests import estate_builder as b

# The reporter tests need findings of known IDs and severities, not the whole catalogue.
RULES = (egr001.RULE, nat007.RULE, net001.RULE)


def sub(number: int) -> str:
    return f"{number:08x}-0000-4000-8000-{number:012x}"


def site(
    subscription: str,
    *,
    kubenet: bool = False,
    bare_pool: bool = False,
    private_pool: bool = False,
    name: str = "aks",
    rg: str = "rg-app",
) -> list[dict[str, Any]]:
    """One subscription: a VNet with a NAT subnet, a bare and a private subnet, and a NAT
    cluster whose system pool is fine. Options add findings:
    - kubenet: a second cluster `<name>-kubenet` on kubenet → NET001 (high);
    - bare_pool: pool `batch` in the bare subnet → EGR001 (high);
    - private_pool: pool `locked` in the private subnet → EGR001 (critical)."""
    good = b.subnet_id("vnet", "good", rg, subscription)
    bare = b.subnet_id("vnet", "bare", rg, subscription)
    private = b.subnet_id("vnet", "private", rg, subscription)
    pools = [b.pool("system", good)]
    if bare_pool:
        pools.append(b.pool("batch", bare, mode="User"))
    if private_pool:
        pools.append(b.pool("locked", private, mode="User"))
    rows = [
        b.vnet(
            "vnet",
            [
                b.subnet(
                    "good",
                    "vnet",
                    "10.1.0.0/16",
                    nat=b.nat_id("ng", rg, subscription),
                    rg=rg,
                    sub=subscription,
                ),
                b.subnet("bare", "vnet", "10.2.0.0/16", rg=rg, sub=subscription),
                b.subnet(
                    "private",
                    "vnet",
                    "10.3.0.0/16",
                    default_outbound_access=False,
                    rg=rg,
                    sub=subscription,
                ),
            ],
            rg=rg,
            sub=subscription,
        ),
        b.nat(
            "ng",
            ips=(b.pip_id("pip", rg, subscription),),
            subnets=(good,),
            rg=rg,
            sub=subscription,
        ),
        b.public_ip("pip", "20.0.0.1", rg=rg, sub=subscription),
        b.cluster(name, pools, rg=rg, sub=subscription),
    ]
    if kubenet:
        rows.append(
            b.cluster(
                f"{name}-kubenet",
                [b.pool("nodepool1", good)],
                plugin="kubenet",
                plugin_mode=None,
                rg=rg,
                sub=subscription,
            )
        )
    return rows


def estate(*sites: Iterable[dict[str, Any]]) -> b.Estate:
    result = b.Estate()
    for rows in sites:
        result.add(*rows)
    return result


def audit(
    est: b.Estate,
    *,
    errors: Iterable[CollectionError] = (),
    scope: Iterable[str] = (),
) -> AuditResult:
    document = est.document()
    document["scope"]["subscriptions"] = sorted(
        {*document["scope"]["subscriptions"], *scope, *(s for e in errors for s in e.subscriptions)}
    )
    document["errors"] = [
        {
            "scope": e.scope,
            "status": e.status,
            "message": e.message,
            "subscriptions": list(e.subscriptions),
        }
        for e in errors
    ]
    snap = snapshot.parse_document(document, "estate.json")
    return engine.audit(snap, policy_module.EMPTY, RULES)


def suppress(result: AuditResult, resource_id: str, justification: str) -> AuditResult:
    """The result with the findings on `resource_id` suppressed (as the policy file would)."""

    def mark(finding: Finding) -> Finding:
        if finding.resource_id.text != resource_id:
            return finding
        return dataclasses.replace(
            finding,
            suppression=Suppression(
                rule_id=finding.rule_id,
                resource_glob=resource_id,
                justification=justification,
                expires="2027-01-31",
            ),
        )

    return dataclasses.replace(result, findings=tuple(mark(f) for f in result.findings))
