"""Which Azure identity signs the queries, and what to tell the user when it cannot.

`--auth default` is `DefaultAzureCredential`, which also honours `AZURE_TOKEN_CREDENTIALS`
(e.g. `AzureCliCredential`) to pin one credential; the other choices pick one class directly.
azure-identity is imported inside `build_credential` only.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from auditor.collect.clouds import Cloud
from auditor.errors import CollectionFailed

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

DEFAULT = "default"
CLI = "cli"
MANAGED_IDENTITY = "managed-identity"
WORKLOAD_IDENTITY = "workload-identity"
ENVIRONMENT = "environment"

AUTH_CHOICES = (DEFAULT, CLI, MANAGED_IDENTITY, WORKLOAD_IDENTITY, ENVIRONMENT)

WHAT_TO_DO = (
    "sign in with `az login` (or choose a credential with --auth or AZURE_TOKEN_CREDENTIALS, "
    "e.g. AZURE_TOKEN_CREDENTIALS=AzureCliCredential) and give the identity the Reader role "
    "on the subscriptions or management group to audit"
)

_MAX_DETAIL = 300


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_LONG_NUMBER = re.compile(r"\d{21,}")


def one_line(text: str, limit: int = _MAX_DETAIL) -> str:
    """Collapse a multi-line server or SDK message into one line of bounded length, with no
    control characters (a server's message must not drive the terminal) and no number too
    long to mean anything (`[300 digits]` instead)."""
    flat = _LONG_NUMBER.sub(lambda m: f"[{len(m.group())} digits]", text[: limit * 4])
    flat = _CONTROL.sub("?", re.sub(r"\s+", " ", flat)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def credential_reasons(text: str) -> str:
    """The useful part of an azure-identity failure.

    DefaultAzureCredential's message is a header, one tab-indented line per credential tried
    ("AzureCliCredential: Please run 'az login' …") and a troubleshooting link; keep the
    per-credential lines. Other messages are kept whole.
    """
    lines = text.splitlines()
    if any(line.strip() == "Attempted credentials:" for line in lines):
        tried = [line.strip() for line in lines if line.startswith(("\t", "    "))]
        if tried:
            return "; ".join(tried)
    return text


def authentication_failed(detail: str) -> CollectionFailed:
    reasons = one_line(credential_reasons(detail))
    return CollectionFailed(f"Azure authentication failed ({reasons}) — {WHAT_TO_DO}")


def build_credential(auth: str, cloud: Cloud) -> TokenCredential:
    """The azure-identity credential for `--auth`; CollectionFailed if it cannot be set up."""
    try:
        return _build(auth, cloud)
    except ValueError as exc:  # e.g. an invalid AZURE_TOKEN_CREDENTIALS, missing variables
        raise CollectionFailed(
            f"cannot set up the {auth!r} Azure credential: {one_line(str(exc))} — {WHAT_TO_DO}"
        ) from None


def _build(auth: str, cloud: Cloud) -> TokenCredential:
    from azure import identity

    authority = {} if cloud.authority_host is None else {"authority": cloud.authority_host}
    if auth == DEFAULT:
        return identity.DefaultAzureCredential(**authority)
    if auth == CLI:
        # The CLI uses the cloud it is configured for (`az cloud set`).
        return identity.AzureCliCredential()
    if auth == MANAGED_IDENTITY:
        client_id = os.environ.get("AZURE_CLIENT_ID") or None
        return identity.ManagedIdentityCredential(client_id=client_id)
    if auth == WORKLOAD_IDENTITY:
        return identity.WorkloadIdentityCredential(**authority)
    if auth == ENVIRONMENT:
        return identity.EnvironmentCredential(**authority)
    raise ValueError(f"unknown --auth {auth!r} (expected one of {', '.join(AUTH_CHOICES)})")
