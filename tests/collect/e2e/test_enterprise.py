"""The enterprise egress types through the loopback fake: Azure Firewall, firewall policy and
virtual network gateway rows (the Azure REST examples' shapes) are collected like any other
type, and the audit of the collected estate follows a spoke to the hub firewall's public IPs
and reports a spoke that uses the hub's ExpressRoute gateway as unknown."""

from __future__ import annotations

import json

from auditor import snapshot
from tests import estate_builder as b
from tests import hub_builder as h
from tests.collect.e2e.loopback import egress_audit, only_queries_were_sent
from tests.collect.fakes import SUB_A

RG = "rg-hub"


def _rows() -> list[dict[str, object]]:
    sub = {"rg": RG, "sub": SUB_A}
    spoke = b.subnet_id("spoke", "nodes", **sub)
    branch = b.subnet_id("branch", "nodes", **sub)
    return [
        b.vnet(
            "hub",
            [
                b.subnet("AzureFirewallSubnet", "hub", "10.100.0.0/26", **sub),
                b.subnet("GatewaySubnet", "hub", "10.100.1.0/27", **sub),
            ],
            address_space="10.100.0.0/16",
            peered_with=(b.vnet_id("spoke", **sub),),
            **sub,
        ),
        b.vnet(
            "spoke",
            [
                b.subnet(
                    "nodes",
                    "spoke",
                    "10.1.0.0/24",
                    route_table=b.route_table_id("to-fw", **sub),
                    **sub,
                )
            ],
            address_space="10.1.0.0/16",
            **sub,
        ),
        h.with_peerings(
            b.vnet(
                "branch",
                [b.subnet("nodes", "branch", "10.2.0.0/24", nat=b.nat_id("ng", **sub), **sub)],
                address_space="10.2.0.0/16",
                **sub,
            ),
            h.peering("hub", use_remote_gateways=True, **sub),
        ),
        b.route_table("to-fw", [("0.0.0.0/0", "VirtualAppliance", "10.100.0.4")], **sub),
        h.firewall("fw-hub", "hub", "10.100.0.4", ("fw-pip",), **sub),
        h.gateway("er-hub", "hub", kind="ExpressRoute", **sub),
        b.public_ip("fw-pip", "20.50.0.1", **sub),
        b.nat("ng", ips=(b.pip_id("ng-pip", **sub),), **sub),
        b.public_ip("ng-pip", "20.60.0.1", **sub),
        b.cluster("spoke-aks", [b.pool("sys", spoke)], outbound_type="userDefinedRouting", **sub),
        b.cluster("branch-aks", [b.pool("sys", branch)], **sub),
    ]


def test_firewalls_and_gateways_are_collected_and_followed(graph, environment, estate, tmp_path):
    estate.add(_rows())
    output = tmp_path / "snap.json"
    done = egress_audit(
        environment,
        *(
            "snapshot",
            "--subscription",
            SUB_A,
            "--arm-endpoint",
            graph.url,
            "--output",
            str(output),
        ),
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(output.read_text(encoding="utf-8"))
    assert [r["name"] for r in document["resources"][snapshot.AZURE_FIREWALLS]] == ["fw-hub"]
    assert [r["name"] for r in document["resources"][snapshot.VIRTUAL_NETWORK_GATEWAYS]] == [
        "er-hub"
    ]
    report = egress_audit(
        environment, "--snapshot", str(output), "--format", "json", "--fail-on", "never"
    )
    assert report.returncode == 0, report.stderr
    paths = {c["name"]: c["nodePools"][0]["egress"] for c in json.loads(report.stdout)["clusters"]}
    assert paths["spoke-aks"]["kind"] == "azure-firewall"
    assert paths["spoke-aks"]["publicIps"] == ["20.50.0.1/32"]
    assert paths["branch-aks"]["kind"] == "unknown"
    assert paths["branch-aks"]["cause"] == "forced-tunnelling"
    only_queries_were_sent(graph)
