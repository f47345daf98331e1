"""A snapshot file is read straight from its bytes (msgspec, rows left as text) and decoded
typed; a collection's dicts, or a file read through json.loads, are converted into the same
records. Both ways must read the same payloads and refuse the same documents with the same
message, whatever a field holds; and a file's rows, left as text, read back as the dicts they
were."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor import snapshot
from auditor.errors import InputError
from auditor.graph.build import read_rows
from auditor.snapshot_file import parse_bytes
from tests import estate_builder as b
from tests import hub_builder as h


def _document() -> dict[str, Any]:
    nodes = b.subnet_id("vnet", "nodes")
    nat = b.nat_id("ng")
    estate = b.Estate().add(
        b.vnet(
            "vnet",
            [
                b.subnet("nodes", "vnet", "10.1.0.0/16", nat=nat),
                b.subnet("rt", "vnet", "10.2.0.0/16", route_table=b.route_table_id("rt")),
            ],
            peered_with=(b.vnet_id("hub"),),
        ),
        b.nat("ng", ips=(b.pip_id("pip"),), prefixes=(b.prefix_id("pfx"),), subnets=(nodes,)),
        b.public_ip("pip", "20.0.0.1"),
        b.public_ip_prefix("pfx", "40.0.0.0/30"),
        b.route_table("rt", [("0.0.0.0/0", "VirtualAppliance", "10.9.0.4")]),
        b.load_balancer("kubernetes", {"fe": b.pip_id("pip")}, [("out", ["fe"], 30)]),
        b.cluster(
            "aks",
            [b.pool("sys", nodes, **b.autoscale(1, 3, "33%")), b.pool("user", nodes)],
            load_balancer_profile={"managedOutboundIPs": {"count": 2}, "effectiveOutboundIPs": []},
            api_server_access_profile={"authorizedIPRanges": ["20.0.0.0/24"]},
        ),
    )
    return estate.document()


BASE = _document()


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in the document's rows a value sits."""
    if path and path[0] != "resources":
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*path, index)
            yield from _paths(item, (*path, index))


PATHS = sorted(_paths(BASE["resources"], ("resources",)), key=repr)
# Every type read, the enterprise ones (firewalls, policies, gateways, peerings, ECMP routes,
# load-balancing rules, gateway pools, add-ons) in the shape of their Azure REST examples.
EVERY_TYPE = h.every_type_estate()
EVERY_TYPE_PATHS = sorted(_paths(EVERY_TYPE["resources"], ("resources",)), key=repr)
VALUES = [
    None,
    True,
    0,
    -1,
    1.5,
    2**53 - 1,
    2**53,
    2**70,
    "",
    "x",
    "/subscriptions/x",
    [],
    ["a"],
    [1],
    [None],
    {},
    {"id": 5},
    {"id": "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/g"},
    [{"id": "x"}],
    [{}],
]


def _read(read: Any) -> Any:
    try:
        return read_rows(read()).payloads
    except InputError as exc:
        return str(exc)


def _both(document: dict[str, Any]) -> tuple[Any, Any]:
    text = json.dumps(document)
    from_bytes = _read(lambda: parse_bytes(text.encode(), "s.json"))
    from_dicts = _read(lambda: snapshot.parse_dicts(text, "s.json"))
    return from_bytes, from_dicts


@pytest.mark.parametrize("document", [BASE, EVERY_TYPE], ids=["base", "every-type"])
def test_the_document_reads_the_same_both_ways(document: dict[str, Any]) -> None:
    from_bytes, from_dicts = _both(document)
    assert isinstance(from_bytes, list)
    assert len(from_bytes) > 10
    assert from_bytes == from_dicts


def test_every_type_is_read() -> None:
    read = {type(payload).__name__ for payload in _both(EVERY_TYPE)[0]}
    assert {"Firewall", "FirewallPolicy", "VirtualNetworkGateway", "LoadBalancer"} <= read


def _changed(changes: list[tuple[Any, Any]], base: dict[str, Any] = BASE) -> dict[str, Any]:
    document = copy.deepcopy(base)
    for path, value in changes:
        target = document
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = copy.deepcopy(value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the place
    return document


@settings(max_examples=500, derandomize=True, database=None)
@given(st.sampled_from(PATHS), st.sampled_from(VALUES))
def test_a_changed_field_reads_the_same_both_ways(path: Any, value: Any) -> None:
    from_bytes, from_dicts = _both(_changed([(path, value)]))
    assert from_bytes == from_dicts


@settings(max_examples=300, derandomize=True, database=None)
@given(st.sampled_from(EVERY_TYPE_PATHS), st.sampled_from(VALUES))
def test_a_changed_field_of_any_type_reads_the_same_both_ways(path: Any, value: Any) -> None:
    from_bytes, from_dicts = _both(_changed([(path, value)], EVERY_TYPE))
    assert from_bytes == from_dicts


@settings(max_examples=200, derandomize=True, database=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), st.sampled_from(VALUES)), max_size=3))
def test_changed_fields_are_refused_or_read_alike_both_ways(changes: list[Any]) -> None:
    # With several faults, each way may name a different one first.
    from_bytes, from_dicts = _both(_changed(changes))
    assert type(from_bytes) is type(from_dicts)
    if isinstance(from_bytes, list):
        assert from_bytes == from_dicts


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["resources"]["microsoft.network/natgateways"][0]["properties"].update(
                idleTimeoutInMinutes=2**60
            ),
            "resources.microsoft.network/natgateways[0].properties.idleTimeoutInMinutes: "
            "integer out of range (at most 9,007,199,254,740,991 either way)",
        ),
        (
            lambda d: d["resources"]["microsoft.network/natgateways"][0]["properties"].update(
                subnets=[None]
            ),
            "resources.microsoft.network/natgateways[0].properties.subnets[0]: expected an object",
        ),
        (
            lambda d: d["resources"]["microsoft.network/natgateways"][0].update(id=None),
            "resources.microsoft.network/natgateways[0].id: missing",
        ),
        (
            lambda d: d["resources"]["microsoft.network/publicipaddresses"][0].update(zones=[1]),
            "resources.microsoft.network/publicipaddresses[0].zones[0]: expected a string",
        ),
    ],
)
def test_errors_name_the_json_path(change: Any, message: str) -> None:
    document = copy.deepcopy(BASE)
    change(document)
    assert _both(document) == (f"s.json: {message}", f"s.json: {message}")


def _classic_firewall(document: dict[str, Any]) -> dict[str, Any]:
    firewalls = document["resources"][snapshot.AZURE_FIREWALLS]
    found: dict[str, Any] = next(r for r in firewalls if r["name"] == "fw-classic")
    return found


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: _classic_firewall(d)["properties"]["networkRuleCollections"][0][
                "properties"
            ].update(action=5),
            "properties.networkRuleCollections[0].properties.action: "
            "expected a string or an object",
        ),
        (
            lambda d: _classic_firewall(d)["properties"].update(ipConfigurations={}),
            "properties.ipConfigurations: expected a list",
        ),
    ],
)
def test_errors_in_enterprise_rows_name_the_json_path(change: Any, message: str) -> None:
    document = copy.deepcopy(EVERY_TYPE)
    at = document["resources"][snapshot.AZURE_FIREWALLS].index(_classic_firewall(document))
    message = f"resources.{snapshot.AZURE_FIREWALLS}[{at}].{message}"
    change(document)
    assert _both(document) == (f"s.json: {message}", f"s.json: {message}")


def test_a_files_rows_read_back_as_the_dicts_they_were() -> None:
    document = copy.deepcopy(BASE)
    document["changes"] = [{"id": "c1", "properties": {"x": [1, 2.5, None]}}]
    # A number no Python value holds exactly, in a field nothing reads: json reads it as inf.
    document["resources"][snapshot.NAT_GATEWAYS][0]["unread"] = "HUGE"
    text = json.dumps(document).replace('"HUGE"', "1e400")
    read = parse_bytes(text.encode(), "s.json")
    assert read.to_document() == snapshot.parse_dicts(text, "s.json").to_document()
    assert list(read.changes) == document["changes"]


def test_rows_of_a_type_the_graph_does_not_read_are_still_checked() -> None:
    document = copy.deepcopy(BASE)
    document["resources"]["microsoft.web/sites"] = [{"name": "no id"}]
    with pytest.raises(InputError, match=r"resources\.microsoft\.web/sites\[0\]\.id: missing"):
        parse_bytes(json.dumps(document).encode(), "s.json")


def test_change_history_must_be_objects() -> None:
    document = copy.deepcopy(BASE)
    document["changes"] = [{}, "x"]
    with pytest.raises(InputError, match=r"changes\[1\]: expected an object"):
        parse_bytes(json.dumps(document).encode(), "s.json")


def test_a_snapshot_without_its_rows_refuses_to_be_read_or_written() -> None:
    document = copy.deepcopy(BASE)
    document["changes"] = [{"id": "c1"}]
    read = parse_bytes(json.dumps(document).encode(), "s.json")
    kept = read.without_rows(keep_changes=True)
    assert list(kept.changes) == [{"id": "c1"}]
    assert set(kept.resources) == set(read.resources)
    with pytest.raises(RuntimeError, match="released"):
        len(kept.rows(snapshot.NAT_GATEWAYS))
    with pytest.raises(RuntimeError, match="released"):
        kept.to_document()
    with pytest.raises(RuntimeError, match="released"):
        list(read.without_rows(keep_changes=False).changes)


def test_the_resource_group_column_is_read_only_for_an_id_without_one() -> None:
    document = copy.deepcopy(BASE)
    row = document["resources"][snapshot.PUBLIC_IP_PREFIXES][0]
    row["resourceGroup"] = 5  # the ID names its group: the column is not read
    assert isinstance(_both(document)[0], list)
    row["id"] = f"/subscriptions/{b.SUB}/providers/Microsoft.Network/publicIPPrefixes/pfx"
    message = f"s.json: resources.{snapshot.PUBLIC_IP_PREFIXES}[0].resourceGroup: expected a string"
    assert _both(document) == (message, message)
    row["resourceGroup"] = "rg-column"
    payloads = _both(document)[0]
    assert [p.resource_group for p in payloads if p.id.text == row["id"]] == ["rg-column"]
