"""The collection flags of the CLI and the one call the CLI makes to collect.

    add_collection_arguments(parser)      # --subscription, --management-group, --auth, --cloud,
                                          # --arm-endpoint, --batch-size, --changes-days,
                                          # --concurrency, --max-wait
    snapshot = collect_from_args(args)    # Snapshot; raises auditor.errors.CollectionFailed

Importing this module does not import the Azure SDK; `collect_from_args` does.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from typing import TYPE_CHECKING, TypeVar

from auditor.collect import clouds
from auditor.collect.credentials import AUTH_CHOICES, DEFAULT
from auditor.collect.limits import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CHANGES_DAYS,
    DEFAULT_MAX_WAIT,
    DEFAULT_WORKERS,
    MAX_SUBSCRIPTIONS_PER_REQUEST,
    MAX_WORKERS,
)
from auditor.collect.query import MAX_CHANGES_DAYS
from auditor.errors import UsageError
from auditor.snapshot import Snapshot

if TYPE_CHECKING:
    from auditor.collect.collector import CollectionSettings

_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_MANAGEMENT_GROUP = re.compile(r"[A-Za-z0-9_.()-]{1,90}")


def subscription_id(text: str) -> str:
    value = text.strip()
    if value.lower().startswith("/subscriptions/"):
        value = value[len("/subscriptions/") :].strip("/")
    if not _GUID.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"expected a subscription ID (a GUID such as 00000000-0000-0000-0000-000000000000), "
            f"got {text!r}"
        )
    return value


def management_group(text: str) -> str:
    value = text.strip().rstrip("/")
    marker = "/providers/microsoft.management/managementgroups/"
    if marker in value.lower():
        value = value[value.lower().rindex(marker) + len(marker) :]
    if not _MANAGEMENT_GROUP.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"expected a management group ID (letters, digits, - _ . ( ), up to 90), got {text!r}"
        )
    return value


def arm_endpoint(text: str) -> str:
    try:
        return clouds.normalize_endpoint(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def batch_size(text: str) -> int:
    return _int_in_range(text, 1, MAX_SUBSCRIPTIONS_PER_REQUEST)


def changes_days(text: str) -> int:
    return _int_in_range(text, 0, MAX_CHANGES_DAYS)


def concurrency(text: str) -> int:
    return _int_in_range(text, 1, MAX_WORKERS)


MAX_WAIT_LIMIT = 86_400  # a day: longer is no budget at all


def max_wait(text: str) -> int:
    return _int_in_range(text, 0, MAX_WAIT_LIMIT)


def _int_in_range(text: str, low: int, high: int) -> int:
    try:
        value = int(text) if len(text) <= 20 else None
    except ValueError:
        value = None
    if value is None:
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise argparse.ArgumentTypeError(f"expected a whole number, got {shown!r}")
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"expected {low}..{high}, got {value}")
    return value


def add_collection_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the scope, identity and Resource Graph flags (dest names in the comments)."""
    group = parser.add_argument_group(
        "collection from Azure Resource Graph",
        "Which estate to read and how to sign in: --subscription, --management-group, or "
        "--all-subscriptions for every subscription the identity can read. Needs only the "
        "Reader role.",
    )
    group.add_argument(  # dest: subscriptions (list or None)
        "--subscription",
        dest="subscriptions",
        action="append",
        type=subscription_id,
        metavar="ID",
        help="subscription to audit (repeatable)",
    )
    group.add_argument(  # dest: management_groups (list or None)
        "--management-group",
        dest="management_groups",
        action="append",
        type=management_group,
        metavar="NAME",
        help="audit every subscription under this management group (repeatable)",
    )
    group.add_argument(  # dest: all_subscriptions (True or None)
        "--all-subscriptions",
        action="store_true",
        default=None,
        help="audit every subscription the identity can read (the whole tenant)",
    )
    group.add_argument(
        "--auth",
        choices=AUTH_CHOICES,
        default=None,
        help="credential to sign in with: default is DefaultAzureCredential, which honours "
        f"AZURE_TOKEN_CREDENTIALS (default: {DEFAULT})",
    )
    group.add_argument(
        "--cloud",
        choices=tuple(clouds.CLOUDS),
        default=None,
        help="Azure cloud: sets the ARM endpoint, token scope and sign-in authority "
        "(default: AzureCloud)",
    )
    group.add_argument(
        "--arm-endpoint",
        type=arm_endpoint,
        default=None,
        metavar="URL",
        help="ARM endpoint of any other cloud or stack; the token scope is <URL>/.default",
    )
    group.add_argument(
        "--batch-size",
        type=batch_size,
        default=None,
        metavar="N",
        help=f"subscriptions per Resource Graph request, 1..{MAX_SUBSCRIPTIONS_PER_REQUEST} "
        f"(default: {DEFAULT_BATCH_SIZE})",
    )
    group.add_argument(
        "--changes-days",
        type=changes_days,
        default=None,
        metavar="DAYS",
        help=f"days of change history to read for drift attribution, 0..{MAX_CHANGES_DAYS}; "
        f"0 skips it (default: {DEFAULT_CHANGES_DAYS})",
    )
    group.add_argument(
        "--concurrency",
        type=concurrency,
        default=None,
        metavar="N",
        help=f"Resource Graph requests in flight at once, 1..{MAX_WORKERS}; they share the "
        f"query quota (default: {DEFAULT_WORKERS})",
    )
    group.add_argument(
        "--max-wait",
        type=max_wait,
        default=None,
        metavar="SECONDS",
        help="most time the collection spends waiting on throttling, quota resets and "
        "retries, 0..86400; a scope whose wait would go beyond it is recorded as not read "
        f"(default: {DEFAULT_MAX_WAIT})",
    )


T = TypeVar("T")

# Flags that only mean something when collecting live; their defaults are applied in
# settings_from_args, so the CLI can tell a flag given with --snapshot/--demo (an error).
LIVE_FLAGS = {
    "subscriptions": "--subscription",
    "management_groups": "--management-group",
    "all_subscriptions": "--all-subscriptions",
    "auth": "--auth",
    "cloud": "--cloud",
    "arm_endpoint": "--arm-endpoint",
    "batch_size": "--batch-size",
    "changes_days": "--changes-days",
    "concurrency": "--concurrency",
    "max_wait": "--max-wait",
}


def live_flags_given(args: argparse.Namespace) -> list[str]:
    return [flag for dest, flag in LIVE_FLAGS.items() if getattr(args, dest, None) is not None]


def require_scope(args: argparse.Namespace) -> None:
    """A live collection reads what the flags name; the whole tenant only when asked for."""
    named = getattr(args, "subscriptions", None) or getattr(args, "management_groups", None)
    if getattr(args, "all_subscriptions", None):
        if named:
            raise UsageError(
                "--all-subscriptions reads every subscription: drop it, or drop "
                "--subscription/--management-group"
            )
        return
    if not named:
        raise UsageError(
            "say which estate to read: --subscription ID, --management-group NAME or "
            "--all-subscriptions (every subscription the identity can read); or audit "
            "--snapshot FILE or --demo"
        )


def _given(args: argparse.Namespace, dest: str, default: T) -> T:
    value: T | None = getattr(args, dest, None)
    return default if value is None else value


def settings_from_args(args: argparse.Namespace) -> CollectionSettings:
    """CollectionSettings from parsed flags; missing attributes take their defaults."""
    from auditor.collect.collector import CollectionSettings

    try:
        cloud = clouds.resolve(getattr(args, "cloud", None), getattr(args, "arm_endpoint", None))
        return CollectionSettings(
            subscriptions=tuple(getattr(args, "subscriptions", None) or ()),
            management_groups=tuple(getattr(args, "management_groups", None) or ()),
            batch_size=_given(args, "batch_size", DEFAULT_BATCH_SIZE),
            changes_days=_given(args, "changes_days", DEFAULT_CHANGES_DAYS),
            cloud=cloud,
            auth=_given(args, "auth", DEFAULT),
            concurrency=_given(args, "concurrency", DEFAULT_WORKERS),
            max_wait=_given(args, "max_wait", DEFAULT_MAX_WAIT),
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def collect_from_args(args: argparse.Namespace) -> Snapshot:
    """Collect the estate the flags name. Raises CollectionFailed (exit 3) or UsageError.

    The snapshot's `errors` lists every scope that could not be read (the CLI exits 4).
    Progress goes to stderr when it is a terminal; every wait of a second or more is said
    on stderr in any case.
    """
    require_scope(args)
    settings = settings_from_args(args)
    from auditor.collect.client import make_graph_client
    from auditor.collect.clock import SystemClock
    from auditor.collect.collector import collect
    from auditor.collect.credentials import build_credential
    from auditor.collect.progress import Progress
    from auditor.collect.retry import RetrySettings

    # The SDK logs warnings (e.g. each credential DefaultAzureCredential tried); with no
    # logging configured they would reach stderr through logging's last resort. Everything
    # they say is in the one-line error instead; a configured root logger still gets them.
    azure_logger = logging.getLogger("azure")
    if not any(isinstance(h, logging.NullHandler) for h in azure_logger.handlers):
        azure_logger.addHandler(logging.NullHandler())
    clock = SystemClock()
    credential = build_credential(settings.auth, settings.cloud)
    progress = Progress(sys.stderr, clock)
    try:
        retry = RetrySettings(
            max_server_delay=min(RetrySettings().max_server_delay, settings.max_wait),
            max_total_wait=settings.max_wait,
        )
        with make_graph_client(credential, settings.cloud, clock=clock, retry=retry) as graph:
            graph.on_wait = progress.waiting
            try:
                return collect(settings, graph, clock=clock, progress=progress)
            finally:
                progress.finish()
    finally:
        close = getattr(credential, "close", None)
        if callable(close):
            close()
