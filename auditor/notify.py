"""The short summary a scheduled job posts to a chat webhook (Slack or Microsoft Teams).

The URL is a secret (whoever has it can post to the channel): it comes from the environment,
is never printed, and errors name only what went wrong (an HTTP status, a timeout), never the
URL. It must be https; plain http only to this machine (a test receiver on 127.0.0.1).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from auditor.wording import counted

WEBHOOK_ENV = "EGRESS_AUDIT_WEBHOOK_URL"
KINDS = ("slack", "teams")
TIMEOUT_SECONDS = 30
MAX_FINDINGS = 10
# Slack cuts a message's text at 40,000 characters and Teams refuses cards over about 28 KB;
# the summary stays well below both.
MAX_CHARS = 12_000
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_SEVERITIES = ("critical", "high", "medium", "low", "info")


class NotifyError(Exception):
    """The summary could not be posted; the message never contains the URL."""


def summary(report: Mapping[str, Any], fail_on: str, where: str) -> list[str]:
    """The lines of the summary, from the JSON report of the run (plain text, unescaped)."""
    counts = report["summary"]["findings"]
    threshold = _at_or_above(fail_on)
    active = [f for f in report["findings"] if f.get("suppressed") is None]
    failing = [f for f in active if f["severity"] in threshold]
    drift = [f for f in active if str(f["ruleId"]).startswith("DRF")]
    head = f"egress-audit: {counted(len(failing), 'finding')} at or above {fail_on}"
    if fail_on == "never":
        head = f"egress-audit: {counted(len(active), 'active finding')}"
    parts = [f"{counts[s]} {s}" for s in _SEVERITIES if counts.get(s)]
    if parts:
        head += f" ({', '.join(parts)})"
    if drift:
        head += f", {len(drift)} of them drift since the baseline"
    if report.get("partial"):
        head += " — PARTIAL AUDIT"
    lines = [head]
    summary_counts = report["summary"]
    lines.append(
        f"Estate read at {report.get('collectedAt')}: "
        f"{counted(summary_counts['clusters'], 'cluster')}, "
        f"{counted(summary_counts['nodePools'], 'node pool')}"
        + (
            f"; drift against the baseline of {report['baseline']}"
            if report.get("baseline")
            else ""
        )
    )
    for error in report.get("collectionErrors", []):
        status = f" (HTTP {error['status']})" if error.get("status") else ""
        lines.append(f"Not read: {error['scope']}{status}: {error['message']}")
    lines += [f"Rule failed: {e['ruleId']}: {e['message']}" for e in report.get("ruleErrors", [])]
    shown = failing or (active if fail_on == "never" else [])
    lines += [f"- [{f['severity']}] {f['ruleId']}: {f['message']}" for f in shown[:MAX_FINDINGS]]
    if len(shown) > MAX_FINDINGS:
        lines.append(f"- … and {len(shown) - MAX_FINDINGS} more")
    lines.append(f"Reports: {where}")
    return lines


def _at_or_above(fail_on: str) -> set[str]:
    if fail_on == "never":
        return set()
    return set(_SEVERITIES[: _SEVERITIES.index(fail_on) + 1])


def payload(lines: Sequence[str], kind: str) -> dict[str, Any]:
    """The JSON body for a Slack incoming webhook, or a Teams (Workflows) webhook."""
    if kind == "slack":
        # Slack's mrkdwn: only &, < and > need escaping (they would make links or mentions).
        text = "\n".join(_slack_escape(line) for line in lines)
        return {"text": _cut(text)}
    text = "\n\n".join(_teams_escape(line) for line in lines)
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [{"type": "TextBlock", "text": _cut(text), "wrap": True}],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _teams_escape(text: str) -> str:
    # Adaptive-card Markdown: a name must not become emphasis, a link or a list.
    out = []
    for char in text:
        if char in "\\*_[]()<>`#":
            out.append("\\")
        out.append(char)
    escaped = "".join(out)
    return escaped if not escaped.startswith("- ") else "• " + escaped[2:]


def check_url(url: str) -> None:
    """A usable webhook URL, or NotifyError (which never repeats the URL)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in _LOOPBACK:
        return
    raise NotifyError(f"{WEBHOOK_ENV} must be an https:// URL (it is not printed)")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is refused, not followed to a place we did not choose


def post(url: str, body: Mapping[str, Any]) -> None:
    check_url(url)
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(4096)
    except urllib.error.HTTPError as exc:
        raise NotifyError(f"the webhook answered HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        raise NotifyError(f"the webhook could not be reached ({_reason(exc.reason)})") from None
    except TimeoutError:
        raise NotifyError(f"the webhook did not answer within {TIMEOUT_SECONDS} s") from None
    except OSError as exc:
        raise NotifyError(f"the webhook could not be reached ({_reason(exc)})") from None


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return type(reason).__name__ if not isinstance(reason, str) else "connection failed"
