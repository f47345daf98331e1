"""Every finding of the bundled demo estate under its own policy, written once.

The demo tests check the real run against this table exactly; the report tests take their
counts from it. docs/demo.md tells each cluster's story; change the table, the estate and
that page together.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

PROD = "11111111-1111-4111-8111-111111111111"
NONPROD = "22222222-2222-4222-8222-222222222222"
SUBSCRIPTIONS = (PROD, NONPROD)
PROD_GROUPS = f"/subscriptions/{PROD}/resourceGroups"
NONPROD_GROUPS = f"/subscriptions/{NONPROD}/resourceGroups"
AKS = "providers/Microsoft.ContainerService/managedClusters"
NETWORK = "providers/Microsoft.Network"
POLICY = "auditor/demo/egress-audit.yaml"


def group(rg: str, sub: str = PROD) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}"


def cluster(rg: str, name: str, sub: str = PROD) -> str:
    return f"{group(rg, sub)}/{AKS}/{name}"


def pool(rg: str, cluster_name: str, name: str, sub: str = PROD) -> str:
    return f"{cluster(rg, cluster_name, sub)}/agentPools/{name}"


def nat(rg: str, name: str, sub: str = PROD) -> str:
    return f"{group(rg, sub)}/{NETWORK}/natGateways/{name}"


def subnet(rg: str, vnet: str, name: str, sub: str = PROD) -> str:
    return f"{group(rg, sub)}/{NETWORK}/virtualNetworks/{vnet}/subnets/{name}"


@dataclass(frozen=True)
class Expected:
    rule_id: str
    severity: str
    resource_id: str
    suppressed: bool = False

    @property
    def subscription(self) -> str:
        return self.resource_id.split("/")[2]


CHECKOUT = ("rg-checkout-prod", "aks-checkout-prod")
ANALYTICS = ("rg-analytics-prod", "aks-analytics")
TOOLING = ("rg-tooling-prod", "aks-tooling-prod")
KYC = ("rg-kyc-prod", "aks-kyc-prod")
DATA = ("rg-data-prod", "aks-data-prod")
PAYMENTS = ("rg-payments-prod", "aks-payments-prod")
PODSUBNET = ("rg-podsubnet-prod", "aks-podsubnet-prod")
TELEMETRY = ("rg-telemetry-prod", "aks-telemetry-prod")
EDGE = ("rg-edge-nonprod", "aks-edge-nonprod")
INTRANET = ("rg-intranet-nonprod", "aks-intranet-legacy")
LEGACY = ("rg-legacy-nonprod", "aks-legacy-kubenet")
SANDBOX = ("rg-sandbox-dev", "aks-sandbox-dev")
PLATFORM = ("rg-platform-dev", "aks-platform-dev")
RISK = ("rg-risk-prod", "aks-risk-prod")
BRANCH = ("rg-branch-prod", "aks-branch-prod")
PARTNERS = ("rg-partners-prod", "aks-partners-prod")
VAULT = ("rg-vault-prod", "aks-vault-prod")
STOREFRONT = ("rg-storefront-nonprod", "aks-storefront-nonprod")


def firewall(rg: str, name: str, sub: str = PROD) -> str:
    return f"{group(rg, sub)}/{NETWORK}/azureFirewalls/{name}"


FINDINGS: tuple[Expected, ...] = (
    # aks-analytics leaves from its NAT gateway (20.61.40.11-12), outside its authorized
    # ranges; aks-integration's NAT IPs are unknown and aks-secure-egress leaves through an
    # appliance, so neither is judged; aks-payments' prefix is inside its ranges.
    Expected("API001", "high", cluster(*ANALYTICS)),
    # The batch pool sits in a subnet without the cluster's NAT gateway, and so leaves by
    # default outbound access.
    Expected("EGR001", "high", pool(*CHECKOUT, "batch")),
    Expected("EGR007", "high", pool(*CHECKOUT, "batch")),
    Expected("EGR002", "medium", pool(*PODSUBNET, "ledger")),
    Expected("EGR002", "medium", pool(*PODSUBNET, "system")),
    Expected("EGR003", "medium", pool(*ANALYTICS, "spark")),
    Expected("EGR003", "medium", pool(*ANALYTICS, "system")),
    # High: the policy's allowed_egress for aks-data-prod is the NAT gateway's address.
    Expected("EGR004", "high", subnet("rg-data-prod", "vnet-spoke-data", "snet-aks-nodes")),
    # The CI runners' subnet has a NAT gateway instead of the route to the firewall.
    Expected("EGR005", "high", pool(*TOOLING, "runners")),
    # Info: aks-kyc-prod is network-isolated by design (outbound type block).
    Expected("EGR006", "info", subnet("rg-kyc-prod", "vnet-spoke-kyc", "snet-aks-system")),
    # Both kyc pools have no egress: the system pool's NSG block (and route to None), the
    # workers' private subnet.
    Expected("EGR008", "info", pool(*KYC, "system")),
    Expected("EGR008", "info", pool(*KYC, "workers")),
    Expected("EGR009", "medium", pool(*EDGE, "edge", NONPROD)),
    # The 0.0.0.0/0 route to the hub firewall moved egress off the allowlisted NAT address.
    Expected("EGR010", "high", pool(*DATA, "etl")),
    Expected("EGR010", "high", pool(*DATA, "system")),
    # aks-branch-prod's NAT gateway may be overridden by a 0.0.0.0/0 learned over the hub's
    # ExpressRoute gateway (its peering uses remote gateways): egress unknown, with why.
    Expected("EGR011", "info", pool(*BRANCH, "system")),
    # aks-vault-prod declares isolation (outbound none, artifacts from a private cache) but a
    # NAT gateway is still attached to its subnet.
    Expected("EGR012", "medium", pool(*VAULT, "system")),
    # aks-partners-prod's virtual nodes leave by default outbound access, not its NAT gateway.
    Expected("EGR013", "medium", cluster(*PARTNERS)),
    # The DMZ firewall carries aks-risk-prod's egress on 2 public IPs and no NAT gateway, its
    # classic rules miss the AKS FQDN tag, and the cluster publishes a public service.
    Expected("FW001", "medium", firewall("rg-dmz-prod", "afw-dmz-weu")),
    Expected("FW002", "high", firewall("rg-dmz-prod", "afw-dmz-weu")),
    # The hub firewall's rules live in its firewall policy, which Resource Graph does not hold.
    Expected("FW002", "info", firewall("rg-connectivity-prod", "afw-hub-weu")),
    Expected("FW003", "medium", cluster(*RISK)),
    # The default port allocation. The Basic load balancer of aks-intranet-legacy has no
    # outbound rules to size (LB003 says to leave it).
    Expected("LB001", "medium", cluster(*LEGACY, NONPROD)),
    # 1,024 ports × (64 nodes + 8 surge) > 64,000 ports of its one outbound IP; the stopped
    # aks-sandbox-dev is not judged.
    Expected("LB002", "high", cluster(*EDGE, NONPROD)),
    Expected("LB003", "critical", cluster(*INTRANET, NONPROD)),
    # aks-storefront-nonprod (outbound none) leaves from its public service's frontend.
    Expected("LB004", "medium", cluster(*STOREFRONT, NONPROD)),
    Expected("LIFE001", "info", cluster(*SANDBOX, NONPROD)),
    Expected("META001", "info", cluster(*KYC)),  # outbound type block
    Expected("NAT001", "critical", nat("rg-reporting-nonprod", "ng-reporting-egress", NONPROD)),
    Expected("NAT002", "low", nat("rg-intranet-nonprod", "ng-intranet-egress", NONPROD)),
    Expected("NAT003", "high", nat("rg-tooling-prod", "ng-tooling-runners")),
    Expected("NAT004", "medium", nat("rg-checkout-prod", "ng-checkout-egress")),
    Expected("NAT005", "low", pool(*TOOLING, "runners")),
    Expected("NAT006", "low", nat("rg-analytics-prod", "ng-analytics-egress")),
    # aks-telemetry-prod's managed NAT gateway was raised to 10 minutes in place: Azure
    # enforces 10 (NAT006 on the cluster) while its profile still declares 4 (NAT013).
    Expected("NAT006", "low", cluster(*TELEMETRY)),
    # aks-payments-prod is built right: only its declared long-poll workload outlasts the NAT
    # gateway's idle timeout.
    Expected("NAT007", "medium", pool(*PAYMENTS, "jobs")),
    Expected("NAT007", "medium", pool(*PAYMENTS, "payments")),
    Expected("NAT007", "medium", pool(*PAYMENTS, "system")),
    Expected("NAT008", "medium", cluster(*PLATFORM, NONPROD)),
    Expected("NAT009", "medium", nat("rg-checkout-prod", "ng-checkout-egress")),
    Expected("NAT010", "info", nat("rg-analytics-prod", "ng-analytics-egress")),
    Expected("NAT011", "low", cluster(*TELEMETRY)),
    Expected("NAT012", "medium", cluster(*TELEMETRY)),
    Expected("NAT013", "low", cluster(*TELEMETRY)),
    # The NET001 suppression of aks-legacy-kubenet expired on 2026-10-31 (POL002).
    Expected("NET001", "high", cluster(*LEGACY, NONPROD)),
    Expected("NET002", "info", cluster(*INTRANET, NONPROD)),
    Expected("NET002", "info", cluster(*SANDBOX, NONPROD)),
    Expected("POL001", "medium", cluster(*ANALYTICS)),
    Expected("POL002", "low", cluster(*LEGACY, NONPROD)),
    # Three gateway nodes on a /31 prefix; a pod subnet pool beside the static egress gateway.
    Expected("SEG001", "medium", pool(*PARTNERS, "egressgw")),
    Expected("SEG002", "high", cluster(*PARTNERS)),
    # Suppressed by the demo policy until its Windows pool is replaced.
    Expected("WIN001", "low", pool(*CHECKOUT, "win"), suppressed=True),
)

# 14 clusters in the prod subscription, 7 in nonprod.
CLUSTERS = 21

ACTIVE = tuple(f for f in FINDINGS if not f.suppressed)
SUPPRESSED = tuple(f for f in FINDINGS if f.suppressed)
# The clusters built right: nothing but aks-payments-prod's declared workload (NAT007).
CORRECT_CLUSTERS = (PAYMENTS, ("rg-secure-egress-prod", "aks-secure-egress"))


def subjects(rule_id: str) -> list[str]:
    """The resources a rule reports on the demo, in report order."""
    return sorted(f.resource_id for f in FINDINGS if f.rule_id == rule_id)


def active_by_subscription() -> Counter[str]:
    return Counter(f.subscription for f in ACTIVE)


def active_by_rule() -> Counter[str]:
    return Counter(f.rule_id for f in ACTIVE)
