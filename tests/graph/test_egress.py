"""Effective egress against every row of the precedence table (egress-facts.md §1)."""

from __future__ import annotations

from auditor.graph.estate import EgressGraph
from auditor.graph.nodes import NodePool
from auditor.model import EgressKind, EgressPath, ResourceKind
from tests import estate_builder as b

NODES = b.subnet_id("vnet", "nodes")
PODS = b.subnet_id("vnet", "pods")
NAT = b.nat_id("ng")
PIP = b.pip_id("pip-nat")
LB_PIP = b.pip_id("pip-lb", rg="MC_rg")
NODE_PREFIX = b.prefix_id("pfx-nodes")
RT = b.route_table_id("rt")
LB_PROFILE = {"effectiveOutboundIPs": [{"id": LB_PIP}], "idleTimeoutInMinutes": 30}


def _estate(
    *,
    nat: bool = False,
    route: tuple[str, str, str | None] | None = None,
    node_public_ip: bool = False,
    outbound_type: str = "loadBalancer",
    lb: bool = False,
    private: bool | None = None,
) -> b.Estate:
    estate = b.Estate()
    estate.add(
        b.vnet(
            "vnet",
            [
                b.subnet(
                    "nodes",
                    "vnet",
                    "10.1.0.0/16",
                    nat=NAT if nat else None,
                    route_table=RT if route else None,
                    default_outbound_access=private,
                ),
                b.subnet("pods", "vnet", "10.2.0.0/16"),
            ],
        ),
        b.nat("ng", ips=(PIP,), subnets=(NODES,) if nat else ()),
        b.public_ip("pip-nat", "20.0.0.1"),
        b.public_ip("pip-lb", "20.0.0.2", rg="MC_rg"),
        b.public_ip_prefix("pfx-nodes", "20.0.1.0/30"),
        b.cluster(
            "aks",
            [
                b.pool(
                    "np",
                    NODES,
                    node_public_ip=node_public_ip,
                    node_public_ip_prefix=NODE_PREFIX if node_public_ip else None,
                )
            ],
            outbound_type=outbound_type,
            load_balancer_profile=LB_PROFILE if lb else None,
        ),
    )
    if route:
        estate.add(b.route_table("rt", [route]))
    return estate


def _node_path(estate: b.Estate, pool_name: str = "np") -> EgressPath:
    graph = estate.graph()
    return graph.egress(_pool(graph, pool_name))


def _pool(graph: EgressGraph, name: str) -> NodePool:
    return next(p for _, p in graph.node_pools() if p.name == name)


def test_udr_to_virtual_appliance_beats_nat_node_ip_and_load_balancer() -> None:
    path = _node_path(
        _estate(
            nat=True,
            route=("0.0.0.0/0", "VirtualAppliance", "10.100.0.4"),
            node_public_ip=True,
            lb=True,
        )
    )
    assert path.kind is EgressKind.UDR_APPLIANCE
    assert path.next_hop_ip == "10.100.0.4"
    assert path.public_ips is None  # beyond the appliance: not knowable from the snapshot
    assert b.texts(path.hop_ids) == (NODES, RT)
    assert [h.kind for h in path.hops] == [
        ResourceKind.SUBNET,
        ResourceKind.ROUTE_TABLE,
        ResourceKind.APPLIANCE,
    ]
    assert path.hops[-1].address == "10.100.0.4"


def test_udr_to_virtual_network_gateway_beats_nat() -> None:
    path = _node_path(_estate(nat=True, route=("0.0.0.0/0", "VirtualNetworkGateway", None)))
    assert path.kind is EgressKind.UDR_GATEWAY


def test_nat_gateway_beats_node_public_ip_and_load_balancer() -> None:
    path = _node_path(_estate(nat=True, node_public_ip=True, lb=True))
    assert path.kind is EgressKind.NAT_GATEWAY
    assert path.device_id.text == NAT
    assert path.public_ips == ("20.0.0.1/32",)
    assert path.idle_timeout_minutes == 4
    assert b.texts(path.hop_ids) == (NODES, NAT, PIP)
    assert [h.kind for h in path.hops] == [
        ResourceKind.SUBNET,
        ResourceKind.NAT_GATEWAY,
        ResourceKind.PUBLIC_IP,
    ]


def test_default_route_to_internet_does_not_override_nat() -> None:
    path = _node_path(_estate(nat=True, route=("0.0.0.0/0", "Internet", None)))
    assert path.kind is EgressKind.NAT_GATEWAY


def test_more_specific_routes_do_not_decide_internet_egress() -> None:
    path = _node_path(_estate(nat=True, route=("10.244.0.0/24", "VirtualAppliance", "10.1.0.4")))
    assert path.kind is EgressKind.NAT_GATEWAY


def test_node_public_ip_beats_load_balancer() -> None:
    path = _node_path(_estate(node_public_ip=True, lb=True))
    assert path.kind is EgressKind.NODE_PUBLIC_IP
    assert path.public_ips == ("20.0.1.0/30",)
    assert path.idle_timeout_minutes == 4


def test_load_balancer_outbound_rules_alone() -> None:
    path = _node_path(_estate(lb=True))
    assert path.kind is EgressKind.LOAD_BALANCER
    assert path.public_ips == ("20.0.0.2/32",)
    assert path.idle_timeout_minutes == 30


def test_nothing_explicit_on_a_non_private_subnet_is_default_outbound_access() -> None:
    path = _node_path(_estate(outbound_type="userAssignedNATGateway"))
    assert path.kind is EgressKind.DEFAULT_OUTBOUND
    assert path.public_ips is None


def test_nothing_explicit_on_a_private_subnet_is_no_egress() -> None:
    path = _node_path(_estate(outbound_type="userAssignedNATGateway", private=False))
    assert path.kind is EgressKind.NONE
    assert path.public_ips == ()


def test_default_route_to_none_drops_traffic() -> None:
    path = _node_path(_estate(nat=True, route=("0.0.0.0/0", "None", None)))
    assert path.kind is EgressKind.BLACKHOLE


def test_unread_subnet_is_unknown_not_missing() -> None:
    estate = b.Estate().add(b.cluster("aks", [b.pool("np", b.subnet_id("other", "s1"))]))
    path = _node_path(estate)
    assert path.kind is EgressKind.UNKNOWN
    assert b.texts(path.unknown_ids) == (b.subnet_id("other", "s1"),)


def test_unread_route_table_makes_the_path_unknown() -> None:
    estate = _estate(nat=True)
    subnet_row = estate.rows[0]["properties"]["subnets"][0]
    subnet_row["properties"]["routeTable"] = {"id": b.route_table_id("elsewhere")}
    path = _node_path(estate)
    assert path.kind is EgressKind.UNKNOWN
    assert "route table" in path.reason


def test_unread_nat_gateway_makes_the_path_unknown() -> None:
    estate = _estate(nat=True)
    estate.rows = [r for r in estate.rows if r["type"] != "microsoft.network/natgateways"]
    path = _node_path(estate)
    assert path.kind is EgressKind.UNKNOWN
    assert b.texts(path.unknown_ids) == (NAT,)


def test_unread_public_ip_leaves_the_nat_path_with_unknown_addresses() -> None:
    estate = _estate(nat=True)
    estate.rows = [r for r in estate.rows if r["id"] != PIP]
    path = _node_path(estate)
    assert path.kind is EgressKind.NAT_GATEWAY
    assert path.public_ips is None
    assert b.texts(path.unknown_ids) == (PIP,)


def test_nat_gateway_without_public_ip_has_no_egress_addresses() -> None:
    estate = b.Estate().add(
        b.vnet("vnet", [b.subnet("nodes", "vnet", "10.1.0.0/16", nat=NAT)]),
        b.nat("ng", subnets=(NODES,)),
        b.cluster("aks", [b.pool("np", NODES)]),
    )
    path = _node_path(estate)
    assert path.kind is EgressKind.NAT_GATEWAY
    assert path.public_ips == ()
    assert "no public IP" in path.reason


def test_ids_match_whatever_their_casing() -> None:
    estate = _estate(nat=True)
    pool_profile = estate.rows[-1]["properties"]["agentPoolProfiles"][0]
    pool_profile["vnetSubnetID"] = NODES.replace("resourceGroups", "resourcegroups").upper()
    subnet_row = estate.rows[0]["properties"]["subnets"][0]
    subnet_row["properties"]["natGateway"]["id"] = NAT.lower()
    path = _node_path(estate)
    assert path.kind is EgressKind.NAT_GATEWAY
    assert path.public_ips == ("20.0.0.1/32",)


def test_nat_attached_to_the_whole_virtual_network() -> None:
    estate = _estate()
    nat_row = next(r for r in estate.rows if r["id"] == NAT)
    nat_row["properties"]["sourceVirtualNetwork"] = {"id": b.vnet_id("vnet")}
    path = _node_path(estate)
    assert path.kind is EgressKind.NAT_GATEWAY
    assert path.device_id.text == NAT


def test_pool_without_subnet_resolves_the_aks_managed_vnet_in_the_node_resource_group() -> None:
    node_rg = "MC_rg-test_aks_westeurope"
    managed_subnet = b.subnet_id("aks-vnet-12345678", "aks-subnet", rg=node_rg)
    managed_nat = b.nat_id("aks-nat", rg=node_rg)
    estate = b.Estate().add(
        b.vnet(
            "aks-vnet-12345678",
            [
                b.subnet(
                    "aks-subnet", "aks-vnet-12345678", "10.224.0.0/16", nat=managed_nat, rg=node_rg
                )
            ],
            rg=node_rg,
        ),
        b.nat(
            "aks-nat", ips=(b.pip_id("out1", rg=node_rg),), subnets=(managed_subnet,), rg=node_rg
        ),
        b.public_ip("out1", "20.0.0.9", rg=node_rg),
        b.cluster(
            "aks", [b.pool("np")], outbound_type="managedNATGateway", node_resource_group=node_rg
        ),
    )
    path = _node_path(estate)
    assert path.kind is EgressKind.NAT_GATEWAY
    assert path.subnet_id.text == managed_subnet
    assert path.public_ips == ("20.0.0.9/32",)


def test_managed_vnet_outside_the_snapshot_is_unknown() -> None:
    estate = b.Estate().add(b.cluster("aks", [b.pool("np")], outbound_type="managedNATGateway"))
    path = _node_path(estate)
    assert path.kind is EgressKind.UNKNOWN
    assert "AKS-managed virtual network" in path.reason


def test_pod_subnet_has_its_own_egress_without_the_node_public_ip() -> None:
    estate = _estate(nat=True, node_public_ip=True, lb=True)
    profile = estate.rows[-1]["properties"]["agentPoolProfiles"][0]
    profile["podSubnetID"] = PODS
    graph = estate.graph()
    pool = _pool(graph, "np")
    assert graph.egress(pool).kind is EgressKind.NAT_GATEWAY
    pod_path = graph.pod_egress(pool)
    assert pod_path is not None
    assert pod_path.kind is EgressKind.LOAD_BALANCER
    assert pod_path.subnet_id.text == PODS


def test_overlay_pods_share_the_node_egress() -> None:
    graph = _estate(nat=True).graph()
    assert graph.pod_egress(_pool(graph, "np")) is None


def test_pools_in_one_subnet_share_its_path_but_not_their_nodes_public_ips() -> None:
    """A subnet's path is resolved once for the cluster's pools there; a pool whose nodes
    have public IPs of their own keeps its own path, and another pool's pods in that subnet
    (no node public IP on a pod) share the plain one."""
    estate = _estate(lb=True)
    pools = estate.rows[-1]["properties"]["agentPoolProfiles"]
    pools.append(b.pool("user", NODES, mode="User"))
    pools.append(b.pool("public", NODES, mode="User", node_public_ip=True))
    pools.append(b.pool("podded", PODS, mode="User", pod_subnet=NODES))
    graph = estate.graph()
    system, user, public, podded = (_pool(graph, n) for n in ("np", "user", "public", "podded"))
    assert graph.egress(system).kind is EgressKind.LOAD_BALANCER
    assert graph.egress(user) is graph.egress(system)
    assert graph.egress(public).kind is EgressKind.NODE_PUBLIC_IP
    assert graph.pod_egress(podded) is graph.egress(system)
    assert graph.egress(podded).subnet_id.text == PODS


def test_an_unread_managed_vnet_and_an_unread_subnet_of_the_same_id_keep_their_reasons() -> None:
    """A pool without vnetSubnetID whose managed VNet is unread is keyed by the node resource
    group's ID; another pool naming that ID as its pod subnet has an unread subnet."""
    node_group = f"/subscriptions/{b.SUB}/resourceGroups/MC_{b.RG}_aks_westeurope"
    for order in ((0, 1), (1, 0)):
        pools = [b.pool("managed"), b.pool("user", NODES, mode="User", pod_subnet=node_group)]
        estate = b.Estate().add(
            b.vnet("vnet", [b.subnet("nodes", "vnet", "10.1.0.0/16")]),
            b.cluster("aks", [pools[i] for i in order], outbound_type="loadBalancer"),
        )
        graph = estate.graph()
        managed = graph.egress(_pool(graph, "managed"))
        pods = graph.pod_egress(_pool(graph, "user"))
        assert pods is not None
        assert managed.kind is pods.kind is EgressKind.UNKNOWN
        assert managed.hops[0].kind is ResourceKind.MANAGED_VIRTUAL_NETWORK
        assert "AKS-managed virtual network" in managed.reason
        assert pods.reason == f"subnet {node_group} is not in the snapshot"


def _hub(nat_on_firewall_subnet: bool, peered: bool = True) -> list[dict]:
    hub_nat = b.nat_id("ng-hub", rg="rg-hub")
    firewall_subnet = b.subnet_id("vnet-hub", "AzureFirewallSubnet", rg="rg-hub")
    return [
        b.vnet(
            "vnet-hub",
            [
                b.subnet(
                    "AzureFirewallSubnet",
                    "vnet-hub",
                    "10.100.0.0/26",
                    nat=hub_nat if nat_on_firewall_subnet else None,
                    rg="rg-hub",
                )
            ],
            rg="rg-hub",
            peered_with=(b.vnet_id("vnet"),) if peered else (),
        ),
        b.nat(
            "ng-hub",
            prefixes=(b.prefix_id("pfx-hub", rg="rg-hub"),),
            subnets=(firewall_subnet,) if nat_on_firewall_subnet else (),
            rg="rg-hub",
        ),
        b.public_ip_prefix("pfx-hub", "51.0.0.0/30", rg="rg-hub"),
    ]


def test_udr_to_a_firewall_whose_subnet_has_a_nat_leaves_from_the_nat_ips() -> None:
    estate = _estate(nat=True, route=("0.0.0.0/0", "VirtualAppliance", "10.100.0.4"))
    estate.add(*_hub(nat_on_firewall_subnet=True))
    path = _node_path(estate)
    assert path.kind is EgressKind.UDR_APPLIANCE
    assert path.public_ips == ("51.0.0.0/30",)
    assert b.texts(path.hop_ids) == (
        NODES,
        RT,
        b.subnet_id("vnet-hub", "AzureFirewallSubnet", rg="rg-hub"),
        b.nat_id("ng-hub", rg="rg-hub"),
        b.prefix_id("pfx-hub", rg="rg-hub"),
    )


def test_udr_to_a_firewall_without_nat_has_unknown_addresses() -> None:
    estate = _estate(route=("0.0.0.0/0", "VirtualAppliance", "10.100.0.4"))
    estate.add(*_hub(nat_on_firewall_subnet=False))
    path = _node_path(estate)
    assert path.kind is EgressKind.UDR_APPLIANCE
    assert path.public_ips is None


def test_load_balancer_addresses_from_the_aks_load_balancer_when_the_profile_has_none() -> None:
    node_rg = "MC_rg-test_aks_westeurope"
    outbound_ip = b.pip_id("pip-out", rg=node_rg)
    estate = _estate(outbound_type="loadBalancer")
    estate.add(
        b.public_ip("pip-out", "20.0.0.77", rg=node_rg),
        b.load_balancer(
            "kubernetes",
            {"fe-out": outbound_ip},
            [("aksOutboundRule", ["fe-out"], 45)],
            rg=node_rg,
        ),
    )
    path = _node_path(estate)
    assert path.kind is EgressKind.LOAD_BALANCER
    assert path.public_ips == ("20.0.0.77/32",)
    assert path.idle_timeout_minutes == 45
    assert path.device_id.text == b.rid("Microsoft.Network/loadBalancers", "kubernetes", rg=node_rg)


def test_an_unpeered_vnet_holding_the_next_hop_address_is_not_the_appliance() -> None:
    # Address spaces overlap across VNets all the time: only the route's own VNet and its
    # peers can hold the appliance.
    estate = _estate(route=("0.0.0.0/0", "VirtualAppliance", "10.100.0.4"))
    estate.add(*_hub(nat_on_firewall_subnet=True, peered=False))
    path = _node_path(estate)
    assert path.kind is EgressKind.UDR_APPLIANCE
    assert path.public_ips is None
    assert "its own, not in the snapshot" in path.reason


def test_the_appliance_may_sit_in_the_routes_own_vnet() -> None:
    estate = _estate(route=("0.0.0.0/0", "VirtualAppliance", "10.2.0.4"))
    estate.rows[0]["properties"]["subnets"][1]["properties"]["natGateway"] = {"id": NAT}
    nat = next(r for r in estate.rows if r["id"] == NAT)
    nat["properties"]["subnets"] = [{"id": PODS}]  # both records of the association
    path = _node_path(estate)
    assert path.public_ips == ("20.0.0.1/32",)
    assert b.texts(path.hop_ids)[2] == PODS


def test_outbound_type_block_falls_back_to_no_egress_not_default_outbound_access() -> None:
    path = _node_path(_estate(outbound_type="block"))
    assert path.kind is EgressKind.NONE
    assert "block" in path.reason


def _split(low: tuple[str, str | None], high: tuple[str, str | None]) -> EgressPath:
    estate = _estate(nat=True)
    estate.add(
        b.route_table(
            "rt", [("0.0.0.0/1", *low), ("128.0.0.0/1", *high), ("0.0.0.0/0", "None", None)]
        )
    )
    estate.rows[0]["properties"]["subnets"][0]["properties"]["routeTable"] = {"id": RT}
    return _node_path(estate)


def test_two_half_default_routes_override_the_nat_like_one_default_route() -> None:
    path = _split(("VirtualAppliance", "10.100.0.4"), ("VirtualAppliance", "10.100.0.4"))
    assert path.kind is EgressKind.UDR_APPLIANCE
    assert path.next_hop_ip == "10.100.0.4"


def test_halves_to_different_next_hops_that_bypass_the_nat_are_the_routed_path() -> None:
    path = _split(("VirtualAppliance", "10.100.0.4"), ("VirtualNetworkGateway", None))
    assert path.kind is EgressKind.UDR_APPLIANCE  # not the NAT gateway, nor the blackhole
    assert path.public_ips is None
    assert "0.0.0.0/1 → VirtualAppliance 10.100.0.4" in path.reason
    assert "128.0.0.0/1 → VirtualNetworkGateway" in path.reason


def test_halves_of_which_one_keeps_the_nat_make_the_path_unknown() -> None:
    path = _split(("VirtualAppliance", "10.100.0.4"), ("Internet", None))
    assert path.kind is EgressKind.UNKNOWN
    assert "depends on the destination" in path.reason


def test_a_next_hop_type_egress_audit_does_not_know_makes_the_path_unknown() -> None:
    path = _node_path(_estate(nat=True, route=("0.0.0.0/0", "VirtualApplianceMesh", "10.0.0.4")))
    assert path.kind is EgressKind.UNKNOWN
    assert "next hop type VirtualApplianceMesh, which egress-audit does not know" in path.reason


def test_a_basic_load_balancer_has_implicit_snat_not_outbound_rules() -> None:
    estate = _estate(lb=True)
    row = next(r for r in estate.rows if r["type"].endswith("managedclusters"))
    row["properties"]["networkProfile"]["loadBalancerSku"] = "basic"
    path = _node_path(estate)
    assert path.kind is EgressKind.BASIC_LOAD_BALANCER
    assert path.public_ips is None
    assert "no outbound rules" in path.reason
    assert "Basic load balancer's implicit SNAT" in path.describe()
