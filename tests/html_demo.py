"""What the bundled demo's HTML report must show, shared by the markup and browser tests.

The demo's findings are written once, in tests/demo_expected.py; this module puts the active
ones in report order (severity, then rule, then resource) and adds what only the HTML shows.
"""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path

from auditor import engine, snapshot
from auditor import policy as policy_module
from auditor.arm import key
from auditor.model import Severity
from auditor.result import AuditResult
from rules.registry import BUILTIN
from tests import demo_expected as expected

PROD = expected.PROD_GROUPS
NONPROD = expected.NONPROD_GROUPS
# Resources the browser tests filter and search for.
CHECKOUT_BATCH = expected.pool(*expected.CHECKOUT, "batch")
CHECKOUT_WIN = expected.pool(*expected.CHECKOUT, "win")
ANALYTICS = expected.cluster(*expected.ANALYTICS)
DATA = expected.cluster(*expected.DATA) + "/agentPools"
PAYMENTS = expected.cluster(*expected.PAYMENTS) + "/agentPools"
DATA_SUBNET = expected.subnet("rg-data-prod", "vnet-spoke-data", "snet-aks-nodes")
EDGE = expected.cluster(*expected.EDGE, expected.NONPROD)
INTRANET = expected.cluster(*expected.INTRANET, expected.NONPROD)
LEGACY = expected.cluster(*expected.LEGACY, expected.NONPROD)
TOOLING_RUNNERS = expected.pool(*expected.TOOLING, "runners")
NG_PAYMENTS = expected.nat("rg-payments-prod", "ng-payments-egress")
NG_TOOLING = expected.nat("rg-tooling-prod", "ng-tooling-runners")
NG_REPORTING = expected.nat("rg-reporting-nonprod", "ng-reporting-egress", expected.NONPROD)

# (severity, rule, resource ID) of every active finding, in the report's order.
ACTIVE = [
    (e.severity, e.rule_id, e.resource_id)
    for e in sorted(
        expected.ACTIVE,
        key=lambda e: (-Severity(e.severity).rank, e.rule_id, key(e.resource_id)),
    )
]
_COUNTS = Counter(e.severity for e in expected.ACTIVE)
SEVERITY_COUNTS = [(s.value, _COUNTS[s.value]) for s in reversed(Severity)]

SUPPRESSED_JUSTIFICATION = (
    "Replaced by pool win2 with outbound NAT disabled in the January window (CHG-2291)"
)
SUPPRESSED_EXPIRES = "2027-01-31"


def active_in(subscription: str) -> int:
    return expected.active_by_subscription()[subscription]


def demo_result() -> AuditResult:
    """The demo's audit, in process."""
    demo = resources.files("auditor.demo")
    snap = snapshot.parse_text(demo.joinpath("estate.json").read_text("utf-8"), "demo estate")
    text = demo.joinpath("egress-audit.yaml").read_text("utf-8")
    policy = policy_module.parse(text, "p.yaml", Path(str(demo)))  # its manifests beside it
    return engine.audit(snap, policy, BUILTIN)
