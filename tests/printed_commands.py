"""The commands a fix prints, checked offline against the grammar they will meet.

`az …` commands are checked against tests/data/az-commands.json, the flag table recorded from
azure-cli 2.91.0 (and the azure-firewall extension's source); tests/data/SOURCES.md says how
it was recorded. `egress-audit …` commands are parsed by the real argparse parsers of
auditor/cli.py. A fix is a command or prose with each command in its own code span
(auditor/fixtext.py); a span may chain commands with `&&`.

`problems(fix)` lists what a person pasting the fix would trip over; `placeholders(fix)` the
`<…>` a person must fill in.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from auditor import cli
from auditor.errors import UsageError
from auditor.fixtext import segments

TABLE = Path(__file__).parent / "data" / "az-commands.json"
PLACEHOLDER = re.compile(r"<[^<>]+>")
# A token that stands for a placeholder while the line is split (placeholders hold spaces).
_HOLE = "PLACEHOLDER{}X"
_AND = "&&"
_HOLE_TOKEN = re.compile(r"PLACEHOLDER(\d+)X")
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_SAYS_CLI = re.compile(r"Azure CLI (\d+\.\d+\.\d+)")
# A command written in prose instead of in its own code span.
_BARE_COMMAND = re.compile(
    r"(?:^|[\s(])(az (?:aks|network|tag|resource|extension)\b"
    r"|egress-audit (?:drift|rules|snapshot|graph|egress-ips|job|--)\S*)"
)

# Flags the 2.91.0 validator accepts only together with another flag's value (the table's
# note on `az aks update`, acs/_validators.py validate_nat_gateway_v2_params_for_update).
NEEDS: dict[tuple[str, str], tuple[str, str]] = {
    ("az aks update", flag): ("--outbound-type-sku", "StandardV2")
    for flag in (
        "--nat-gateway-outbound-ips",
        "--nat-gateway-outbound-ip-prefixes",
        "--nat-gateway-managed-outbound-ipv6-count",
    )
}

# The egress-audit subcommands a fix may print, and the parser each meets.
EGRESS_AUDIT_PARSERS: dict[str | None, Callable[[], argparse.ArgumentParser]] = {
    None: cli.audit_parser,
    "drift": cli.drift_parser,
}


@dataclass(frozen=True)
class AzCommand:
    """One recorded command: its flags (every alias), each alias's canonical flag, the allowed
    values by canonical flag, the flags it requires, and the Azure CLI version a flag needs."""

    name: str
    flags: frozenset[str]
    canonical: dict[str, str]
    allowed_values: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    min_version: dict[str, str]

    def canonical_flag(self, flag: str) -> str:
        return self.canonical.get(flag, flag)


@cache
def table() -> dict[str, AzCommand]:
    recorded = json.loads(TABLE.read_text(encoding="utf-8"))
    commands = {}
    for name, entry in recorded.items():
        canonical = {alias: group[0] for group in entry["aliases"] for alias in group}
        flags = frozenset(entry["flags"]) | frozenset(entry.get("hidden_flags", ()))

        def first(flag: str, canonical: dict[str, str] = canonical) -> str:
            return canonical.get(flag, flag)

        commands[name] = AzCommand(
            name=name,
            flags=flags,
            canonical=canonical,
            allowed_values={first(f): tuple(v) for f, v in entry["allowed_values"].items()},
            required=tuple(first(f) for f in entry["required"]),
            min_version={
                first(f): v
                for f, v in (entry.get("min_core_version") or {}).items()
                if _VERSION.match(v)
            },
        )
    return commands


def command_spans(fix: str) -> list[str]:
    return [text for text, is_command in segments(fix) if is_command]


def placeholders(fix: str) -> set[str]:
    return {p for span in command_spans(fix) for p in PLACEHOLDER.findall(span)}


def problems(fix: str) -> list[str]:
    """Everything wrong with the commands of one fix, each as one line."""
    found: list[str] = []
    for text, is_command in segments(fix):
        if not is_command:
            found.extend(f"command outside a code span: {m}" for m in _BARE_COMMAND.findall(text))
            continue
        for words in _simple_commands(text, found):
            found.extend(_problems_of(words, fix))
    return found


def _simple_commands(span: str, found: list[str]) -> Iterator[list[str]]:
    """The words of each command of a span, `&&` chains split; placeholders stay one word."""
    holes = PLACEHOLDER.findall(span)
    text = PLACEHOLDER.sub(lambda m: _HOLE.format(holes.index(m.group())), span)
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError as exc:
        found.append(f"{span!r} does not split as a shell line: {exc}")
        return
    words: list[str] = []
    for token in [*tokens, _AND]:
        if token == _AND:
            if not words:
                found.append(f"{span!r}: an empty command around &&")
            else:
                yield [_HOLE_TOKEN.sub(lambda m: holes[int(m.group(1))], w) for w in words]
            words = []
        elif token and all(c in "();<>|&" for c in token):
            found.append(f"{span!r}: shell operator {token!r} (only && chains commands)")
        else:
            words.append(token)


def _problems_of(words: list[str], fix: str) -> list[str]:
    if words[0] == "az":
        return az_problems(words, fix)
    if words[0] == "egress-audit":
        return egress_audit_problems(words)
    return [f"{' '.join(words)!r} is neither an az nor an egress-audit command"]


def az_problems(words: list[str], fix: str = "") -> list[str]:
    line = " ".join(words)
    known = table()
    length = next(
        (n for n in range(len(words), 1, -1) if " ".join(words[:n]) in known),
        0,
    )
    if not length:
        return [f"{line!r}: unknown command (not in {TABLE.name})"]
    command = known[" ".join(words[:length])]
    found: list[str] = []
    given: dict[str, list[str]] = {}
    current: str | None = None
    for word in words[length:]:
        if word.startswith("-") and not PLACEHOLDER.fullmatch(word):
            flag, _, inline = word.partition("=")
            if flag not in command.flags:
                found.append(f"{line!r}: {command.name} has no flag {flag}")
            current = command.canonical_flag(flag)
            if current in given:
                found.append(f"{line!r}: {flag} is given twice (as {current})")
            given[current] = [inline] if inline else []
        elif current is None:
            found.append(f"{line!r}: {command.name} takes no positional argument {word!r}")
        else:
            given[current].append(word)
    for flag, values in given.items():
        allowed = command.allowed_values.get(flag, ())
        # azure-cli's enum arguments match case-insensitively (get_enum_type).
        found.extend(
            f"{line!r}: {flag} {value} is not one of {', '.join(allowed)}"
            for value in values
            if allowed
            and not PLACEHOLDER.fullmatch(value)
            and value.lower() not in {a.lower() for a in allowed}
        )
    if "--ids" not in given:
        found.extend(
            f"{line!r}: {command.name} requires {flag}"
            for flag in command.required
            if flag not in given
        )
    for flag in given:
        need = NEEDS.get((command.name, flag))
        if need is not None and need[1] not in given.get(need[0], []):
            found.append(f"{line!r}: {flag} is accepted only with {need[0]} {need[1]}")
        version = command.min_version.get(flag)
        if version is not None and not any(_at_least(v, version) for v in _SAYS_CLI.findall(fix)):
            found.append(f"{line!r}: {flag} needs Azure CLI {version}, which the fix must say")
    return found


def _at_least(version: str, minimum: str) -> bool:
    return tuple(map(int, version.split("."))) >= tuple(map(int, minimum.split(".")))


def egress_audit_problems(words: list[str]) -> list[str]:
    args = [PLACEHOLDER.sub("placeholder", w) for w in words[1:]]
    subcommand = args[0] if args and not args[0].startswith("-") else None
    build = EGRESS_AUDIT_PARSERS.get(subcommand)
    if build is None:
        return [f"{' '.join(words)!r}: no parser recorded for egress-audit {subcommand}"]
    try:
        build().parse_args(args[1:] if subcommand else args)
    except UsageError as exc:
        return [f"{' '.join(words)!r}: {exc}"]
    return []
