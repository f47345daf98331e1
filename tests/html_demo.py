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

CHECKOUT_BATCH = f"{PROD}/rg-checkout-prod/{AKS}/aks-checkout-prod/agentPools/batch"
CHECKOUT_WIN = f"{PROD}/rg-checkout-prod/{AKS}/aks-checkout-prod/agentPools/win"
ANALYTICS = f"{PROD}/rg-analytics-prod/{AKS}/aks-analytics"
PAYMENTS = f"{PROD}/rg-payments-prod/{AKS}/aks-payments-prod/agentPools"
PODSUBNET = f"{PROD}/rg-podsubnet-prod/{AKS}/aks-podsubnet-prod/agentPools"
LEGACY = f"{NONPROD}/rg-legacy-nonprod/{AKS}/aks-legacy-kubenet"
SANDBOX = f"{NONPROD}/rg-sandbox-dev/{AKS}/aks-sandbox-dev"
NG_ANALYTICS = f"{PROD}/rg-analytics-prod/{NAT}/ng-analytics-egress"
NG_CHECKOUT = f"{PROD}/rg-checkout-prod/{NAT}/ng-checkout-egress"
NG_PAYMENTS = f"{PROD}/rg-payments-prod/{NAT}/ng-payments-egress"
NG_REPORTING = f"{NONPROD}/rg-reporting-nonprod/{NAT}/ng-reporting-egress"
DATA_SUBNET = (
    f"{PROD}/rg-data-prod/providers/Microsoft.Network/virtualNetworks/vnet-spoke-data"
    "/subnets/snet-aks-nodes"
)

# (severity, rule, resource ID) of every active finding, in the report's order.
ACTIVE = [
    ("critical", "NAT001", NG_REPORTING),
    ("high", "API001", ANALYTICS),
    ("high", "EGR001", CHECKOUT_BATCH),
    ("high", "EGR007", CHECKOUT_BATCH),
    ("high", "NET001", LEGACY),
    ("medium", "EGR002", f"{PODSUBNET}/ledger"),
    ("medium", "EGR002", f"{PODSUBNET}/system"),
    ("medium", "EGR003", f"{ANALYTICS}/agentPools/spark"),
    ("medium", "EGR003", f"{ANALYTICS}/agentPools/system"),
    ("medium", "EGR004", DATA_SUBNET),
    ("medium", "EGR009", f"{NONPROD}/rg-edge-nonprod/{AKS}/aks-edge-nonprod/agentPools/edge"),
    ("medium", "LB001", LEGACY),
    ("medium", "NAT004", NG_CHECKOUT),
    ("medium", "NAT007", f"{PAYMENTS}/jobs"),
    ("medium", "NAT007", f"{PAYMENTS}/payments"),
    ("medium", "NAT007", f"{PAYMENTS}/system"),
    ("low", "NAT006", NG_ANALYTICS),
    ("info", "LIFE001", SANDBOX),
    ("info", "NAT010", NG_ANALYTICS),
    ("info", "NET002", SANDBOX),
]
SEVERITY_COUNTS = [("critical", 1), ("high", 4), ("medium", 11), ("low", 1), ("info", 3)]

SUPPRESSED_JUSTIFICATION = (
    "Replaced by pool win2 with outbound NAT disabled in the January window (CHG-2291)"
)
SUPPRESSED_EXPIRES = "2027-01-31"
