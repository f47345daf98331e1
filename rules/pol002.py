"""POL002 policy-suppression-expired: every suppression in the policy file is still in date."""

from __future__ import annotations

from collections.abc import Iterator

from auditor import suppress
from auditor.model import Finding, Rule, RuleContext, RuleMeta, Severity
from rules._text import source_link, urls

META = RuleMeta(
    id="POL002",
    name="policy-suppression-expired",
    title="Suppressions in the policy file are within their expiry date",
    severity=Severity.LOW,
    description=(
        "Policy-driven: a suppression in the policy file has passed its expiry date. It no "
        "longer hides the findings it matched; renew it with a fresh justification or fix them."
    ),
    help_markdown=(
        "A suppression (`suppressions:` in the policy file) hides the findings of one rule on "
        "the resources its ARM-ID glob matches, through its `expires` date inclusive. From the "
        "next day — judged against the day the estate was read, never the wall clock, so "
        "two runs over one snapshot agree — it stops hiding them, and this rule reports it: "
        "once for each resource of the estate the glob matches, located at the suppression's "
        "line in the policy file.\n\n"
        "An accepted risk needs a date on which someone looks at it again: renew the "
        "suppression with a new justification and expiry, or fix the finding and delete "
        "the suppression. An expired suppression whose glob matches no resource is reported "
        "as a warning instead.\n\n"
        "Suppressed findings stay in the JSON report, marked with their justification and "
        f"expiry, like SARIF's suppression objects ({source_link('SARIF')}); they do not "
        "count for `--fail-on`."
    ),
    remediation=(
        "Renew the suppression in the policy file (a new justification and expires date), or "
        "fix the finding it hid and delete the suppression"
    ),
    sources=urls("SARIF"),
    tags=("security", "policy"),
    precision="very-high",
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    graph = ctx.graph
    policy = ctx.policy
    for suppression in policy.suppressions:
        if not suppress.is_expired(suppression, graph.as_of):
            continue
        where = suppression.location
        line = f" ({where.path}:{where.line})" if where else ""
        for resource_id in suppress.matched_resources(suppression, graph):
            yield META.finding(
                resource_id=resource_id,
                message=(
                    f"The suppression of {suppression.rule_id} for {resource_id}{line} expired "
                    f"on {suppression.expires}; its findings count again."
                ),
                observed=f"expires {suppression.expires}, estate read {graph.as_of.isoformat()}",
                expected="an expiry date on or after the day the estate was read",
                evidence=(resource_id,),
                location=where,
                key=f"{suppression.rule_id}|{suppression.resource_glob.lower()}",
                remediation=(
                    "Renew the suppression with a new justification and expires date, or fix "
                    f"the {suppression.rule_id} finding and delete the suppression"
                ),
                details={
                    "suppressedRule": suppression.rule_id,
                    "resourceGlob": suppression.resource_glob,
                    "justification": suppression.justification,
                    "expires": suppression.expires,
                },
            )


RULE = Rule(META, check)
