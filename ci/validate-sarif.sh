#!/usr/bin/env bash
# Validate SARIF files with Microsoft's SARIF Multitool (the SARIF and GitHub rule sets).
#
#   ci/validate-sarif.sh [FILE.sarif ...]      (default: tests/golden/*.sarif)
#
# The multitool exits 0 even when it reports errors, so its findings go to a SARIF file of their
# own and this script fails when that file holds any result of level "error". It is installed
# from npm (pinned) outside the repository, once per machine: SARIF_TOOLS_DIR overrides where.
set -euo pipefail
cd "$(dirname "$0")/.."

MULTITOOL_VERSION=5.7.0
TOOLS_DIR=${SARIF_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/egress-audit/sarif-multitool-$MULTITOOL_VERSION}
MULTITOOL=$TOOLS_DIR/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool

if [[ ! -x $MULTITOOL ]]; then
    echo "installing @microsoft/sarif-multitool@$MULTITOOL_VERSION into $TOOLS_DIR" >&2
    mkdir -p "$TOOLS_DIR"
    npm install --prefix "$TOOLS_DIR" --no-save --no-audit --no-fund --loglevel=error \
        "@microsoft/sarif-multitool@$MULTITOOL_VERSION" >&2
    # npm may skip the package's postinstall chmod; the binary only needs to be executable.
    chmod +x "$MULTITOOL"
fi

if [[ $# -eq 0 ]]; then
    set -- tests/golden/*.sarif
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for file in "$@"; do
    out=$work/$(basename "$file").validation.sarif
    # Every list option of this multitool build needs at least two ;-separated values.
    "$MULTITOOL" validate --rule-kind "Sarif;Gh" --level "Error;Warning" \
        --log "ForceOverwrite;PrettyPrint" -o "$out" "$file" >/dev/null
    python3 - "$file" "$out" <<'PY' || status=1
import json
import sys

source, report = sys.argv[1], sys.argv[2]
with open(report, encoding="utf-8") as handle:
    runs = json.load(handle)["runs"]
results = []
for run in runs:
    strings = {
        rule["id"]: rule.get("messageStrings", {}) for rule in run["tool"]["driver"].get("rules", [])
    }
    for result in run.get("results", []):
        message = result["message"]
        template = strings.get(result.get("ruleId"), {}).get(message.get("id"), {}).get("text")
        text = template.format(*message.get("arguments", [])) if template else message.get("text")
        results.append((result.get("level", "warning"), result.get("ruleId"), text))
errors = 0
for level, rule_id, text in results:
    errors += level == "error"
    print(f"{source}: {level}: {rule_id}: {text}")
print(f"{source}: {errors} errors, {len(results) - errors} warnings (SARIF Multitool)")
sys.exit(1 if errors else 0)
PY
done
exit $status
