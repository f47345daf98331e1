"""argparse as every egress-audit command uses it.

- A usage error raises UsageError (one line, exit 2) instead of exiting, so it shares the one
  error path, and it suggests the flag or subcommand that was probably meant.
- No abbreviations: `--sub` is not `--subscription` (a later flag must not change the meaning
  of a command someone scheduled).
- `-o/--output` is the file to write. A value that is only a format name (`-o json`, as Azure
  CLI users type) is refused with a hint instead of silently becoming a file named `json`.
- Severities and format names are case-insensitive.
"""

from __future__ import annotations

import argparse
import difflib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from auditor.errors import UsageError

# Format names an `-o` value is refused as: ours, and Azure CLI's `--output` values.
AZURE_CLI_FORMATS = frozenset({"json", "jsonc", "yaml", "yamlc", "table", "tsv", "none"})
OUR_FORMATS = frozenset(
    {"text", "json", "sarif", "markdown", "md", "html", "csv", "graphml", "dot", "txt"}
)

_UNRECOGNIZED = "unrecognized arguments: "
_INVALID_CHOICE = re.compile(r"invalid choice: '(?P<value>[^']*)' \(choose from (?P<choices>.*)\)")


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises UsageError, with no abbreviations and with suggestions.
    `subcommands` are the words the command also takes first (for `did you mean`)."""

    def __init__(self, *args: Any, subcommands: Sequence[str] = (), **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)
        self.subcommands = tuple(subcommands)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message}{self._suggestion(message)} (see {self.prog} --help)")

    def _suggestion(self, message: str) -> str:
        if message.startswith(_UNRECOGNIZED):
            for word in message[len(_UNRECOGNIZED) :].split():
                hint = self._closest_word(word)
                if hint:
                    return f" (did you mean {hint}?)"
            return ""
        choice = _INVALID_CHOICE.search(message)
        if choice:
            choices = re.findall(r"'([^']*)'", choice["choices"])
            close = difflib.get_close_matches(choice["value"].lower(), choices, n=1)
            return f" (did you mean {close[0]}?)" if close else ""
        return ""

    def _closest_word(self, word: str) -> str:
        if word.startswith("-"):
            flag = word.split("=", 1)[0]
            options = [o for o in self._option_string_actions if o.startswith("--")]
            close = difflib.get_close_matches(flag, options, n=1, cutoff=0.7)
            return close[0] if close else ""
        close = difflib.get_close_matches(word, self.subcommands, n=1, cutoff=0.7)
        return f"`{self.prog} {close[0]}`" if close else ""


def output_file(formats: Sequence[str]) -> Callable[[str], Path]:
    """The `type=` of an `-o/--output FILE` flag of a command whose formats are `formats`."""

    def parse(text: str) -> Path:
        name = text.strip().lower()
        if name in OUR_FORMATS | AZURE_CLI_FORMATS and "/" not in text and "." not in text:
            if name in formats:
                raise argparse.ArgumentTypeError(
                    f"did you mean --format {name}? (-o/--output names the file to write; "
                    f"write ./{text} for a file of that name)"
                )
            choose = f"; the format is --format ({', '.join(formats)})" if formats else ""
            raise argparse.ArgumentTypeError(
                f"{text!r} looks like a format, but -o/--output names the file to write"
                f"{choose} (write ./{text} for a file of that name)"
            )
        if not text:
            raise argparse.ArgumentTypeError("expected a file name")
        return Path(text)

    return parse


def lower(text: str) -> str:
    """The `type=` of a case-insensitive choice (severities, format names)."""
    return text.strip().lower()
