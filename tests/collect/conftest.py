from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import responses

from tests.collect.fakes import FakeClock, FakeCredential, ResourceGraphEstate


@pytest.fixture
def estate() -> ResourceGraphEstate:
    return ResourceGraphEstate()


@pytest.fixture
def mocked(estate: ResourceGraphEstate) -> Iterator[responses.RequestsMock]:
    """Every HTTP request goes to `responses`; only the Resource Graph POST is answered."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(
            responses.POST,
            re.compile(r"https://[^/]+/providers/Microsoft\.ResourceGraph/resources\?.*"),
            callback=estate.callback,
        )
        yield mock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def credential() -> FakeCredential:
    return FakeCredential()
