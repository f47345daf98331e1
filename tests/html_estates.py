"""Estates for the HTML report tests: hostile names, and an estate of thousands of clusters."""

from __future__ import annotations

import base64
import dataclasses
import json
import zlib
from functools import cache
from typing import Any

from auditor import engine
from auditor import policy as policy_module
from auditor.model import CollectionError, Finding, Rule, RuleError, Severity, Suppression
from auditor.result import AuditResult
from reports import html
from rules import drf001
from rules.registry import BUILTIN
from tests import estate_builder as b

# Like the other reporter tests, these need findings of known IDs and severities, not the whole
# catalogue: a new rule must not change what they expect.
from tests.reports.estates import RULES

# Names as they would reach the report from a tampered or unusual estate. Names with a `/`
# cannot be part of an ARM ID, so they are the display names of rows whose IDs use the
# slash-free ones.
CLUSTER_NAME = '<script>alert("cluster")</script>'
POOL_NAME = "p\"'><svg onload=alert(2)>"
SUBNET_NAME = "]]><![CDATA[</svg><script>alert(3)</script>"
NAT_NAME = "</svg><img src=x onerror=alert(4)>"
PIP_NAME = "pip-<img src=x onerror=alert(5)>"
VNET_NAME = "\u202evnet-\u05e9\u05dc\u05d5\u05dd-\u0645\u0631\u062d\u0628\u0627"
LONG_POOL = "名前" * 120 + "🚀"
TAGS = {"<script>": "</script>", "owner": "\"'&<b>", "\u202ertl": "\u0645\u0631\u062d\u0628\u0627"}
HOSTILE_TEXTS = (CLUSTER_NAME, POOL_NAME, SUBNET_NAME, NAT_NAME, VNET_NAME, LONG_POOL)


def hostile_estate() -> b.Estate:
    """A NAT-gateway cluster whose second pool sits in a subnet without one (EGR001) and a
    kubenet cluster (NET001), every name hostile."""
    nat = b.nat_id("ng-hostile-]]>")
    pip = b.pip_id(PIP_NAME)
    nodes = b.subnet("snet-hostile-<b>", VNET_NAME, "10.1.0.0/24", nat=nat)
    nodes["name"] = SUBNET_NAME
    bare = b.subnet("snet-bare", VNET_NAME, "10.1.1.0/24")
    cluster = b.cluster(
        "aks-hostile-\"'<i>",
        [b.pool(POOL_NAME, nodes["id"]), b.pool(LONG_POOL, bare["id"], mode="User")],
    )
    cluster["name"] = CLUSTER_NAME
    cluster["tags"] = TAGS
    nat_row = b.nat("ng-hostile-]]>", ips=(pip,), subnets=(nodes["id"],))
    nat_row["name"] = NAT_NAME
    nat_row["tags"] = TAGS
    kubenet = b.cluster(
        "aks-kubenet-\u202e",
        [b.pool("sys")],
        plugin="kubenet",
        plugin_mode=None,
        outbound_type="loadBalancer",
    )
    kubenet["name"] = f"{CLUSTER_NAME}-kubenet"
    return b.Estate().add(
        cluster,
        kubenet,
        b.vnet(VNET_NAME, [nodes, bare]),
        nat_row,
        b.public_ip(PIP_NAME, "20.1.2.3"),
    )


def hostile_result() -> AuditResult:
    """The hostile estate's audit, plus every other kind of text a report shows: collection and
    rule errors, warnings, a baseline with drift, a suppressed finding."""
    result = engine.audit(hostile_estate().snapshot(), policy_module.EMPTY, RULES)
    cluster_id = result.clusters[0].id
    drift = Finding(
        rule_id="DRF001",
        severity=Severity.HIGH,
        resource_id=cluster_id,
        message=f"Egress IPs of {CLUSTER_NAME} changed",
        observed="20.1.2.3/32",
        expected=NAT_NAME,
        details={"before": SUBNET_NAME, "after": "</td></tr></table><script>alert(6)</script>"},
    )
    suppressed = dataclasses.replace(
        result.findings[0],
        suppression=Suppression(
            rule_id=result.findings[0].rule_id,
            resource_glob="*<script>*",
            justification=f"accepted by {CLUSTER_NAME}",
            expires="2099-01-01<img src=x>",
        ),
    )
    return dataclasses.replace(
        result,
        source=f"snapshot-{NAT_NAME}.json",
        baseline=f"baseline-{CLUSTER_NAME}.json",
        rules=(*result.rules, drf001.META),
        findings=(*result.findings, drift, suppressed),
        collection_errors=(
            CollectionError(f"subscription {CLUSTER_NAME}", 403, NAT_NAME, ("sub-<b>",)),
        ),
        rule_errors=(RuleError("TEST<script>", f"RuntimeError: {SUBNET_NAME}"),),
        warnings=(f"policy.yaml:3: {POOL_NAME}",),
    )


def large_estate(clusters: int) -> b.Estate:
    """`clusters` clusters over 4 subscriptions, 3 node pools each, in the mix of a real estate:
    NAT gateways (some pools outside them), load balancers, a firewall route, kubenet."""
    estate = b.Estate()
    table = b.route_table_id("rt-hub", rg="rg-hub")
    rows: list[dict[str, object]] = [
        b.route_table("rt-hub", [("0.0.0.0/0", "VirtualAppliance", "10.100.0.4")], rg="rg-hub")
    ]
    for index in range(clusters):
        sub = f"00000000-0000-4000-8000-{index % 4:012d}"
        rg = f"rg-app-{index:05d}"
        name = f"aks-app-{index:05d}"
        vnet = f"vnet-{index:05d}"
        nat = b.nat_id(f"ng-{index:05d}", rg=rg, sub=sub)
        pip = b.pip_id(f"pip-{index:05d}", rg=rg, sub=sub)
        style = index % 10
        nodes = b.subnet(
            "snet-nodes",
            vnet,
            "10.0.0.0/22",
            nat=nat if style < 6 else None,
            route_table=table if style == 9 else None,
            rg=rg,
            sub=sub,
        )
        batch = b.subnet("snet-batch", vnet, "10.0.4.0/24", rg=rg, sub=sub)
        pools = [
            b.pool("system", nodes["id"]),
            b.pool("apps", nodes["id"], mode="User"),
            # One cluster in six has a pool outside the NAT gateway's subnet (EGR001).
            b.pool("batch", batch["id"] if index % 6 == 0 else nodes["id"], mode="User"),
        ]
        if style < 6:
            cluster = b.cluster(name, pools, rg=rg, sub=sub)
        else:
            cluster = b.cluster(
                name,
                pools,
                outbound_type="userDefinedRouting" if style == 9 else "loadBalancer",
                plugin="kubenet" if style == 8 else "azure",
                plugin_mode=None if style == 8 else "overlay",
                rg=rg,
                sub=sub,
                load_balancer_profile={"effectiveOutboundIPs": [{"id": pip}]},
            )
        rows.extend(
            [
                cluster,
                b.vnet(vnet, [nodes, batch], rg=rg, sub=sub),
                b.public_ip(
                    f"pip-{index:05d}",
                    f"20.{index // 65536}.{index // 256 % 256}.{index % 256}",
                    rg=rg,
                    sub=sub,
                ),
            ]
        )
        if style < 6:
            rows.append(
                b.nat(f"ng-{index:05d}", ips=(pip,), subnets=(nodes["id"],), rg=rg, sub=sub)
            )
    estate.rows.extend(rows)  # built fresh here: no copy needed
    return estate


LARGE = 300  # clusters: past the size at which a report draws its cards and rows on demand


@cache
def large_report(clusters: int = LARGE) -> tuple[AuditResult, str]:
    """The audit and HTML report of `large_estate` under the whole catalogue (BUILTIN), built
    once per test run: every kind of finding a real estate has. Its size in bytes and time at
    10,000 clusters is measured by benchmarks/run.py, not here."""
    result = engine.audit(large_estate(clusters).snapshot(), policy_module.EMPTY, BUILTIN)
    return result, html.render(result)


def report_data(text: str) -> dict[str, Any]:
    """The data a large report's script draws its rows and cards from, decoded as the page
    decodes it (base64, then deflate, then JSON)."""
    start = text.index('<script type="application/octet-stream" id="report-data">')
    body = text[text.index(">", start) + 1 : text.index("</script>", start)]
    data: dict[str, Any] = json.loads(zlib.decompress(base64.b64decode(body, validate=True)))
    return data


def data_text(data: dict[str, Any], index: int) -> str:
    """A string of the data, by its number."""
    text: str = data["strings"][index]
    return text


def data_id(data: dict[str, Any], index: int) -> str:
    """An ARM ID of the data, by its number."""
    return "/".join(data_text(data, segment) for segment in data["ids"][index])


def audit(estate: b.Estate, rules: tuple[Rule, ...] = RULES) -> AuditResult:
    return engine.audit(estate.snapshot(), policy_module.EMPTY, rules)
