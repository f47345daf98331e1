"""The Markdown job summary: gaps first, counts, top findings with fixes, every pool's egress
IPs; escaped names; never over GitHub's 1 MiB."""

from __future__ import annotations

import dataclasses
import io
from contextlib import redirect_stdout

import pytest

from auditor.arm import ResourceId
from auditor.cli import main
from auditor.model import CollectionError, Finding, RuleError, Severity
from reports import markdown
from tests import demo_expected as expected
from tests import estate_builder as b
from tests import html_demo
from tests.reports import estates as e

S1, S2 = e.sub(1), e.sub(2)


@pytest.fixture(scope="module")
def demo() -> str:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        assert main(["--demo", "--format", "markdown"]) == 1
    return buffer.getvalue()


def test_demo_counts_and_egress_rows(demo: str) -> None:
    assert demo.startswith(f"## egress-audit: {len(expected.ACTIVE)} findings\n")
    for severity, count in html_demo.SEVERITY_COUNTS:
        assert f" {severity} | {count} |" in demo
    assert f"Suppressed by the policy file: {len(expected.SUPPRESSED)}." in demo
    assert (
        "| aks-payments-prod | rg-payments-prod | payments | nodes | "
        "NAT gateway ng-payments-egress | 20.61.16.0/28 |"
    ) in demo
    assert (
        "| aks-podsubnet-prod | rg-podsubnet-prod | ledger | pods | default outbound access "
        "| *unknown* |"
    ) in demo
    assert (
        "| aks-reporting-nonprod | rg-reporting-nonprod | reports | nodes | "
        "NAT gateway ng-reporting-egress | none |"
    ) in demo
    assert (
        "| aks-kyc-prod | rg-kyc-prod | system | nodes | no egress (blocked by NSG) | none |\n"
        "| aks-kyc-prod | rg-kyc-prod | workers | nodes | no egress (blocked by NSG) | none |"
    ) in demo
    assert (
        "| aks-intranet-legacy | rg-intranet-nonprod | nodepool1 | nodes | "
        "Basic load balancer (implicit SNAT) kubernetes | may leave from 4.180.44.30/32 |"
    ) in demo
    assert (
        "| aks-branch-prod | rg-branch-prod | system | nodes | unknown (forced tunnelling) | "
        "*unknown* |"
    ) in demo
    assert (
        "| aks-storefront-nonprod | rg-storefront-nonprod | system | nodes | "
        "load-balancing rule SNAT kubernetes | may leave from 4.180.48.12/32 |"
    ) in demo
    assert (
        "| aks-partners-prod | rg-partners-prod | egressgw (partner-sync/partner-egress) | "
        "gateway pods | static egress gateway egressgw | 20.61.70.0/31 |\n"
        "| aks-partners-prod | rg-partners-prod | virtual nodes | ACI | "
        "default outbound access | *unknown* |"
    ) in demo
    # 40 node pools, 3 pod subnets, a static egress gateway and virtual nodes
    assert demo.count("\n| aks-") == 45


def test_demo_findings_carry_their_fix(demo: str) -> None:
    assert (
        ". 🟧 **HIGH** EGR001 · aks-checkout-prod/batch  \n"
        "   Node pool batch of cluster aks-checkout-prod sits in subnet"
    ) in demo
    assert (
        "   Fix: `az aks update -g rg-legacy-nonprod -n aks-legacy-kubenet --network-plugin "
        "azure --network-plugin-mode overlay`"
    ) in demo
    # The aks-data-prod entry of the demo policy declares the allowlisted address (EGR010).
    assert (
        ". 🟧 **HIGH** EGR010 · aks-data-prod/etl  \n"
        "   Node pool etl of cluster aks-data-prod leaves from 51.124.80.0/30, outside the "
        "allowed egress 20.61.24.5/32"
    ) in demo
    assert "   Declared at: `auditor/demo/egress-audit.yaml:14`  " in demo


def test_demo_states_the_unknown_hop_before_the_findings(demo: str) -> None:
    unknown = demo.index("**Unknown hops: 1 referenced resource is not in the snapshot**")
    assert unknown < demo.index("### Findings by severity")
    assert (
        "> - /subscriptions/33333333-3333-4333-8333-333333333333/resourceGroups/rg-ipam-prod/"
        "providers/Microsoft.Network/publicIPPrefixes/pipp-integration-egress"
    ) in demo


def test_failed_scopes_come_first() -> None:
    error = CollectionError(f"/subscriptions/{S2}", 403, "AuthorizationFailed", (S2,))
    result = e.audit(e.estate(e.site(S1, kubenet=True)), errors=[error])
    result = dataclasses.replace(result, rule_errors=(RuleError("NAT007", "KeyError: 'x'"),))
    text = markdown.render(result)
    assert text.startswith("## egress-audit: partial audit, 1 finding\n")
    lines = text.splitlines()
    caution = lines.index("> [!CAUTION]")
    assert lines[caution + 1] == (
        "> **Not audited: 1 scope could not be read.** Their clusters are missing from this "
        "report and their alerts were left as they were."
    )
    assert f"| /subscriptions/{S2} | 403 | {S2} | AuthorizationFailed |" in lines
    assert "> - NAT007: KeyError: 'x'" in lines
    assert caution < lines.index("### Findings by severity")


def test_top_findings_stop_at_twenty() -> None:
    result = e.audit(e.estate(e.site(S1)))
    cluster = b.cluster_id("aks", "rg-app", S1)
    findings = tuple(
        Finding(
            "NET001",
            Severity.LOW,
            ResourceId.of(f"{cluster}/agentPools/p{i:02d}"),
            f"Pool p{i:02d}.",
        )
        for i in range(25)
    )
    text = markdown.render(dataclasses.replace(result, findings=findings))
    assert "### Top findings\n\nThe first 20 of 25, highest severity first." in text
    assert "20. ⬜" not in text
    assert "20. 🟦 **LOW** NET001 · aks/p19" in text
    assert "aks/p20" not in text


def test_suppressed_count() -> None:
    result = e.suppress(
        e.audit(e.estate(e.site(S1, kubenet=True, bare_pool=True))),
        b.pool_id("aks", "batch", "rg-app", S1),
        "accepted",
    )
    text = markdown.render(result)
    assert "Suppressed by the policy file: 1." in text
    assert "| 🟧 high | 1 |" in text
    assert "aks/batch" not in text.split("### Egress IPs")[0]


def test_names_are_escaped() -> None:
    est = e.estate(e.site(S1, name="aks_*prod*", rg="rg-[x]", kubenet=True))
    text = markdown.render(e.audit(est))
    assert "| aks\\_\\*prod\\* | rg-\\[x\\] | system | nodes |" in text
    assert "2. 🟧 **HIGH** NET001 · aks\\_\\*prod\\*-kubenet" not in text
    assert "1. 🟧 **HIGH** NET001 · aks\\_\\*prod\\*-kubenet  " in text


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", "a\\|b"),
        ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
        ("R&D", "R&amp;D"),
        ("two\nlines", "two lines"),
        ("- not a list", "\\- not a list"),
        ("1. not a list", "1\\. not a list"),
        ("`code`", "\\`code\\`"),
        ("[link](x)", "\\[link\\](x)"),
        ("20.61.16.0/28", "20.61.16.0/28"),
    ],
)
def test_escape(raw: str, escaped: str) -> None:
    assert markdown.escape(raw) == escaped


def test_code_span_survives_backticks() -> None:
    assert markdown.code("a `b` c") == "``a `b` c``"
    assert markdown.code("`edge`") == "`` `edge` ``"
    assert markdown.code("plain") == "`plain`"


def test_large_estate_is_truncated_under_the_limit() -> None:
    est = e.estate(*(e.site(e.sub(n)) for n in range(1, 41)))
    result = e.audit(est)
    full = markdown.render(result)
    assert full.count("\n| aks | rg-app | system | nodes |") == 40
    limit = len(full.encode()) - 1000
    text = markdown.render(result, max_bytes=limit)
    assert len(text.encode()) <= limit
    shown = text.count("\n| aks | rg-app | system | nodes |")
    assert 0 < shown < 40
    assert text.endswith(
        f"*… {40 - shown} more rows left out: a job summary is limited to 1 MiB. "
        "The JSON report lists every node pool.*\n"
    )


def test_default_limit_is_below_one_mebibyte() -> None:
    assert markdown.MAX_BYTES < 1024 * 1024


def test_a_fix_keeps_its_prose_and_commands_apart() -> None:
    fix = "Plan downtime, then `az aks update -g rg -n a|b`; or `az aks delete -n x`."
    assert markdown.fix(fix) == (
        "Plan downtime, then `az aks update -g rg -n a|b`; or `az aks delete -n x`."
    )


def test_the_title_says_what_drift_was_measured_against() -> None:
    result = e.audit(e.estate(e.site(S1)))
    assert "drift" not in markdown.render(result).splitlines()[2]
    with_baseline = markdown.render(dataclasses.replace(result, baseline="last-week.json"))
    assert " · drift since baseline last-week.json · " in with_baseline.splitlines()[2]
