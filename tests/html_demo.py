"""What the bundled demo's HTML report must show, shared by the markup and browser tests.

The demo runs the whole catalogue with the demo policy (`egress-audit --demo`): these are its
active findings in report order (severity, then rule, then resource), as
`egress-audit --demo --format json` lists them, and the one finding its policy suppresses.
"""

from __future__ import annotations

PROD = "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups"
NONPROD = "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups"
AKS = "providers/Microsoft.ContainerService/managedClusters"
NAT = "providers/Microsoft.Network/natGateways"

NETWORK = "providers/Microsoft.Network"

CHECKOUT_BATCH = f"{PROD}/rg-checkout-prod/{AKS}/aks-checkout-prod/agentPools/batch"
CHECKOUT_WIN = f"{PROD}/rg-checkout-prod/{AKS}/aks-checkout-prod/agentPools/win"
ANALYTICS = f"{PROD}/rg-analytics-prod/{AKS}/aks-analytics"
DATA = f"{PROD}/rg-data-prod/{AKS}/aks-data-prod/agentPools"
PAYMENTS = f"{PROD}/rg-payments-prod/{AKS}/aks-payments-prod/agentPools"
PODSUBNET = f"{PROD}/rg-podsubnet-prod/{AKS}/aks-podsubnet-prod/agentPools"
KYC = f"{PROD}/rg-kyc-prod/{AKS}/aks-kyc-prod"
TOOLING_RUNNERS = f"{PROD}/rg-tooling-prod/{AKS}/aks-tooling-prod/agentPools/runners"
TELEMETRY = f"{PROD}/rg-telemetry-prod/{AKS}/aks-telemetry-prod"
EDGE = f"{NONPROD}/rg-edge-nonprod/{AKS}/aks-edge-nonprod"
INTRANET = f"{NONPROD}/rg-intranet-nonprod/{AKS}/aks-intranet-legacy"
LEGACY = f"{NONPROD}/rg-legacy-nonprod/{AKS}/aks-legacy-kubenet"
PLATFORM = f"{NONPROD}/rg-platform-dev/{AKS}/aks-platform-dev"
SANDBOX = f"{NONPROD}/rg-sandbox-dev/{AKS}/aks-sandbox-dev"
NG_ANALYTICS = f"{PROD}/rg-analytics-prod/{NAT}/ng-analytics-egress"
NG_CHECKOUT = f"{PROD}/rg-checkout-prod/{NAT}/ng-checkout-egress"
NG_PAYMENTS = f"{PROD}/rg-payments-prod/{NAT}/ng-payments-egress"
NG_TOOLING = f"{PROD}/rg-tooling-prod/{NAT}/ng-tooling-runners"
NG_INTRANET = f"{NONPROD}/rg-intranet-nonprod/{NAT}/ng-intranet-egress"
NG_REPORTING = f"{NONPROD}/rg-reporting-nonprod/{NAT}/ng-reporting-egress"
DATA_SUBNET = (
    f"{PROD}/rg-data-prod/{NETWORK}/virtualNetworks/vnet-spoke-data/subnets/snet-aks-nodes"
)
KYC_SUBNET = f"{PROD}/rg-kyc-prod/{NETWORK}/virtualNetworks/vnet-spoke-kyc/subnets/snet-aks-system"

# (severity, rule, resource ID) of every active finding, in the report's order.
ACTIVE = [
    ("critical", "LB003", INTRANET),
    ("critical", "NAT001", NG_REPORTING),
    ("high", "API001", ANALYTICS),
    ("high", "EGR001", CHECKOUT_BATCH),
    ("high", "EGR004", DATA_SUBNET),
    ("high", "EGR005", TOOLING_RUNNERS),
    ("high", "EGR007", CHECKOUT_BATCH),
    ("high", "EGR010", f"{DATA}/etl"),
    ("high", "EGR010", f"{DATA}/system"),
    ("high", "LB002", EDGE),
    ("high", "NAT003", NG_TOOLING),
    ("high", "NET001", LEGACY),
    ("medium", "EGR002", f"{PODSUBNET}/ledger"),
    ("medium", "EGR002", f"{PODSUBNET}/system"),
    ("medium", "EGR003", f"{ANALYTICS}/agentPools/spark"),
    ("medium", "EGR003", f"{ANALYTICS}/agentPools/system"),
    ("medium", "EGR009", f"{EDGE}/agentPools/edge"),
    ("medium", "LB001", INTRANET),
    ("medium", "LB001", LEGACY),
    ("medium", "NAT004", NG_CHECKOUT),
    ("medium", "NAT007", f"{PAYMENTS}/jobs"),
    ("medium", "NAT007", f"{PAYMENTS}/payments"),
    ("medium", "NAT007", f"{PAYMENTS}/system"),
    ("medium", "NAT008", PLATFORM),
    ("medium", "NAT009", NG_CHECKOUT),
    ("medium", "NAT012", TELEMETRY),
    ("medium", "POL001", ANALYTICS),
    ("low", "NAT002", NG_INTRANET),
    ("low", "NAT005", TOOLING_RUNNERS),
    ("low", "NAT006", NG_ANALYTICS),
    ("low", "NAT011", TELEMETRY),
    ("low", "POL002", LEGACY),
    ("info", "EGR006", KYC_SUBNET),
    ("info", "EGR008", f"{KYC}/agentPools/workers"),
    ("info", "LIFE001", SANDBOX),
    ("info", "META001", KYC),
    ("info", "NAT010", NG_ANALYTICS),
    ("info", "NET002", INTRANET),
    ("info", "NET002", SANDBOX),
]
SEVERITY_COUNTS = [("critical", 2), ("high", 10), ("medium", 15), ("low", 5), ("info", 7)]

SUPPRESSED_JUSTIFICATION = (
    "Replaced by pool win2 with outbound NAT disabled in the January window (CHG-2291)"
)
SUPPRESSED_EXPIRES = "2027-01-31"
