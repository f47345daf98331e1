"""The pure parts of the collector: queries, clouds, retry timing, flags, progress, imports."""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.collect import clouds
from auditor.collect.args import add_collection_arguments, settings_from_args
from auditor.collect.progress import Progress
from auditor.collect.query import changes_query, resources_query, subscriptions_query
from auditor.collect.quota import QuotaGate
from auditor.collect.retry import (
    RetrySettings,
    backoff,
    is_retryable,
    parse_timespan,
    quota,
    seconds,
    server_delay,
)
from auditor.collect.waits import WaitBudget, WaitRefused
from auditor.errors import CollectionFailed
from tests.collect.fakes import SUB_A, SUB_B, FakeClock

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)

# -- queries --------------------------------------------------------------------------------


def test_resources_query_text():
    assert resources_query("microsoft.network/natgateways") == (
        "resources\n"
        "| where type =~ 'microsoft.network/natgateways'\n"
        "| project id, name, type, tenantId, subscriptionId, resourceGroup, location, sku, "
        "zones, tags, properties, kind, managedBy\n"
        "| order by id asc"
    )


def test_subscriptions_query_reads_resource_containers():
    query = subscriptions_query()
    assert query.startswith(
        "resourcecontainers\n| where type =~ 'microsoft.resources/subscriptions'"
    )
    assert query.endswith("| order by id asc")


def test_changes_query_is_bounded_to_retention():
    assert "ago(14d)" in changes_query(["microsoft.network/natgateways"], 14)
    for days in (0, 15):
        with pytest.raises(ValueError, match="between 1 and 14"):
            changes_query(["microsoft.network/natgateways"], days)


def test_kusto_literals_are_escaped():
    assert "'it\\'s'" in resources_query("it's")


# -- clouds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "endpoint", "scope", "authority"),
    [
        (
            "AzureCloud",
            "https://management.azure.com",
            "https://management.azure.com/.default",
            "login.microsoftonline.com",
        ),
        (
            "AzureChinaCloud",
            "https://management.chinacloudapi.cn",
            "https://management.chinacloudapi.cn/.default",
            "login.chinacloudapi.cn",
        ),
        (
            "AzureUSGovernment",
            "https://management.usgovcloudapi.net",
            "https://management.core.usgovcloudapi.net/.default",
            "login.microsoftonline.us",
        ),
    ],
)
def test_named_clouds(name, endpoint, scope, authority):
    assert clouds.resolve(name, None) == clouds.Cloud(name, endpoint, scope, authority)


def test_cloud_table_matches_the_sdk():
    from azure.core import AzureClouds
    from azure.mgmt.core.tools import get_arm_endpoints

    for name, setting in [
        ("AzureCloud", AzureClouds.AZURE_PUBLIC_CLOUD),
        ("AzureChinaCloud", AzureClouds.AZURE_CHINA_CLOUD),
        ("AzureUSGovernment", AzureClouds.AZURE_US_GOVERNMENT),
    ]:
        sdk = get_arm_endpoints(setting)
        cloud = clouds.CLOUDS[name]
        assert sdk["resource_manager"].rstrip("/") == cloud.arm_endpoint
        assert sdk["credential_scopes"] == [cloud.token_scope]


def test_default_cloud_leaves_the_authority_to_azure_identity():
    cloud = clouds.resolve(None, None)
    assert (cloud.arm_endpoint, cloud.authority_host) == ("https://management.azure.com", None)


def test_arm_endpoint_gives_its_own_scope_and_keeps_the_named_authority():
    cloud = clouds.resolve("AzureChinaCloud", "https://arm.contoso.test/")
    assert cloud == clouds.Cloud(
        "AzureChinaCloud",
        "https://arm.contoso.test",
        "https://arm.contoso.test/.default",
        "login.chinacloudapi.cn",
    )
    loopback = "https://127.0.0.1:8443"
    assert clouds.resolve(None, loopback) == clouds.Cloud(
        "custom", loopback, f"{loopback}/.default", None
    )


@pytest.mark.parametrize("url", ["http://arm.test", "arm.test", "https://", "https://a.test/?x=1"])
def test_arm_endpoint_must_be_https_with_a_host(url):
    with pytest.raises(ValueError, match="expected"):
        clouds.normalize_endpoint(url)


# -- retry timing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("00:00:03", 3.0),
        ("00:01:00", 60.0),
        ("01:02:03", 3723.0),
        ("1.00:00:01", 86401.0),
        ("00:00:00.5", 0.5),
        ("3", None),
        ("soon", None),
        ("", None),
        ("1" * 300 + ".00:00:01", None),
        ("00:00:" + "9" * 300, None),
    ],
)
def test_quota_reset_is_hh_mm_ss(text, expected):
    assert parse_timespan(text) == expected


def test_server_delay_reads_every_hint_and_takes_the_longest():
    assert server_delay({}, NOW) is None
    assert server_delay({"retry-after": "7"}, NOW) == 7.0
    assert server_delay({"retry-after": "Sun, 01 Mar 2026 12:00:30 GMT"}, NOW) == 30.0
    assert server_delay({"retry-after-ms": "1500"}, NOW) == 1.5
    assert server_delay({"x-ms-user-quota-resets-after": "00:00:09"}, NOW) == 9.0
    both = {"retry-after": "2", "x-ms-user-quota-resets-after": "00:00:05"}
    assert server_delay(both, NOW) == 5.0
    assert server_delay({"retry-after": "garbage"}, NOW) is None


@pytest.mark.parametrize(
    "value", ["nan", "NaN", "-5", "-0.1", "inf", "-inf", "1e999", "", " ", "0x10", "5_0", "+5"]
)
def test_retry_after_that_names_no_sane_wait_is_ignored_never_zero(value):
    # Ignored: the computed back-off applies, so a hostile header never means "retry at once".
    assert server_delay({"retry-after": value}, NOW) is None
    assert server_delay({"retry-after-ms": value}, NOW) is None
    both = {"retry-after": value, "x-ms-user-quota-resets-after": "00:00:06"}
    assert server_delay(both, NOW) == 6.0


def test_an_absurd_retry_after_is_a_huge_wait_that_is_never_echoed():
    delay = server_delay({"retry-after": "9" * 300}, NOW)
    assert delay is not None
    assert delay >= 1e12
    assert seconds(delay) == "more than a day"
    assert seconds(float("nan")) == "more than a day"
    assert (seconds(3600), seconds(1.5), seconds(12.34)) == ("3,600 s", "1.5 s", "12 s")


def test_server_text_becomes_one_short_line_without_controls_or_endless_numbers():
    from auditor.collect.credentials import one_line

    text = "wait\n\t" + "9" * 300 + " s\x1b]0;title\x07 or " + "x" * 1000
    line = one_line(text)
    assert line.startswith("wait [300 digits] s?]0;title? or xxx")
    assert len(line) == 300
    assert line.endswith("…")
    assert one_line("subscription 00000000-0000-0000-0000-000000000000") == (
        "subscription 00000000-0000-0000-0000-000000000000"
    )


def test_quota_is_read_only_when_both_headers_make_sense():
    resets = {"x-ms-user-quota-resets-after": "00:00:04"}
    assert quota({"x-ms-user-quota-remaining": "3", **resets}) == (3, 4.0)
    assert quota({"x-ms-user-quota-remaining": "0", **resets}) == (0, 4.0)
    assert quota(resets) is None
    assert quota({"x-ms-user-quota-remaining": "0"}) is None
    for remaining in ("-1", "1.5", "lots", "9" * 300):
        assert quota({"x-ms-user-quota-remaining": remaining, **resets}) is None


class StillClock(FakeClock):
    """Sleeps are recorded but time stands still: waits of several threads, side by side."""

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def test_overlapping_waits_are_charged_once_and_announced_once():
    clock = StillClock()
    said: list[tuple[float, str]] = []
    budget = WaitBudget(
        clock, max_single=300, max_total=10, announce=lambda d, w: said.append((d, w))
    )
    for _ in range(4):  # four threads held by the same quota reset
        budget.wait(6, "quota")
    assert budget.spent == 6
    assert said == [(6, "quota")]
    clock.advance(6)
    budget.wait(4, "back-off")
    assert budget.spent == 10
    budget.wait(2, "within a wait already counted")
    assert budget.spent == 10
    clock.advance(4)
    with pytest.raises(WaitRefused, match=r"^waiting 0.5 s more would exceed the --max-wait"):
        budget.wait(0.5, "more")
    with pytest.raises(WaitRefused, match=r"^asked to wait 301 s, longer than the 300 s"):
        budget.wait(301, "too long")
    assert clock.sleeps == [6, 6, 6, 6, 4, 2]


def test_quota_gate_holds_when_the_window_is_used_up_and_errs_low():
    clock = FakeClock()
    gate = QuotaGate(clock)
    go = (0.0, "")

    def told(remaining: int, resets: str = "00:00:05") -> dict[str, str]:
        return {"x-ms-user-quota-remaining": str(remaining), "x-ms-user-quota-resets-after": resets}

    assert [gate.try_acquire(), gate.try_acquire()] == [go, go]  # unknown quota: no hold
    gate.release(told(2))  # 2 left, less the request still in flight: 1
    assert gate.try_acquire() == go
    # None left by the cautious count, but answers in flight will settle it: a short look.
    assert gate.try_acquire() == (0.05, "Resource Graph query quota used up until it resets")
    gate.release(told(5))  # a late answer in the same window never raises the count
    assert gate.try_acquire() == (0.05, "Resource Graph query quota used up until it resets")
    gate.release(told(1))  # nothing in flight: the lowest count told is exact
    assert gate.try_acquire() == go
    gate.release(told(0))
    assert gate.try_acquire() == (5.0, "Resource Graph query quota used up until it resets")
    clock.advance(5)
    assert gate.try_acquire() == go  # a new window: unknown until told
    gate.release(told(0, "00:00:00"))  # used up, but it resets now
    assert gate.try_acquire() == go
    gate.hold(3)
    assert gate.try_acquire() == (3.0, "Resource Graph throttled this user")


def test_backoff_is_bounded_and_jittered():
    settings = RetrySettings(base_delay=2.0, max_delay=10.0)
    assert [backoff(n, settings, lambda: 0.0) for n in range(1, 6)] == [1, 2, 4, 5, 5]
    assert [backoff(n, settings, lambda: 1.0) for n in range(1, 6)] == [2, 4, 8, 10, 10]


def test_only_throttling_and_server_errors_are_retried():
    assert [s for s in (None, 400, 401, 403, 404, 408, 429, 500, 503, 504) if is_retryable(s)] == [
        None,
        408,
        429,
        500,
        503,
        504,
    ]


# -- flags ----------------------------------------------------------------------------------


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="egress-audit", exit_on_error=False)
    add_collection_arguments(parser)
    return parser.parse_args(list(argv))


def test_flag_defaults():
    settings = settings_from_args(parse())
    assert (settings.subscriptions, settings.management_groups) == ((), ())
    assert (settings.batch_size, settings.changes_days, settings.auth) == (200, 14, "default")
    assert (settings.concurrency, settings.max_wait) == (4, 600)
    assert settings.cloud.arm_endpoint == "https://management.azure.com"


def test_repeatable_scope_flags_and_the_rest():
    args = parse(
        "--subscription", SUB_A,
        "--subscription", f"/subscriptions/{SUB_B}",
        "--management-group", "platform",
        "--management-group", "/providers/Microsoft.Management/managementGroups/corp-(eu)",
        "--auth", "workload-identity",
        "--cloud", "AzureUSGovernment",
        "--batch-size", "1000",
        "--changes-days", "0",
        "--concurrency", "16",
        "--max-wait", "0",
    )  # fmt: skip
    settings = settings_from_args(args)
    assert settings.subscriptions == (SUB_A, SUB_B)
    assert settings.management_groups == ("platform", "corp-(eu)")
    assert (settings.auth, settings.batch_size, settings.changes_days) == (
        "workload-identity",
        1000,
        0,
    )
    assert settings.cloud == clouds.CLOUDS["AzureUSGovernment"]
    assert (settings.concurrency, settings.max_wait) == (16, 0)


@pytest.mark.parametrize(
    "argv",
    [
        ["--subscription", "my-subscription"],
        ["--management-group", "has space"],
        ["--batch-size", "0"],
        ["--batch-size", "1001"],
        ["--changes-days", "15"],
        ["--arm-endpoint", "http://127.0.0.1:8080"],
        ["--auth", "browser"],
        ["--cloud", "AzureGermanCloud"],
        ["--concurrency", "0"],
        ["--concurrency", "17"],
        ["--max-wait", "-1"],
        ["--max-wait", "86401"],
        ["--max-wait", "1" * 300],
    ],
)
def test_bad_flags_are_usage_errors(argv, capsys):
    parser = argparse.ArgumentParser(prog="egress-audit")
    add_collection_arguments(parser)
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "egress-audit: error: argument" in err
    assert "1" * 30 not in err  # a huge number is never echoed whole


def test_collect_from_args_uses_the_chosen_credential_and_cloud(monkeypatch):
    import responses

    from auditor.collect import args as args_module
    from auditor.collect import credentials
    from tests.collect.fakes import FakeCredential, ResourceGraphEstate, synthetic_rows

    chosen: list[tuple[str, str]] = []
    credential = FakeCredential()

    def fake_build(auth: str, cloud: clouds.Cloud) -> FakeCredential:
        chosen.append((auth, cloud.arm_endpoint))
        return credential

    monkeypatch.setattr(credentials, "build_credential", fake_build)
    estate = ResourceGraphEstate()
    estate.add(synthetic_rows("microsoft.network/natgateways", SUB_A, 2))
    with responses.RequestsMock() as mock:
        mock.add_callback(
            responses.POST,
            "https://arm.contoso.test/providers/Microsoft.ResourceGraph/resources",
            callback=estate.callback,
        )
        snapshot = args_module.collect_from_args(
            parse(
                "--subscription",
                SUB_A,
                "--auth",
                "cli",
                "--arm-endpoint",
                "https://arm.contoso.test",
            )
        )
    assert chosen == [("cli", "https://arm.contoso.test")]
    assert credential.scopes[0] == ("https://arm.contoso.test/.default",)
    assert len(snapshot.rows("microsoft.network/natgateways")) == 2


# -- credentials ----------------------------------------------------------------------------


@pytest.fixture
def clean_environment(monkeypatch):
    for name in [
        "AZURE_TOKEN_CREDENTIALS", "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET",
        "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST", "IDENTITY_ENDPOINT",
        "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "AZURE_USERNAME", "AZURE_PASSWORD",
        "AZURE_CLIENT_CERTIFICATE_PATH",
    ]:  # fmt: skip
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("clean_environment")
@pytest.mark.parametrize(
    ("auth", "class_name"),
    [
        ("default", "DefaultAzureCredential"),
        ("cli", "AzureCliCredential"),
        ("managed-identity", "ManagedIdentityCredential"),
        ("environment", "EnvironmentCredential"),
    ],
)
def test_auth_picks_one_credential_class_without_calling_it(auth, class_name):
    from auditor.collect.credentials import build_credential

    credential = build_credential(auth, clouds.resolve("AzureChinaCloud", None))
    assert type(credential).__name__ == class_name
    credential.close()


@pytest.mark.usefixtures("clean_environment")
def test_workload_identity_without_its_variables_is_a_collection_failure():
    from auditor.collect.credentials import build_credential

    with pytest.raises(CollectionFailed, match=r"workload-identity.*az login"):
        build_credential("workload-identity", clouds.resolve(None, None))


@pytest.mark.usefixtures("clean_environment")
def test_invalid_azure_token_credentials_is_a_collection_failure(monkeypatch):
    from auditor.collect.credentials import build_credential

    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "NoSuchCredential")
    with pytest.raises(CollectionFailed, match="AZURE_TOKEN_CREDENTIALS"):
        build_credential("default", clouds.resolve(None, None))


# -- progress -------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_queries_pages_rows_and_elapsed_on_a_terminal():
    stream, clock = Terminal(), FakeClock()
    progress = Progress(stream, clock)
    progress.stage("collecting")
    clock.advance(12)
    progress.counted(5, 16, 3, 2500)
    progress.waiting(4, "Resource Graph query quota used up until it resets")
    progress.finish()
    text = stream.getvalue()
    assert "\regress-audit: collecting | 5/16 queries, 3 pages, 2,500 rows, 12 s elapsed" in text
    assert "waiting 4 s: Resource Graph query quota used up until it resets | 5/16" in text
    assert text.endswith("\n")


def test_off_a_terminal_only_waits_are_said_one_line_each():
    stream = io.StringIO()
    progress = Progress(stream, FakeClock())
    progress.stage("x")
    progress.counted(1, 2, 1, 10)
    progress.waiting(3, "throttled (HTTP 429)")
    progress.finish()
    assert stream.getvalue() == "egress-audit: waiting 3 s: throttled (HTTP 429)\n"


# -- offline runs never import the Azure SDK -----------------------------------------------


def test_importing_the_collector_does_not_import_azure():
    code = (
        "import sys, argparse\n"
        "import auditor.collect.args as a, auditor.collect.collector, auditor.collect.client\n"
        "import auditor.collect.credentials, auditor.collect.paging, auditor.collect.progress\n"
        "import auditor.collect.protocol, auditor.collect.quota, auditor.collect.schedule\n"
        "import auditor.collect.scope, auditor.collect.waits\n"
        "a.add_collection_arguments(argparse.ArgumentParser())\n"
        "loaded = sorted(m for m in sys.modules if m == 'azure' or m.startswith('azure.'))\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


def test_a_new_window_admits_no_more_than_any_window_was_seen_to_hold():
    # Sixteen threads at the start of a window must not all go before an answer says how
    # many queries the window holds: a burst of 16 against a quota of 15 is a 429.
    clock = FakeClock()
    gate = QuotaGate(clock)
    assert gate.try_acquire() == (0.0, "")
    gate.release({"x-ms-user-quota-remaining": "14", "x-ms-user-quota-resets-after": "00:00:05"})
    clock.advance(5)
    admitted = [gate.try_acquire() for _ in range(16)].count((0.0, ""))
    assert admitted == 15
