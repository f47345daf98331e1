"""Fixtures of the end-to-end tests: the loopback fake, its certificate, the process env."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from tests.collect.e2e.loopback import NAT_GATEWAYS, FakeResourceGraph, write_az
from tests.collect.fakes import (
    SUB_A,
    SUB_B,
    ResourceGraphEstate,
    arg_row,
    example_body,
    synthetic_rows,
)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def estate() -> ResourceGraphEstate:
    estate = ResourceGraphEstate()
    estate.add(
        [
            arg_row(example_body("ManagedClustersGet"), SUB_A, "rg1"),
            arg_row(example_body("NatGatewayGet"), SUB_A, "rg1"),
            arg_row(example_body("VirtualNetworkGet"), SUB_A, "rg1"),
            arg_row(example_body("PublicIpAddressGet"), SUB_A, "rg1"),
        ]
    )
    estate.add(synthetic_rows(NAT_GATEWAYS, SUB_B, 3))
    return estate


@pytest.fixture
def graph(ca: trustme.CA, estate: ResourceGraphEstate) -> Iterator[FakeResourceGraph]:
    server = FakeResourceGraph(estate)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def environment(tmp_path: Path, ca: trustme.CA) -> dict[str, str]:
    """A process environment built from nothing: only what the test means to give it."""
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    home = tmp_path / "home"
    (home / ".azure").mkdir(parents=True)
    stand_in = tmp_path / "bin"
    stand_in.mkdir()
    write_az(stand_in, tmp_path / "az-calls.txt")
    env = {
        "PATH": f"{stand_in}:/usr/bin:/bin",
        "HOME": str(home),
        "AZURE_CONFIG_DIR": str(home / ".azure"),
        "REQUESTS_CA_BUNDLE": str(bundle),
        "AZURE_TOKEN_CREDENTIALS": "AzureCliCredential",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    # Nothing that could point azure-identity or requests anywhere else.
    for name in (
        "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT",
        "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_AUTHORITY_HOST", "AZURE_USERNAME", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY",
        "http_proxy", "ALL_PROXY",
    ):  # fmt: skip
        assert name not in env
    return env
