"""Property tests of the three input kinds (snapshot, policy, manifests): whatever the file
holds, the run ends with exit 0, 1, 2 or 4; an error is one line on stderr; a report is valid
UTF-8 (valid JSON for the JSON report) and bounded by the input's size; nothing raises.

Inputs are mutations of valid files — values replaced by hostile ones (lone surrogates,
control and bidi characters, huge numbers, NaN, deep nesting, megabyte strings), keys
deleted, and raw text edited (truncated, YAML anchors and aliases, tags, NULs). Examples are
derandomized, so the suite is the same on every run and stays a few seconds long; to search
further by hand, raise HYPOTHESIS_MAX_EXAMPLES and set HYPOTHESIS_RANDOM=1 for new examples.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.cli import main
from tests import hub_builder as h

EXAMPLES = int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "40"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("HYPOTHESIS_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FORMATS = ["text", "json", "sarif", "markdown", "html"]
# What a report may weigh beyond a fixed part (the rule list, the HTML page's assets):
# linear in the input, never a multiple of a name's length times the findings naming it.
FIXED_OUTPUT = 2_000_000
OUTPUT_PER_INPUT_BYTE = 40

HOSTILE_TEXT = [
    "",
    " ",
    "\ud800",
    "a\udc00b",
    "\x00",
    "\x1b[2J\x1b]0;title\x07",
    "\u202eevil",
    "@octocat https://x.example www.x.example",
    "line\nbreak\r",
    "9" * 4301,
    "x" * 100_000,
    "/subscriptions/00000000-0000-4000-8000-000000000001",
    "/subscriptions/*/resourceGroups/*",
    "*",
    "[",
    "{{ .Values.x }}",
    "2026-02-30",
    "NaN",
    "Infinity",
]

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=20),
)
_json_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "name", "properties", "x", "\ud800"]), children)
    ),
    max_leaves=8,
)


BASE_SNAPSHOT = json.dumps(h.every_type_estate())

BASE_POLICY = """\
version: 1
clusters:
  - match:
      id: "*/resourceGroups/rg-test/providers/Microsoft.ContainerService/managedClusters/aks"
      tags: {env: prod}
    allowed_outbound_types: [userAssignedNATGateway]
    allowed_egress: ["20.0.0.0/28"]
    workloads:
      - name: longpoll
        max_idle_seconds: 600
        peak_connections_per_node: 400
    manifests: [k8s.yaml]
  - match: {resource_group: "rg-*"}
    rules:
      NAT009: {high_ratio: 0.7}
rules:
  NAT006: {enabled: false}
suppressions:
  - rule: NET001
    resource: "*/managedClusters/aks"
    justification: "migration booked"
    expires: 2027-01-31
"""

BASE_MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  annotations:
    egress-audit.io/max-idle-seconds: "600"
spec:
  template:
    metadata:
      annotations:
        egress-audit.io/peak-connections-per-node: "400"
---
kind: List
items:
  - kind: CronJob
    metadata: {name: export}
    spec:
      jobTemplate:
        spec:
          template:
            metadata:
              annotations: {egress-audit.io/max-idle-seconds: "900"}
---
apiVersion: egressgateway.kubernetes.azure.com/v1alpha1
kind: StaticGatewayConfiguration
metadata: {name: partner, namespace: shop}
spec:
  gatewayNodepoolName: gw
  publicIpPrefixId: /subscriptions/s/resourceGroups/g/providers/Microsoft.Network/publicIPPrefixes/p
"""

# Raw YAML fragments spliced into the text: anchors and aliases (a bomb among them), tags,
# nesting, control characters, escapes of lone surrogates, numbers past every limit.
YAML_FRAGMENTS = [
    "&a ",
    "*a",
    "<<: *a\n",
    "? [k]\n: v\n",
    "!!python/object/apply:os.system ['true']",
    "!!binary AAAA",
    '"\\ud800"',
    '"\\x1b[2J\\u202e"',
    "\x00",
    "\t",
    "[" * 200,
    "]" * 200,
    "{a: " * 150,
    "9" * 5000,
    ".nan",
    "-.inf",
    "2026-02-30",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "{{ .Values.x }}",
    "l0: &l0 [x,x,x,x,x,x,x,x,x]\nl1: &l1 [*l0,*l0,*l0,*l0,*l0,*l0,*l0,*l0,*l0]\n"
    "l2: &l2 [*l1,*l1,*l1,*l1,*l1,*l1,*l1,*l1,*l1]\nl3: &l3 [*l2,*l2,*l2,*l2,*l2,*l2,*l2,*l2,*l2]\n"
    "l4: &l4 [*l3,*l3,*l3,*l3,*l3,*l3,*l3,*l3,*l3]\nl5: &l5 [*l4,*l4,*l4,*l4,*l4,*l4,*l4,*l4,*l4]\n"
    "l6: [*l5,*l5,*l5,*l5,*l5,*l5,*l5,*l5,*l5]\n",
    "&r {kind: List, items: [*r]}",
    "x" * 50_000,
]


@st.composite
def _text_edits(draw: st.DrawFn, base: str, fragments: list[str]) -> str:
    """`base` with a few raw edits: fragments inserted, spans deleted, or the end cut off."""
    text = base
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        action = draw(st.sampled_from(["insert", "insert", "delete", "truncate"]))
        if action == "insert":
            text = text[:at] + draw(st.sampled_from(fragments) | st.text(max_size=8)) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(min_value=1, max_value=40)) :]
        else:
            text = text[:at]
    return text


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


@st.composite
def _snapshots(draw: st.DrawFn) -> str:
    """A snapshot with a few of its values replaced or deleted (NaN and surrogates written
    as the escapes json writes), sometimes with its text edited afterwards."""
    document = json.loads(BASE_SNAPSHOT)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = [p for p in _paths(document) if p]
        path = draw(st.sampled_from(paths))
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(_json_values)
    text = json.dumps(document)
    if draw(st.integers(min_value=0, max_value=4)) == 0:
        text = draw(_text_edits(text, ["[" * 100_000, "NaN", "-Infinity", "9" * 4301, "\\ud800"]))
    return text


@st.composite
def _policies(draw: st.DrawFn) -> str:
    """The base policy with values swapped for hostile ones, or its text edited."""
    if draw(st.booleans()):
        return draw(_text_edits(BASE_POLICY, YAML_FRAGMENTS))
    document = yaml.safe_load(BASE_POLICY)
    paths = [p for p in _paths(document) if p]
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(paths))
        parent = document
        try:
            for key in path[:-1]:
                parent = parent[key]
            parent[path[-1]] = draw(_json_values.filter(_yaml_safe))
        except (KeyError, IndexError, TypeError):
            continue
    return yaml.safe_dump(document, allow_unicode=True)


def _yaml_safe(value: Any) -> bool:
    try:
        yaml.safe_dump(value, allow_unicode=True)
    except (yaml.YAMLError, UnicodeEncodeError, RecursionError):
        return False
    return True


def _run(argv: list[str], input_size: int, fmt: str) -> None:
    """Run the CLI in-process; check the invariants of every input."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*argv, "--format", fmt])
    stdout, stderr = out.getvalue(), err.getvalue()
    assert code in (0, 1, 2, 4), (code, stderr)
    lines = stderr.splitlines()
    assert all(line.startswith("egress-audit: ") for line in lines), stderr
    assert "Traceback" not in stderr
    if code == 2:
        assert len(lines) == 1, stderr
        assert lines[0].startswith("egress-audit: error: ")
        assert stdout == ""
        return
    assert all(line.startswith("egress-audit: warning: ") for line in lines), stderr
    stdout.encode("utf-8")  # no lone surrogate reached the report
    assert len(stdout) <= FIXED_OUTPUT + OUTPUT_PER_INPUT_BYTE * input_size
    if fmt in ("json", "sarif"):
        json.loads(stdout, parse_constant=_no_constant)


def _no_constant(name: str) -> Any:
    raise AssertionError(f"{name} in a JSON report")


@SETTINGS
@given(snapshot=_snapshots(), fmt=st.sampled_from(FORMATS))
def test_any_snapshot(snapshot: str, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "snapshot.json")
        path.write_text(snapshot, encoding="utf-8", errors="surrogatepass")
        _run(["--snapshot", str(path), "--fail-on", "never"], len(snapshot), fmt)


@SETTINGS
@given(policy=_policies(), fmt=st.sampled_from(FORMATS))
def test_any_policy(policy: str, fmt: str) -> None:
    _run_with(policy, BASE_MANIFEST, fmt)


@SETTINGS
@given(manifest=_text_edits(BASE_MANIFEST, YAML_FRAGMENTS), fmt=st.sampled_from(FORMATS))
def test_any_manifest(manifest: str, fmt: str) -> None:
    _run_with(BASE_POLICY, manifest, fmt)


def _run_with(policy: str, manifest: str, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "snapshot.json").write_text(BASE_SNAPSHOT)
        # As written by an editor: text that is not UTF-8 cannot be saved as UTF-8 either.
        Path(folder, "egress-audit.yaml").write_bytes(policy.encode("utf-8", "replace"))
        Path(folder, "k8s.yaml").write_bytes(manifest.encode("utf-8", "replace"))
        argv = ["--snapshot", str(Path(folder, "snapshot.json"))]
        argv += ["--policy", str(Path(folder, "egress-audit.yaml")), "--fail-on", "never"]
        _run(argv, len(policy) + len(manifest) + len(BASE_SNAPSHOT), fmt)
