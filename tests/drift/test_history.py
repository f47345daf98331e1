"""Attribution: change-history rows (azure-wire.md §3) name who changed what, and when."""

from __future__ import annotations

from typing import Any

from auditor import drift
from auditor import policy as policy_module
from auditor.arm import ResourceId
from auditor.history import History, parse_changes, target_of
from auditor.model import Finding
from rules import drf003, drf004
from tests import estate_builder as b
from tests.drift.cases import NAT_A, NODES, VNET, baseline, detect, estate

TENANT = b.TENANT


def _lower_provider(resource_id: str) -> str:
    """Resource Graph spells the provider segment of targetResourceId in lower case."""
    head, provider = resource_id.split("/providers/", 1)
    namespace_type, name = provider.rsplit("/", 1)
    return f"{head}/providers/{namespace_type.lower()}/{name}"


def raw_row(
    target: str,
    at: str,
    by: str,
    changes: dict[str, tuple[Any, Any]] | None,
    *,
    operation: str,
    client: str = "Azure CLI",
    by_type: str = "User",
    change_type: str = "Update",
) -> dict[str, Any]:
    """A `resourcechanges` row as the table holds it (azure-wire.md §3)."""
    properties: dict[str, Any] = {
        "targetResourceId": _lower_provider(target),
        "targetResourceType": target.split("/providers/", 1)[1].rsplit("/", 1)[0].lower(),
        "changeType": change_type,
        "changeAttributes": {
            "changedBy": by,
            "changedByType": by_type,
            "clientType": client,
            "operation": operation,
            "timestamp": at,
            "correlationId": "00000000-0000-0000-0000-0000000000cc",
            "previousResourceSnapshotId": "prev",
            "newResourceSnapshotId": "next",
            "changesCount": len(changes or {}),
        },
    }
    if changes is not None:
        properties["changes"] = {
            path: {
                "previousValue": old,
                "newValue": new,
                "propertyChangeType": "Update",
                "changeCategory": "User",
            }
            for path, (old, new) in changes.items()
        }
    return {
        "id": f"{target}/providers/Microsoft.Resources/changes/0858_{at}",
        "name": f"0858_{at}",
        "type": "microsoft.resources/changes",
        "tenantId": TENANT,
        "subscriptionId": b.SUB,
        "resourceGroup": b.RG,
        "properties": properties,
    }


def projected_row(
    target: str, at: str, by: str, changes: dict[str, Any], operation: str
) -> dict[str, Any]:
    """The same record as the documented sample query projects it (one column per field)."""
    return {
        "id": f"{target}/providers/Microsoft.Resources/changes/0858_{at}",
        "subscriptionId": b.SUB,
        "changeTime": at,
        "targetResourceId": _lower_provider(target),
        "targetType": "microsoft.network/natgateways",
        "changeType": "Update",
        "changedBy": by,
        "changedByType": "Application",
        "clientType": "Terraform",
        "operation": operation,
        "changes": changes,
    }


IDLE = {"properties.idleTimeoutInMinutes": ("30", "4")}
NAT_WRITE = "Microsoft.Network/natGateways/write"
SUBNET_WRITE = "Microsoft.Network/virtualNetworks/subnets/write"


def _drf004(rows: list[dict[str, Any]]) -> Finding:
    findings = detect(
        baseline(nat_a_idle=30).snapshot(),
        estate(nat_a_idle=4, changes=rows).snapshot(),
        policy_module.EMPTY,
        [drf004.RULE],
    )
    (finding,) = findings
    return finding


def test_a_raw_row_attributes_the_idle_timeout_change() -> None:
    finding = _drf004(
        [
            raw_row(
                NAT_A,
                "2026-11-18T16:22:05.1170000Z",
                "r.tanaka@contoso.com",
                IDLE,
                operation=NAT_WRITE,
                client="Azure Portal",
            )
        ]
    )
    assert {
        k: finding.details[k]
        for k in (
            "changedAt",
            "changedBy",
            "changedByType",
            "clientType",
            "operation",
            "changeType",
        )
    } == {
        "changedAt": "2026-11-18T16:22:05.1170000Z",
        "changedBy": "r.tanaka@contoso.com",
        "changedByType": "User",
        "clientType": "Azure Portal",
        "operation": NAT_WRITE,
        "changeType": "Update",
    }
    assert finding.details["changedResource"] == _lower_provider(NAT_A)
    assert finding.message.endswith(
        "instead of 30. Changed 2026-11-18T16:22:05.1170000Z by r.tanaka@contoso.com "
        f"(User via Azure Portal, {NAT_WRITE})."
    )


def test_most_recent_first_and_only_changes_that_name_the_property() -> None:
    finding = _drf004(
        [
            raw_row(NAT_A, "2026-11-14T10:00:00Z", "first@contoso.com", IDLE, operation=NAT_WRITE),
            raw_row(NAT_A, "2026-11-18T10:00:00Z", "second@contoso.com", IDLE, operation=NAT_WRITE),
            # Later, but only tags: it cannot explain an idle timeout change.
            raw_row(
                NAT_A,
                "2026-11-19T10:00:00Z",
                "tagger@contoso.com",
                {"tags.owner": ("a", "b")},
                operation=NAT_WRITE,
            ),
        ]
    )
    assert finding.details["changedBy"] == "second@contoso.com"
    assert finding.details["history"] == (
        f"2026-11-18T10:00:00Z by second@contoso.com (User via Azure CLI, {NAT_WRITE}) on "
        f"{_lower_provider(NAT_A)} | 2026-11-14T10:00:00Z by first@contoso.com (User via Azure "
        f"CLI, {NAT_WRITE}) on {_lower_provider(NAT_A)}"
    )
    assert "Last changed 2026-11-18T10:00:00Z by second@contoso.com" in finding.message
    assert finding.message.endswith("; 1 earlier change in the history.")


def test_changes_outside_the_window_between_the_snapshots_are_not_used() -> None:
    finding = _drf004(
        [
            raw_row(
                NAT_A,
                "2026-11-13T05:59:59Z",
                "before-baseline@contoso.com",
                IDLE,
                operation=NAT_WRITE,
            ),
            raw_row(
                NAT_A, "2026-11-20T06:00:01Z", "after-read@contoso.com", IDLE, operation=NAT_WRITE
            ),
        ]
    )
    assert "changedBy" not in finding.details
    assert finding.message.endswith(drift.NO_HISTORY)


def test_no_history_says_so() -> None:
    finding = _drf004([])
    assert "changedBy" not in finding.details
    assert finding.message == (
        "NAT gateway ng-a, egress of cluster aks, now drops idle flows after 4 minutes instead "
        f"of 30. {drift.NO_HISTORY}"
    )


def _drf003(rows: list[dict[str, Any]]) -> Finding:
    findings = detect(
        baseline().snapshot(),
        estate(nodes_nat=None, changes=rows).snapshot(),
        policy_module.EMPTY,
        [drf003.RULE],
    )
    (finding,) = findings
    return finding


def test_a_subnet_change_is_found_on_its_virtual_network() -> None:
    finding = _drf003(
        [
            raw_row(
                VNET,
                "2026-11-17T09:41:12.9030000Z",
                "a.osei@contoso.com",
                {"properties.subnets[0].properties.natGateway.id": (NAT_A, None)},
                operation=SUBNET_WRITE,
                client="Azure Portal",
            )
        ]
    )
    assert finding.resource_id.text == NODES
    assert finding.details["changedBy"] == "a.osei@contoso.com"
    assert finding.details["operation"] == SUBNET_WRITE
    assert finding.details["changedResource"] == _lower_provider(VNET)


def test_a_nat_on_subnet_change_may_be_on_the_nat_gateway() -> None:
    finding = _drf003(
        [
            raw_row(
                VNET,
                "2026-11-17T09:00:00Z",
                "vnet-side@contoso.com",
                {"properties.subnets[0].properties.natGateway.id": (NAT_A, None)},
                operation=SUBNET_WRITE,
            ),
            raw_row(
                NAT_A,
                "2026-11-17T09:00:01Z",
                "nat-side@contoso.com",
                {"properties.subnets[0].id": (NODES, None)},
                operation=NAT_WRITE,
            ),
        ]
    )
    assert finding.details["changedBy"] == "nat-side@contoso.com"
    assert finding.details["history"].count(" | ") == 1


def test_records_without_target_or_time_are_skipped() -> None:
    rows = [
        {"properties": {"changeAttributes": {"timestamp": "2026-11-18T00:00:00Z"}}},
        raw_row(NAT_A, "yesterday", "x", IDLE, operation=NAT_WRITE),
        raw_row(
            NAT_A,
            "2026-11-18T00:00:00Z",
            "ok@contoso.com",
            None,
            operation=NAT_WRITE,
            change_type="Create",
        ),
    ]
    (change,) = parse_changes(rows)
    assert change.changed_by == "ok@contoso.com"
    assert change.paths == ()
    # A Create names no properties: it may explain any drift of its resource.
    assert History([change]).explain([ResourceId.of(NAT_A.upper())], ("idletimeout",)) == [change]


def test_children_are_filed_under_their_parent() -> None:
    assert target_of(ResourceId.of(NODES)) == VNET.lower()
    assert target_of(ResourceId.of(b.pool_id("aks", "sys"))) == b.cluster_id("aks").lower()
    assert target_of(ResourceId.of(NAT_A)) == NAT_A.lower()
