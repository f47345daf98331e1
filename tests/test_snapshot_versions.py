"""Snapshot format versions: older documents are upgraded through the hook table or refused."""

from __future__ import annotations

from typing import Any

import pytest

from auditor import snapshot
from auditor.errors import InputError
from tests import estate_builder as b


def _estate() -> b.Estate:
    return b.Estate().add(b.cluster("aks", [b.pool("sys")]))


def test_no_upgrades_exist_while_only_version_1_does() -> None:
    assert snapshot.VERSION == 1
    assert snapshot.UPGRADES == {}


def test_a_version_without_an_upgrade_is_refused() -> None:
    document = _estate().document()
    document["version"] = 0
    with pytest.raises(InputError) as error:
        snapshot.parse_document(document, "old.json")
    assert str(error.value) == (
        "old.json: version: unsupported snapshot version 0 (this egress-audit reads version 1 "
        "and cannot upgrade version 0; collect a new snapshot)"
    )


def test_a_newer_version_is_refused() -> None:
    document = _estate().document()
    document["version"] = 2
    with pytest.raises(InputError, match=r"unsupported snapshot version 2 \(this egress-audit"):
        snapshot.parse_document(document, "new.json")


def test_an_upgrade_hook_turns_an_old_document_into_the_current_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fabricated version 0 that called the resources `rows`: the hook renames them."""
    current = _estate().document()
    old = {k: v for k, v in current.items() if k != "resources"}
    old["version"] = 0
    old["rows"] = current["resources"]

    def upgrade_0(document: dict[str, Any]) -> dict[str, Any]:
        upgraded = {k: v for k, v in document.items() if k != "rows"}
        upgraded["resources"] = document["rows"]
        return upgraded

    monkeypatch.setitem(snapshot.UPGRADES, 0, upgrade_0)
    upgraded = snapshot.parse_document(old, "old.json")
    assert upgraded.to_document() == snapshot.parse_document(current, "new.json").to_document()
