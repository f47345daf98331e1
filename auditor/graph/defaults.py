"""What Azure and AKS apply when a field the graph reads is absent, each with its source.

A field Azure or AKS documents a default for is read with that default, never as "unknown" or
empty: a managed cluster row without `networkProfile.outboundType` egresses through its load
balancer like any other `loadBalancer` cluster. A field without a documented default stays
unknown (None) and the rules that need it do not judge it. docs/rules-notes.md lists every
decision; tests/graph/test_defaults.py checks each default on a row without the field.

- `networkProfile.outboundType`: `loadBalancer` [AKS-OT], [SDK].
- `networkProfile.loadBalancerSku`: `standard` [SDK] ("The default is 'standard'").
- `networkProfile.networkPlugin`: unknown. The REST spec's default, `kubenet`, is stale (the
  CLI creates Azure CNI Overlay clusters by default) and every GET returns the value.
- `agentPoolProfiles[].osType`: `Linux` [SDK]; `enableNodePublicIP` and `enableAutoScaling`:
  false [SDK].
- `loadBalancerProfile.idleTimeoutInMinutes`: 30 [AKS-LBCFG]; `allocatedOutboundPorts`: 0,
  ports by backend pool size [SDK], [AKS-LBCFG]; `managedOutboundIPs.count`: 1 [SDK].
- NAT gateway and `natGatewayProfile` `idleTimeoutInMinutes`: 4 [NAT-RES], [SDK];
  `managedOutboundIPProfile.count`: 1 [SDK].
- An instance-level public IP's outbound idle timeout: 4, fixed [PIP].
- Subnet `defaultOutboundAccess`: true (not private); only VNets created with API 2025-07-01
  or later store false [DOA-BLOG], [DOA].
- `powerState`: unknown and judged as running; AKS reports it on every cluster and pool.
- `agentPoolProfiles[].gatewayProfile.publicIPPrefixSize` (Gateway pools): 31 [SDK], [AKS-SEG].
- `staticEgressGatewayProfile`: absent or null means off [SDK]; `bootstrapProfile.artifactSource`:
  `Direct` [AKS-NI]; `disableOutboundSnat` of a load-balancing rule and
  `disableBgpRoutePropagation` of a route table: false [LB-OR], [UDR].
"""

from __future__ import annotations

from auditor.enums import LoadBalancerSku, OsType, OutboundType

OUTBOUND_TYPE = OutboundType.LOAD_BALANCER
LOAD_BALANCER_SKU = LoadBalancerSku.STANDARD
OS_TYPE = OsType.LINUX

NAT_IDLE_MINUTES = 4  # [NAT-RES]: TCP idle timeout 4–120, default 4
NODE_PUBLIC_IP_IDLE_MINUTES = 4  # [PIP]: fixed for outbound-originated flows of an ILPIP
AKS_LB_IDLE_MINUTES = 30  # [AKS-LBCFG]: AKS sets the outbound rule to 30 minutes
LB_MANAGED_OUTBOUND_IPS = 1  # [SDK]: managedOutboundIPs.count defaults to 1
MANAGED_NAT_OUTBOUND_IPS = 1  # [SDK]: managedOutboundIPProfile.count defaults to 1
GATEWAY_PREFIX_SIZE = 31  # [SDK]: gatewayProfile.publicIPPrefixSize, range 28–31, default 31
