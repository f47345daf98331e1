"""Azure clouds: the ARM endpoint Resource Graph is reached on, its token scope, its authority.

The token scopes match `azure.mgmt.core.tools.get_arm_endpoints` (and the Azure CLI's
`activeDirectoryResourceId`): note that US Government tokens are for
`management.core.usgovcloudapi.net` while requests go to `management.usgovcloudapi.net`.
Kept here as data so flag parsing never imports the Azure SDK.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Cloud:
    name: str
    arm_endpoint: str  # https://host[:port][/path], no trailing slash
    token_scope: str
    # None: let azure-identity decide (AZURE_AUTHORITY_HOST, else the public cloud).
    authority_host: str | None


AZURE_CLOUD = "AzureCloud"
AZURE_CHINA_CLOUD = "AzureChinaCloud"
AZURE_US_GOVERNMENT = "AzureUSGovernment"

CLOUDS = {
    AZURE_CLOUD: Cloud(
        AZURE_CLOUD,
        "https://management.azure.com",
        "https://management.azure.com/.default",
        "login.microsoftonline.com",
    ),
    AZURE_CHINA_CLOUD: Cloud(
        AZURE_CHINA_CLOUD,
        "https://management.chinacloudapi.cn",
        "https://management.chinacloudapi.cn/.default",
        "login.chinacloudapi.cn",
    ),
    AZURE_US_GOVERNMENT: Cloud(
        AZURE_US_GOVERNMENT,
        "https://management.usgovcloudapi.net",
        "https://management.core.usgovcloudapi.net/.default",
        "login.microsoftonline.us",
    ),
}

CUSTOM = "custom"


def normalize_endpoint(url: str) -> str:
    """An ARM endpoint URL without trailing slash; raises ValueError unless it is https://host."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise ValueError(f"expected an https:// URL with a host name, got {url!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"expected no query string or fragment in {url!r}")
    return text.rstrip("/")


def resolve(name: str | None, arm_endpoint: str | None) -> Cloud:
    """The cloud for `--cloud NAME` and `--arm-endpoint URL` (either, both or neither).

    With neither, the public cloud, leaving the authority host to azure-identity's own
    default (which honours AZURE_AUTHORITY_HOST). With `--arm-endpoint`, the token scope is
    `<endpoint>/.default` and the authority comes from `--cloud` if given.
    """
    if name is not None and name not in CLOUDS:
        raise ValueError(f"unknown cloud {name!r} (expected one of {', '.join(CLOUDS)})")
    if arm_endpoint is None:
        if name is None:
            public = CLOUDS[AZURE_CLOUD]
            return Cloud(public.name, public.arm_endpoint, public.token_scope, None)
        return CLOUDS[name]
    endpoint = normalize_endpoint(arm_endpoint)
    authority = CLOUDS[name].authority_host if name is not None else None
    return Cloud(name or CUSTOM, endpoint, f"{endpoint}/.default", authority)
