"""SARIF for GitHub code scanning: the demo and small estates, checked against the OASIS schema
and the GitHub checklist (tests/reports/sarif_checks.py), with exact IDs and values."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from auditor.arm import ResourceId
from auditor.cli import main
from auditor.model import CollectionError, Finding, RuleError, Severity
from reports import sarif
from tests import estate_builder as b
from tests.reports import estates as e
from tests.reports.sarif_checks import check_upload, check_valid

PROD = "11111111-1111-4111-8111-111111111111"
NONPROD = "22222222-2222-4222-8222-222222222222"
S1, S2, S3 = e.sub(1), e.sub(2), e.sub(3)


def _pool(subscription: str, cluster: str, pool: str) -> str:
    return b.pool_id(cluster, pool, "rg-app", subscription)


def _one(result: Any, options: sarif.Options | None = None) -> dict[str, Any]:
    docs = sarif.documents(result, options or sarif.Options())
    assert len(docs) == 1
    return docs[0]


def _run(document: dict[str, Any], subscription: str) -> dict[str, Any]:
    (run,) = [
        r
        for r in document["runs"]
        if r["automationDetails"]["id"] == f"egress-audit/{subscription}/"
    ]
    return run


def _subjects(run: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r["ruleId"], r["properties"]["resourceId"]) for r in run["results"]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    path = tmp_path_factory.mktemp("sarif") / "demo.sarif"
    assert main(["--demo", "--format", "sarif", "--output", str(path)]) == 1
    text = path.read_text(encoding="utf-8")
    return json.loads(text), text


def test_demo_is_valid_for_github(demo: tuple[dict[str, Any], str]) -> None:
    document, text = demo
    check_upload(document, text)
    assert [r["automationDetails"]["id"] for r in document["runs"]] == [
        f"egress-audit/{PROD}/",
        f"egress-audit/{NONPROD}/",
    ]


def test_demo_lists_every_rule_that_ran(demo: tuple[dict[str, Any], str]) -> None:
    from rules.registry import BUILTIN

    for run in demo[0]["runs"]:
        assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [
            r.meta.id for r in BUILTIN if not r.meta.needs_baseline
        ]


def test_demo_resource_finding_gets_the_synthetic_path(demo: tuple[dict[str, Any], str]) -> None:
    result = next(r for r in _run(demo[0], PROD)["results"] if r["ruleId"] == "EGR001")
    assert result["level"] == "error"
    resource = (
        f"/subscriptions/{PROD}/resourceGroups/rg-checkout-prod/providers/"
        "Microsoft.ContainerService/managedClusters/aks-checkout-prod/agentPools/batch"
    )
    assert result["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {
                    "uri": f"azure/subscriptions/{PROD}/resourcegroups/rg-checkout-prod/"
                    "providers/microsoft.containerservice/managedclusters/aks-checkout-prod/"
                    "agentpools/batch"
                },
                "region": {"startLine": 1, "endLine": 1},
            },
            "logicalLocations": [
                {"name": "batch", "fullyQualifiedName": resource, "kind": "resource"}
            ],
        }
    ]
    assert result["message"]["text"].startswith("Node pool batch of cluster aks-checkout-prod ")
    finding = Finding("EGR001", Severity.HIGH, ResourceId.of(resource), "")
    assert result["partialFingerprints"] == {
        "primaryLocationLineHash": finding.fingerprint[:16] + ":1"
    }
    assert result["properties"]["subscriptionId"] == PROD
    assert result["properties"]["resourceGroup"] == "rg-checkout-prod"
    assert result["properties"]["resourceType"] == (
        "microsoft.containerservice/managedclusters/agentpools"
    )
    assert result["properties"]["expected"] == "a NAT gateway on every node pool subnet"
    assert result["properties"]["egressPath"][-1].endswith("/subnets/snet-aks-batch")


def test_demo_policy_finding_points_at_the_policy_line(demo: tuple[dict[str, Any], str]) -> None:
    results = [r for r in _run(demo[0], PROD)["results"] if r["ruleId"] == "NAT007"]
    assert [r["properties"]["resourceName"] for r in results] == ["jobs", "payments", "system"]
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        assert location == {
            "artifactLocation": {"uri": "auditor/demo/egress-audit.yaml"},
            "region": {"startLine": 11, "endLine": 11},
        }
        assert result["level"] == "warning"
    # Three findings on one policy line still have three different fingerprints.
    assert len({r["partialFingerprints"]["primaryLocationLineHash"] for r in results}) == 3


def test_demo_rule_metadata(demo: tuple[dict[str, Any], str]) -> None:
    rules = {r["id"]: r for r in demo[0]["runs"][0]["tool"]["driver"]["rules"]}
    egr = rules["EGR001"]
    assert egr["shortDescription"]["text"] == (
        "Every node pool of a NAT-gateway cluster sits in a subnet with a NAT gateway"
    )
    assert egr["defaultConfiguration"] == {"level": "error"}
    assert egr["properties"] == {
        "tags": ["security", "networking", "egress", "nat-gateway"],
        "precision": "very-high",
        "problem.severity": "error",
        "security-severity": "8.0",
    }
    assert "**Remediation**" in egr["help"]["markdown"]
    assert "az network vnet subnet update" in egr["help"]["markdown"]
    assert "- <https://learn.microsoft.com/azure/aks/nat-gateway>" in egr["help"]["markdown"]
    assert "Remediation: az network vnet subnet update" in egr["help"]["text"]
    # The help states when a finding takes another severity than the default level.
    severity = "high; critical when the subnet is private (defaultOutboundAccess false)"
    assert f"\n\n**Severity**: {severity}\n\n" in egr["help"]["markdown"]
    assert f"\n\nSeverity: {severity}\n\n" in egr["help"]["text"]
    assert "Severity: medium\n\n" in rules["NAT004"]["help"]["text"]
    # NAT007 is a reliability rule: no security severity, so GitHub shows it as a warning.
    assert rules["NAT007"]["properties"] == {
        "tags": ["reliability", "networking", "egress", "idle-timeout"],
        "precision": "high",
        "problem.severity": "warning",
    }


def test_demo_unknown_hop_is_a_notification(demo: tuple[dict[str, Any], str]) -> None:
    (notification,) = _run(demo[0], PROD)["invocations"][0]["toolExecutionNotifications"]
    assert notification["descriptor"] == {"id": "EA-UNKNOWN-RESOURCES"}
    assert notification["properties"]["resourceIds"] == [
        "/subscriptions/33333333-3333-4333-8333-333333333333/resourceGroups/rg-ipam-prod/"
        "providers/Microsoft.Network/publicIPPrefixes/pipp-integration-egress"
    ]
    assert _run(demo[0], NONPROD)["invocations"] == [{"executionSuccessful": True}]


@pytest.mark.parametrize("fmt", ["sarif", "markdown"])
def test_two_runs_are_byte_identical(fmt: str, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    main(["--demo", "--format", fmt])
    first = capsysbinary.readouterr().out
    main(["--demo", "--format", fmt])
    assert capsysbinary.readouterr().out == first


@pytest.mark.parametrize(
    ("severity", "level", "score"),
    [
        (Severity.CRITICAL, "error", "9.5"),
        (Severity.HIGH, "error", "8.0"),
        (Severity.MEDIUM, "warning", "5.5"),
        (Severity.LOW, "note", "2.0"),
        (Severity.INFO, "note", None),
    ],
)
def test_severity_mapping(severity: Severity, level: str, score: str | None) -> None:
    result = e.audit(e.estate(e.site(S1, kubenet=True)))
    meta = dataclasses.replace(result.rules[2], severity=severity)  # NET001, tagged security
    finding = dataclasses.replace(result.findings[0], severity=severity)
    changed = dataclasses.replace(result, rules=(*result.rules[:2], meta), findings=(finding,))
    document = _one(changed)
    check_upload(document)
    run = document["runs"][0]
    assert run["results"][0]["level"] == level
    rule = run["tool"]["driver"]["rules"][2]
    assert rule["id"] == "NET001"
    assert rule["defaultConfiguration"]["level"] == level
    assert rule["properties"].get("security-severity") == score


def test_critical_result_of_a_high_rule_is_an_error() -> None:
    result = e.audit(e.estate(e.site(S1, private_pool=True)))
    (finding,) = _one(result)["runs"][0]["results"]
    assert finding["properties"]["severity"] == "critical"
    assert finding["level"] == "error"


def test_clean_and_empty_subscriptions_get_empty_runs() -> None:
    # S1 has a finding, S2 is clean, S3 is in scope but has no cluster at all.
    result = e.audit(e.estate(e.site(S1, kubenet=True), e.site(S2)), scope=[S3])
    document = _one(result)
    check_upload(document)
    assert [r["automationDetails"]["id"] for r in document["runs"]] == [
        f"egress-audit/{S1}/",
        f"egress-audit/{S2}/",
        f"egress-audit/{S3}/",
    ]
    assert _subjects(_run(document, S1)) == [("NET001", b.cluster_id("aks-kubenet", "rg-app", S1))]
    assert _run(document, S2)["results"] == []
    assert _run(document, S3)["results"] == []


def test_subscription_ids_are_lower_case_in_categories() -> None:
    upper = "ABCDEF01-0000-4000-8000-0000000000AB"
    result = e.audit(e.estate(e.site(upper, kubenet=True)))
    run = _one(result)["runs"][0]
    assert run["automationDetails"]["id"] == f"egress-audit/{upper.lower()}/"
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith(f"azure/subscriptions/{upper.lower()}/resourcegroups/rg-app/")


def test_failed_subscription_gets_no_run_and_a_notification() -> None:
    error = CollectionError(
        scope=f"/subscriptions/{S2}",
        status=403,
        message="AuthorizationFailed: no Reader role",
        subscriptions=(S2,),
    )
    result = e.audit(e.estate(e.site(S1, kubenet=True), e.site(S3)), errors=[error])
    document = _one(result)
    check_upload(document)
    assert [r["automationDetails"]["id"] for r in document["runs"]] == [
        f"egress-audit/{S1}/",
        f"egress-audit/{S3}/",
    ]
    for run in document["runs"]:
        invocation = run["invocations"][0]
        assert invocation["executionSuccessful"] is True
        assert invocation["toolExecutionNotifications"] == [
            {
                "descriptor": {"id": "EA-READ-FAIL"},
                "level": "error",
                "message": {
                    "text": f"Subscription {S2} could not be read (HTTP 403): "
                    "AuthorizationFailed: no Reader role. It has no run, so its alerts stay "
                    "as they were."
                },
                "properties": {
                    "scope": f"/subscriptions/{S2}",
                    "status": 403,
                    "subscriptions": [S2],
                },
            }
        ]


def test_failed_subscription_through_the_cli(tmp_path: Path) -> None:
    document = e.estate(e.site(S1, kubenet=True)).document()
    document["scope"]["subscriptions"].append(S2)
    document["errors"] = [
        {
            "scope": f"/subscriptions/{S2}",
            "status": 429,
            "message": "throttled",
            "subscriptions": [S2],
        }
    ]
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps(document))
    out = tmp_path / "out.sarif"
    code = main(["--snapshot", str(snapshot), "--format", "sarif", "-o", str(out)])
    assert code == 4  # partial
    sarif_document = json.loads(out.read_text())
    check_upload(sarif_document)
    (run,) = sarif_document["runs"]
    assert run["automationDetails"]["id"] == f"egress-audit/{S1}/"
    assert run["properties"]["partial"] is True
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["message"]["text"].startswith(
        f"Subscription {S2} could not be read (HTTP 429): throttled."
    )


def test_every_subscription_failed_writes_a_run_less_sarif(tmp_path: Path) -> None:
    error = CollectionError(
        "/providers/Microsoft.Management/managementGroups/mg", 500, "boom", (S1, S2)
    )
    result = e.audit(b.Estate(), errors=[error])
    assert sarif.documents(result, sarif.Options()) == []
    document = json.loads(sarif.render(result))
    check_valid(document)
    assert document["runs"] == []
    assert document["properties"]["notReadSubscriptions"] == [S1, S2]
    assert document["properties"]["collectionErrors"] == [
        {
            "scope": "/providers/Microsoft.Management/managementGroups/mg",
            "status": 500,
            "subscriptions": [S1, S2],
        }
    ]


def test_scope_error_without_subscriptions_is_reported_in_every_run() -> None:
    error = CollectionError("/providers/Microsoft.Management/managementGroups/mg", None, "timeout")
    result = e.audit(e.estate(e.site(S1)), errors=[error])
    (run,) = _one(result)["runs"]
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["message"]["text"] == (
        "Scope /providers/Microsoft.Management/managementGroups/mg could not be read: timeout"
    )
    assert notification["level"] == "error"


def test_rule_error_is_a_notification_tied_to_the_rule() -> None:
    result = e.audit(e.estate(e.site(S1)))
    broken = dataclasses.replace(result, rule_errors=(RuleError("NAT007", "KeyError: 'x'"),))
    (run,) = _one(broken)["runs"]
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notification == {
        "descriptor": {"id": "EA-RULE-FAIL"},
        "level": "error",
        "message": {"text": "Rule NAT007 failed: KeyError: 'x'"},
        "associatedRule": {"id": "NAT007", "index": 1},
    }


def test_policy_warning_is_a_configuration_notification() -> None:
    result = dataclasses.replace(
        e.audit(e.estate(e.site(S1))),
        warnings=("egress-audit.yaml:3: clusters[0] matches no cluster (id x)",),
    )
    (run,) = _one(result)["runs"]
    assert run["invocations"][0]["toolConfigurationNotifications"] == [
        {
            "descriptor": {"id": "EA-POLICY-WARNING"},
            "level": "warning",
            "message": {"text": "egress-audit.yaml:3: clusters[0] matches no cluster (id x)"},
        }
    ]


def test_finding_of_an_unlisted_rule_gets_a_stand_in_rule() -> None:
    result = e.audit(e.estate(e.site(S1)))
    stray = Finding(
        "DRIFT001",
        Severity.LOW,
        ResourceId.of(b.cluster_id("aks", "rg-app", S1)),
        "Cluster aks drifted.",
    )
    document = _one(dataclasses.replace(result, findings=(stray,)))
    check_upload(document)
    run = document["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rule_ids == ["EGR001", "NAT007", "NET001", "DRIFT001"]
    assert run["results"][0]["ruleIndex"] == 3
    assert run["tool"]["driver"]["rules"][3]["defaultConfiguration"] == {"level": "note"}


def test_suppressed_findings_are_uploaded_marked_with_the_reason() -> None:
    batch = _pool(S1, "aks", "batch")
    result = e.suppress(
        e.audit(e.estate(e.site(S1, kubenet=True, bare_pool=True))), batch, "migrating in Q1"
    )
    upload = _one(result)
    check_upload(upload)
    kubenet = b.cluster_id("aks-kubenet", "rg-app", S1)
    # Active results first: a cut to GitHub's result limit drops the suppressed ones first.
    assert _subjects(upload["runs"][0]) == [("NET001", kubenet), ("EGR001", batch)]
    results = {r["properties"]["resourceId"]: r for r in upload["runs"][0]["results"]}
    assert results[batch]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "migrating in Q1",
            "properties": {"expires": "2027-01-31", "resourceGlob": batch},
        }
    ]
    # SARIF §3.27.23: every result of the run has the property, empty when active.
    assert results[kubenet]["suppressions"] == []
    full = _one(result, sarif.Options(full=True))
    check_valid(full)
    # The same results; the full report's run lists only the rules they refer to.
    (run,) = full["runs"]
    listed = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert listed == [
        r["id"]
        for r in upload["runs"][0]["tool"]["driver"]["rules"]
        if r["id"] in ("EGR001", "NET001")
    ]
    assert [{**r, "ruleIndex": listed[r["ruleIndex"]]} for r in run["results"]] == [
        {**r, "ruleIndex": r["ruleId"]} for r in upload["runs"][0]["results"]
    ]


def test_a_run_without_suppressed_findings_has_no_suppressions_property() -> None:
    upload = _one(e.audit(e.estate(e.site(S1, kubenet=True, bare_pool=True))))
    check_upload(upload)
    assert all("suppressions" not in r for r in upload["runs"][0]["results"])


def test_fingerprints_stay_when_order_and_casing_change() -> None:
    first = _one(e.audit(e.estate(e.site(S1, kubenet=True, bare_pool=True), e.site(S2))))
    upper = S1.upper()
    second = _one(e.audit(e.estate(e.site(S2), e.site(upper, kubenet=True, bare_pool=True))))

    def hashes(document: dict[str, Any]) -> dict[str, str]:
        return {
            r["properties"]["resourceId"].lower(): r["partialFingerprints"][
                "primaryLocationLineHash"
            ]
            for r in _run(document, S1)["results"]
        }

    assert hashes(first) == hashes(second)
    assert len(set(hashes(first).values())) == 2


def test_long_rule_descriptions_are_clipped_to_github_limits() -> None:
    result = e.audit(e.estate(e.site(S1)))
    long = dataclasses.replace(result.rules[0], title="t" * 2000, description="d" * 1500)
    document = _one(dataclasses.replace(result, rules=(long, *result.rules[1:])))
    check_upload(document)
    rule = document["runs"][0]["tool"]["driver"]["rules"][0]
    assert len(rule["shortDescription"]["text"]) == 1024
    assert rule["fullDescription"]["text"].endswith("…")


def test_every_format_has_a_renderer(demo: tuple[dict[str, Any], str]) -> None:
    from reports import Format, renderer

    result = e.audit(e.estate(e.site(S1, kubenet=True)))
    for fmt in Format:
        assert renderer(fmt)(result).endswith("\n"), fmt


def test_first_sentence_of_every_message_names_the_resource(
    demo: tuple[dict[str, Any], str],
) -> None:
    for run in demo[0]["runs"]:
        for result in run["results"]:
            first = result["message"]["text"].split(". ")[0]
            assert result["properties"]["resourceName"] in first, first
