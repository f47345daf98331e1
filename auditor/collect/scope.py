"""Step 1 of a collection: the scope the flags name → the subscription IDs to query.

One `resourcecontainers` query per scope (per 1,000 listed subscriptions, per management
group, or once for the tenant), paged like any other. For `--subscription` this also proves
each one is readable: a mistyped or unreadable subscription is reported, never audited as an
empty estate. Scopes that cannot be read are appended to `errors`; a tenant that cannot be
listed, or no readable subscription at all, is CollectionFailed (exit 3).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from auditor.collect.client import UNREACHABLE, QueryFailed, Scope
from auditor.collect.credentials import WHAT_TO_DO, one_line
from auditor.collect.limits import MAX_SUBSCRIPTIONS_PER_REQUEST
from auditor.collect.paging import QueryResult
from auditor.collect.query import subscriptions_query
from auditor.errors import CollectionFailed
from auditor.model import CollectionError

if TYPE_CHECKING:
    from auditor.collect.collector import CollectionSettings

Fetch = Callable[[str, str, Scope], QueryResult]


def batches(subscriptions: Sequence[str], size: int) -> list[tuple[str, ...]]:
    return [tuple(subscriptions[i : i + size]) for i in range(0, len(subscriptions), size)]


def unique(items: Sequence[str]) -> list[str]:
    """First spelling of each item, compared case-insensitively, in input order."""
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(item.lower(), item)
    return list(seen.values())


class Subscriptions:
    def __init__(
        self, settings: CollectionSettings, fetch: Fetch, errors: list[CollectionError]
    ) -> None:
        self.settings = settings
        self.fetch = fetch
        self.errors = errors

    def resolve(self) -> list[str]:
        found: list[str] = []
        requested = unique(self.settings.subscriptions)
        if requested:
            found += self.check_requested(requested)
        for group in unique(self.settings.management_groups):
            found += self.list_management_group(group)
        if not requested and not self.settings.management_groups:
            found += self.list_tenant()
        subscriptions = sorted(unique(found), key=str.lower)
        if not subscriptions:
            why = ""
            if self.errors:
                why = f" ({self.errors[-1].scope}: {one_line(self.errors[-1].message)})"
            raise CollectionFailed(
                f"this identity can read none of the subscriptions in scope{why} — {WHAT_TO_DO}"
            )
        return subscriptions

    def check_requested(self, requested: list[str]) -> list[str]:
        readable: list[str] = []
        for chunk in batches(requested, MAX_SUBSCRIPTIONS_PER_REQUEST):
            try:
                result = self.fetch("checking subscriptions", subscriptions_query(), Scope(chunk))
            except QueryFailed as exc:
                self.errors.append(
                    CollectionError(
                        "subscription access",
                        exc.status,
                        f"could not check that these subscriptions are readable: {exc.message}",
                        chunk,
                    )
                )
                readable += chunk  # the resource queries will tell
                continue
            listed = {str(row.get("subscriptionId", "")).lower() for row in result.rows}
            readable += [s for s in chunk if s.lower() in listed]
        readable_set = set(readable)
        missing = tuple(s for s in requested if s not in readable_set)
        if missing:
            self.errors.append(
                CollectionError(
                    "subscription access",
                    None,
                    "not found, or not readable by this identity (it needs the Reader role)",
                    missing,
                )
            )
        return readable

    def list_management_group(self, group: str) -> list[str]:
        scope_name = f"management group {group}"
        try:
            result = self.fetch(
                f"listing {scope_name}",
                subscriptions_query(),
                Scope(management_groups=(group,)),
            )
        except QueryFailed as exc:
            self.errors.append(
                CollectionError(
                    scope_name, exc.status, f"cannot list its subscriptions: {exc.message}"
                )
            )
            return []
        listed = self.listed(result, scope_name)
        if not listed:
            self.errors.append(
                CollectionError(
                    scope_name,
                    None,
                    "no readable subscription in this management group (check the name, and "
                    "that the identity has the Reader role on it)",
                )
            )
        return listed

    def list_tenant(self) -> list[str]:
        try:
            result = self.fetch("listing subscriptions", subscriptions_query(), Scope())
        except QueryFailed as exc:
            raise CollectionFailed(
                f"cannot list the subscriptions this identity can read: {exc.message} — "
                + advice(exc.status, self.settings.cloud.arm_endpoint, exc.message)
            ) from None
        return self.listed(result, "tenant")

    def listed(self, result: QueryResult, scope_name: str) -> list[str]:
        if result.tenant_limit_hit:
            self.errors.append(
                CollectionError(
                    scope_name,
                    None,
                    "the identity can read more than 10,000 subscriptions and Resource Graph "
                    "listed only the first 10,000: collect per --management-group or "
                    "--subscription",
                )
            )
        if result.truncated:
            self.errors.append(
                CollectionError(scope_name, None, f"subscription list: {result.truncated}")
            )
        ids = (row.get("subscriptionId") for row in result.rows)
        return [s for s in ids if isinstance(s, str) and s]


def advice(status: int | None, endpoint: str, message: str = "") -> str:
    if status is None and UNREACHABLE in message:
        return f"check that this machine can reach {endpoint} over HTTPS"
    if status is None:
        return "Resource Graph's answers could not be used; try again later"
    if status in (401, 403):
        return WHAT_TO_DO
    if status == 429 or status >= 500:
        return "Resource Graph is throttling or unavailable; try again later"
    return f"Resource Graph rejected the query (HTTP {status}); please report this"
