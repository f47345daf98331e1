"""The Kusto queries sent to Resource Graph: one per resource type, plus change history.

Rows come back raw (every column the graph needs, no `mv-expand`, no joins): all joining
happens offline in the graph, so a snapshot can be re-audited by future rules. Every query
projects `id` and orders by it (or by time, then id), which Resource Graph needs to return
pages in a stable order.
"""

from __future__ import annotations

from collections.abc import Iterable

RESOURCE_COLUMNS = (
    "id",
    "name",
    "type",
    "tenantId",
    "subscriptionId",
    "resourceGroup",
    "location",
    "sku",
    "zones",
    "tags",
    "properties",
    "kind",
    "managedBy",
)

SUBSCRIPTION_TYPE = "microsoft.resources/subscriptions"

# Resource Graph keeps change history for 14 days.
MAX_CHANGES_DAYS = 14


def _literal(text: str) -> str:
    """A Kusto string literal. Resource types are fixed constants; this keeps them safe anyway."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def resources_query(resource_type: str) -> str:
    """All rows of one resource type in the query's scope, raw."""
    return "\n".join(
        (
            "resources",
            f"| where type =~ {_literal(resource_type)}",
            f"| project {', '.join(RESOURCE_COLUMNS)}",
            "| order by id asc",
        )
    )


def subscriptions_query() -> str:
    """The subscriptions readable in the query's scope (tenant, management group or a list)."""
    return "\n".join(
        (
            "resourcecontainers",
            f"| where type =~ {_literal(SUBSCRIPTION_TYPE)}",
            "| project id, subscriptionId, name, tenantId, state = tostring(properties.state)",
            "| order by id asc",
        )
    )


def changes_query(resource_types: Iterable[str], days: int) -> str:
    """Change history of the given types over the last `days` days (azure-wire.md §3).

    Column names follow the documented sample (`changeTime, targetResourceId, targetType,
    changeType, changedBy, changes`); `id`, `subscriptionId`, `changedByType`, `clientType`
    and `operation` are added for stable paging and for attribution ("who, how, which
    operation").
    """
    if not 1 <= days <= MAX_CHANGES_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_CHANGES_DAYS}")
    types = ", ".join(_literal(t) for t in resource_types)
    return "\n".join(
        (
            "resourcechanges",
            "| extend changeTime = todatetime(properties.changeAttributes.timestamp),",
            "    targetResourceId = tostring(properties.targetResourceId),",
            "    targetType = tolower(tostring(properties.targetResourceType)),",
            "    changeType = tostring(properties.changeType)",
            f"| where changeTime > ago({days}d)",
            f"| where targetType in~ ({types})",
            # Raw rows, like every other table: the snapshot is a faithful copy.
            "| project id, name, type, tenantId, subscriptionId, resourceGroup, properties",
            "| order by changeTime desc, id asc",
        )
    )
