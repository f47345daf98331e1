"""Load-balancing rules without disableOutboundSnat let the nodes leave from their frontends
([LB-OUT], kubernetes/kubernetes#75281): those addresses join the pool's egress as ones it may
leave from. A NAT gateway or a route takes over outbound, so they do not count there. Load
balancer rows: the Azure REST example with outbound rules."""

from __future__ import annotations

from typing import Any

from auditor.model import EgressKind, EgressPath
from tests import estate_builder as b
from tests import hub_builder as h

NODES = b.subnet_id("vnet", "nodes")
GROUP = f"MC_{b.RG}_aks_westeurope"


def _path(outbound_type: str, *rows: Any, nat: bool = False, **cluster: Any) -> EgressPath:
    estate = b.Estate().add(
        b.vnet(
            "vnet", [b.subnet("nodes", "vnet", "10.1.0.0/16", nat=b.nat_id("ng") if nat else None)]
        ),
        b.nat("ng", ips=(b.pip_id("pip"),)),
        b.public_ip("pip", "20.0.0.1"),
        b.public_ip("outbound", "20.1.0.1", rg=GROUP),
        b.public_ip("svc", "20.2.0.1", rg=GROUP),
        b.cluster("aks", [b.pool("sys", NODES)], outbound_type=outbound_type, **cluster),
        *rows,
    )
    graph = estate.graph()
    ((_, pool),) = list(graph.node_pools())
    return graph.egress(pool)


def _balancer(
    *, disable: bool = False, outbound: bool = True, sku: str = "Standard"
) -> dict[str, Any]:
    return h.aks_load_balancer(
        "aks",
        {"outbound-fe": "outbound", "svc-fe": "svc"},
        service_rules={"svc-TCP-443": "svc-fe"},
        outbound={"aksOutboundRule": "outbound-fe"} if outbound else None,
        disable_outbound_snat=disable,
        sku=sku,
    )


def test_a_service_frontend_that_snats_joins_the_outbound_ips() -> None:
    path = _path("loadBalancer", _balancer())
    assert path.kind is EgressKind.LOAD_BALANCER
    assert path.public_ips == ("20.1.0.1/32",)
    assert path.may_leave_from == ("20.2.0.1/32",)
    assert path.addresses == ("20.1.0.1/32", "20.2.0.1/32")
    assert "svc-TCP-443" in path.reason


def test_disable_outbound_snat_keeps_the_frontend_out() -> None:
    path = _path("loadBalancer", _balancer(disable=True))
    assert path.may_leave_from == ()
    assert path.addresses == ("20.1.0.1/32",)


def test_a_nat_gateway_takes_over_from_the_rules() -> None:
    path = _path("userAssignedNATGateway", _balancer(), nat=True)
    assert path.kind is EgressKind.NAT_GATEWAY
    assert path.may_leave_from == ()


def test_without_an_explicit_method_the_rules_replace_default_outbound_access() -> None:
    path = _path("none", _balancer(outbound=False))
    assert path.kind is EgressKind.LOAD_BALANCING_RULES
    assert path.public_ips == ()
    assert path.addresses == ("20.2.0.1/32",)


def test_a_basic_load_balancer_leaves_from_its_rules_frontends() -> None:
    path = _path("loadBalancer", _balancer(outbound=False, sku="Basic"), loadBalancerSku="basic")
    assert path.kind is EgressKind.BASIC_LOAD_BALANCER
    assert path.addresses == ("20.2.0.1/32",)


def test_an_unread_frontend_address_is_unknown() -> None:
    balancer = _balancer()
    balancer["properties"]["frontendIPConfigurations"][1]["properties"]["publicIPAddress"] = {
        "id": b.pip_id("gone", GROUP)
    }
    path = _path("loadBalancer", balancer)
    assert b.texts(path.unknown_ids) == (b.pip_id("gone", GROUP),)
