"""Where SARIF results point: repository-relative, lower-cased, percent-encoded URIs."""

from __future__ import annotations

import pytest

from auditor.arm import ResourceId
from auditor.model import SourceLocation
from reports import sarif_location
from tests import estate_builder as b
from tests.reports import estates as e
from tests.reports.sarif_checks import check_relative_uri

PROD = "11111111-1111-4111-8111-111111111111"
NONPROD = "22222222-2222-4222-8222-222222222222"
S1, S2, S3 = e.sub(1), e.sub(2), e.sub(3)


@pytest.mark.parametrize(
    ("resource_id", "uri"),
    [
        (
            "/subscriptions/S/resourceGroups/RG One/providers/Microsoft.Network/natGateways/ng(1)",
            "azure/subscriptions/s/resourcegroups/rg%20one/providers/microsoft.network/"
            "natgateways/ng%281%29",
        ),
        (
            "/subscriptions/s/resourceGroups/rg/providers/X.Y/z/a:b#c?d%e",
            "azure/subscriptions/s/resourcegroups/rg/providers/x.y/z/a%3Ab%23c%3Fd%25e",
        ),
        (
            "/subscriptions/s/resourceGroups/rg/providers/X.Y/z/..",
            "azure/subscriptions/s/resourcegroups/rg/providers/x.y/z/%2E%2E",
        ),
        ("", "azure/unknown"),
    ],
)
def test_resource_uri_is_relative_lower_case_and_encoded(resource_id: str, uri: str) -> None:
    assert sarif_location.resource_uri(ResourceId.of(resource_id)) == uri
    check_relative_uri(uri)


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("egress-audit.yaml", "egress-audit.yaml"),
        ("./policy/egress audit.yaml", "policy/egress%20audit.yaml"),
        ("k8s\\deploy\\app.yaml", "k8s/deploy/app.yaml"),
        ("a/../b/c.yaml", "b/c.yaml"),
        ("/home/me/repo/egress-audit.yaml", None),
        ("../outside.yaml", None),
        ("C:\\repo\\egress-audit.yaml", None),
        ("", None),
    ],
)
def test_file_locations_are_repository_relative(path: str, uri: str | None) -> None:
    assert sarif_location.repo_relative_uri(path) == uri
    if uri is not None:
        check_relative_uri(uri)


def test_absolute_policy_path_falls_back_to_the_resource_path() -> None:
    resource = ResourceId.of(b.cluster_id("aks", "rg-app", S1))
    assert sarif_location.artifact(resource, SourceLocation("/etc/egress-audit.yaml", 7)) == (
        f"azure/subscriptions/{S1}/resourcegroups/rg-app/providers/"
        "microsoft.containerservice/managedclusters/aks",
        1,
    )
    assert sarif_location.artifact(resource, SourceLocation("policy.yaml", 0)) == (
        "policy.yaml",
        1,
    )
