"""POL003 policy-egress-ip-not-allowed: node pools leave only from the IPs the policy allows."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from auditor import arm
from auditor.graph.estate import EgressGraph
from auditor.model import EgressKind, EgressPath, Finding, Rule, RuleMeta, Severity
from auditor.policy import Network, Policy
from rules._text import pool_label, source_link, urls

META = RuleMeta(
    id="POL003",
    name="policy-egress-ip-not-allowed",
    title="Node pools egress only from the IPs their policy entry allows",
    severity=Severity.HIGH,
    description=(
        "Policy-driven: a cluster entry of the policy file lists allowed_egress (the addresses "
        "destinations allowlist), and a node pool of the cluster leaves from a public IP "
        "outside them."
    ),
    help_markdown=(
        "Destinations such as payment providers or partner APIs often accept connections only "
        "from allowlisted source IPs; the policy file records them per cluster selector "
        "(`allowed_egress`, addresses or CIDRs). A NAT gateway with a public IP prefix is the "
        f"documented way to keep egress static and allowlistable ({source_link('NAT-OV')}); "
        "adding a NAT gateway to a subnet, changing its IPs, a user-defined route or an "
        "outbound-type migration changes the IPs a pool leaves from "
        f"({source_link('AKS-OT')}).\n\n"
        "egress-audit compares the real egress of every node pool (and of its pod subnet) "
        "with the allowlist: every public IP or prefix it leaves from must lie inside one "
        "allowed range. A pool whose egress addresses are unknown (a virtual appliance, "
        "default outbound access, an unread public IP) is not judged. When several matching "
        "entries list allowed_egress, the pool must satisfy each. The finding points at the "
        "policy line that sets the list."
    ),
    remediation=(
        "az network nat gateway update -g <resource group> -n <NAT gateway> "
        "--public-ip-prefixes <allowlisted prefix>"
    ),
    sources=urls("NAT-OV", "AKS-OT"),
    tags=("security", "networking", "egress", "policy"),
    precision="high",
)


def check(graph: EgressGraph, policy: Policy) -> Iterator[Finding]:
    for cluster in graph.clusters():
        entries = [e for e in policy.for_cluster(cluster) if e.allowed_egress is not None]
        if not entries:
            continue
        for pool in graph.pools(cluster):
            paths = [p for p in (graph.egress(pool), graph.pod_egress(pool)) if p is not None]
            for entry in entries:
                allowed = entry.allowed_egress or ()
                outside = sorted({c for path in paths for c in _outside(path, allowed)})
                if not outside:
                    continue
                ranges = ", ".join(str(n) for n in allowed) or "nothing"
                hops = tuple(h for path in paths for h in path.hops)
                yield Finding(
                    rule_id=META.id,
                    severity=META.severity,
                    resource_id=pool.id,
                    message=(
                        f"{pool_label(cluster, pool)} egresses from {', '.join(outside)}, "
                        f"outside the addresses its policy entry allows ({ranges})."
                    ),
                    observed=f"egress {', '.join(outside)}",
                    expected=f"egress inside {ranges}",
                    evidence=(cluster.id, pool.id, *dict.fromkeys(hops)),
                    location=entry.allowed_egress_location or entry.location,
                    remediation=_remediation(paths, allowed),
                    details={"outsideAllowlist": ", ".join(outside)},
                )
                break  # one finding per pool: the first entry it breaks


def _outside(path: EgressPath, allowed: tuple[Network, ...]) -> list[str]:
    if path.public_ips is None:
        return []  # unknown addresses are not judged
    found = []
    for cidr in path.public_ips:
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            continue
        if not any(
            network.version == a.version and network.subnet_of(a)  # type: ignore[arg-type]
            for a in allowed
        ):
            found.append(cidr)
    return found


def _remediation(paths: list[EgressPath], allowed: tuple[Network, ...]) -> str:
    target = str(allowed[0]) if allowed else "<allowlisted prefix>"
    nat = next((p for p in paths if p.kind is EgressKind.NAT_GATEWAY and p.device_id), None)
    if nat is not None and nat.device_id:
        device = arm.parse(nat.device_id)
        return (
            f"Give the NAT gateway addresses inside {target}: az network nat gateway update "
            f"-g {device.resource_group} -n {device.name} --public-ip-prefixes <prefix ID>; "
            "or add the new egress to the destinations' allowlist and to the policy"
        )
    subnet_id = next((p.subnet_id for p in paths if p.subnet_id), None)
    if subnet_id:
        subnet = arm.parse(subnet_id)
        vnet = subnet_id.split("/subnets/")[0]
        return (
            f"Put a NAT gateway with addresses inside {target} on the subnet: az network vnet "
            f"subnet update -g {subnet.resource_group} --vnet-name {arm.parse(vnet).name} "
            f"-n {subnet.name} --nat-gateway <NAT gateway ID>; or add the new egress to the "
            "destinations' allowlist and to the policy"
        )
    return "Add the new egress to the destinations' allowlist and to the policy"


RULE = Rule(META, check)
