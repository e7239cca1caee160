"""Health probing (健康探测) against a real HTTP server on 127.0.0.1, availability, the probe job
and command, the chart series, and the connectivity overview (系统联通率)."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from govshare.core.config import param_set
from govshare.core.models import Job
from govshare.inventory import health
from govshare.inventory.health import (
    availability,
    connectivity_overview,
    health_series,
    probe,
    probe_all,
    usage_series,
)
from govshare.inventory.models import HealthCheck, UsageReport
from tests.inventory.factories import SystemFactory

pytestmark = pytest.mark.django_db

TIMEOUT = 0.5  # seconds; the smallest the setting allows
HANG_SECONDS = 10  # longer than any timeout here; released when the test ends


class HealthHandler(BaseHTTPRequestHandler):
    """/ok 200, /fail 500, /hang answers nothing, /moved → /ok, /away → another host."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path == "/hang":
            self.server.release.wait(HANG_SECONDS)  # type: ignore[attr-defined]
            return
        if self.path == "/moved":
            return self._answer(302, location="/ok")
        if self.path == "/loop":
            return self._answer(302, location="/loop")
        if self.path == "/away":
            # The same machine under another name: a prober that followed would get the 500.
            port = self.server.server_address[1]
            return self._answer(302, location=f"http://localhost:{port}/fail")
        self._answer(200 if self.path == "/ok" else 500)

    def _answer(self, status: int, location: str = "") -> None:
        body = b"ok" if status == 200 else b"error"
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # keep the test output clean


@pytest.fixture
def server() -> Iterator[str]:
    """A real HTTP server on a free loopback port; yields its base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), HealthHandler)
    httpd.daemon_threads = True
    httpd.release = threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.release.set()  # type: ignore[attr-defined]
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_a_system_answering_200_is_up_with_its_latency(server):
    system = SystemFactory(health_url=f"{server}/ok")

    check = probe(system, timeout=TIMEOUT)

    assert check.pk and check.is_up and check.status_code == 200
    assert check.latency_ms is not None and check.latency_ms >= 0
    assert check.error == ""


def test_a_system_answering_500_is_down_with_the_status(server):
    check = probe(SystemFactory(health_url=f"{server}/fail"), timeout=TIMEOUT)

    assert not check.is_up and check.status_code == 500 and check.error == "HTTP 500"


def test_a_system_that_hangs_is_down_after_the_configured_timeout(server, admin_user):
    # given the timeout set to its minimum
    param_set(actor=admin_user, key="inventory.health.timeout_seconds", value="0.5")
    system = SystemFactory(health_url=f"{server}/hang")

    # when it is probed
    check = probe(system)

    # then the probe gives up at the timeout and says so (the server would have held the
    # connection for HANG_SECONDS, then closed it without an answer: another error)
    assert not check.is_up and check.status_code is None
    assert "no answer within 0.5 s" in check.error


def test_nothing_listening_is_down_with_the_connection_error():
    check = probe(SystemFactory(health_url="http://127.0.0.1:9/"), timeout=TIMEOUT)
    assert not check.is_up and check.error.startswith("ConnectError")


def test_redirects_are_followed_on_the_same_host_only(server):
    moved = probe(SystemFactory(health_url=f"{server}/moved"), timeout=TIMEOUT)
    away = probe(SystemFactory(health_url=f"{server}/away"), timeout=TIMEOUT)
    loop = probe(SystemFactory(health_url=f"{server}/loop"), timeout=TIMEOUT)

    assert moved.is_up and moved.status_code == 200
    # the redirect to another host is not followed: the 302 itself answered
    assert away.is_up and away.status_code == 302
    assert not loop.is_up and "redirects" in loop.error


def test_probe_all_probes_every_live_system_with_a_url(server):
    up = SystemFactory(health_url=f"{server}/ok")
    down = SystemFactory(health_url=f"{server}/fail")
    hanging = SystemFactory(health_url=f"{server}/hang")
    stopped = SystemFactory(health_url=f"{server}/ok", lifecycle="stopped")
    SystemFactory(health_url="")  # nothing to probe
    SystemFactory(health_url=f"{server}/ok", lifecycle="retired")  # gone
    seen: list[tuple[int, int]] = []

    checks = probe_all(timeout=TIMEOUT, on_progress=lambda done, total: seen.append((done, total)))

    by_system = {check.system_id: check.is_up for check in checks}
    assert by_system == {up.pk: True, down.pk: False, hanging.pk: False, stopped.pk: True}
    assert HealthCheck.objects.count() == 4
    assert seen[-1] == (4, 4)


def test_availability_is_the_share_of_up_probes_in_the_window(admin_user):
    # given a 30-day window, three up and one down probe inside it, and old failures outside
    param_set(actor=admin_user, key="inventory.health.availability_days", value="30")
    system, never = SystemFactory(), SystemFactory()
    now = timezone.now()
    for days_ago, is_up in [(1, True), (2, True), (3, False), (20, True), (40, False), (90, False)]:
        HealthCheck.objects.create(
            system=system, checked=now - dt.timedelta(days=days_ago), is_up=is_up
        )

    rates = availability([system.pk, never.pk])

    assert (rates[system.pk].up, rates[system.pk].total, rates[system.pk].percent) == (3, 4, 75.0)
    assert never.pk not in rates
    assert availability([system.pk], days=100)[system.pk].percent == 50.0


def test_usage_series_leaves_days_without_a_report_as_gaps():
    system = SystemFactory()
    today = dt.date(2026, 3, 10)
    UsageReport.objects.create(system=system, date=today, active_users=5, requests=50)
    UsageReport.objects.create(
        system=system, date=today - dt.timedelta(days=2), active_users=3, requests=30
    )

    series = usage_series(system, days=3, today=today)

    assert series["x"] == ["2026-03-08", "2026-03-09", "2026-03-10"]
    assert series["series"][0]["data"] == [3, None, 5]
    assert series["series"][1]["data"] == [30, None, 50]


def test_health_series_gives_daily_availability_and_latency():
    system = SystemFactory()
    today = timezone.localdate()
    noon = timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
    HealthCheck.objects.create(system=system, checked=noon, is_up=True, latency_ms=100)
    HealthCheck.objects.create(
        system=system, checked=noon + dt.timedelta(minutes=5), is_up=True, latency_ms=300
    )
    HealthCheck.objects.create(
        system=system, checked=noon + dt.timedelta(minutes=10), is_up=False, error="HTTP 500"
    )

    series = health_series(system, days=2, today=today)

    assert series["series"][0]["data"] == [None, 66.7]
    assert series["series"][1]["data"] == [None, 200]


# --- the job and the command ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_probe_job_runs_in_the_worker_and_reports_its_result(
    server, client_for, reviewer, admin_user
):
    # given two systems and a short timeout
    param_set(actor=admin_user, key="inventory.health.timeout_seconds", value="0.5")
    SystemFactory(health_url=f"{server}/ok")
    SystemFactory(health_url=f"{server}/fail")
    client = client_for(reviewer)

    # when the reviewer presses "probe now" and the worker runs
    response = client.post(reverse("inventory:probe_start"))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{job.pk}/")
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    # then the job succeeded with the counts, and the checks are stored
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert job.result == {"probed": 2, "up": 1, "down": 1}
    assert HealthCheck.objects.count() == 2


@pytest.mark.parametrize("who", ["officer_a", "staff_a", "auditor"])
def test_only_the_authority_and_admins_start_probing(request, client_for, who):
    response = client_for(request.getfixturevalue(who)).post(reverse("inventory:probe_start"))
    assert response.status_code == 403
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_probe_command_probes_once_or_on_a_schedule(server, capsys):
    SystemFactory(health_url=f"{server}/ok")
    SystemFactory(health_url=f"{server}/fail")

    call_command("probe")
    call_command("probe", "--every", "0.05", "--count", "2")

    assert HealthCheck.objects.count() == 6
    assert capsys.readouterr().out.count("probed 2 systems: 1 up, 1 down") == 3


@pytest.mark.parametrize("args", [["--every", "0"], ["--every", "-1"], ["--count", "0"]])
def test_the_probe_command_refuses_bad_options(args):
    with pytest.raises(CommandError):
        call_command("probe", *args)


# --- the connectivity overview --------------------------------------------------------------


@pytest.fixture
def census(dept_a, dept_b):
    """Department A: 3 must connect (2 connected), 1 classified, 1 exempt, 1 retired;
    department B: 1 must connect, not connected."""
    now = timezone.now()
    connected = SystemFactory(department=dept_a, sharing_status="connected")
    SystemFactory(department=dept_a, sharing_status="connected", lifecycle="building")
    SystemFactory(department=dept_a, sharing_status="in_progress")
    SystemFactory(department=dept_a, is_secret=True)
    SystemFactory(department=dept_a, sharing_status="not_required")
    SystemFactory(department=dept_a, sharing_status="connected", lifecycle="retired")
    lonely = SystemFactory(department=dept_b)
    HealthCheck.objects.create(system=connected, checked=now - dt.timedelta(hours=2), is_up=False)
    HealthCheck.objects.create(system=connected, checked=now, is_up=True, status_code=200)
    HealthCheck.objects.create(system=lonely, checked=now, is_up=False, error="HTTP 500")
    return connected, lonely


def test_connectivity_rate_counts_only_systems_required_to_connect(census, reviewer, dept_a):
    departments, total = connectivity_overview(reviewer)

    rows = {row.department_id: row for row in departments}
    a = rows[dept_a.pk]
    assert (a.live, a.required, a.connected, a.rate) == (5, 3, 2, 66.7)
    assert (a.reachable, a.unreachable, a.unprobed) == (1, 0, 4)
    assert (total.required, total.connected, total.rate) == (4, 2, 50.0)
    assert (total.reachable, total.unreachable) == (1, 1)


def test_a_department_sees_only_its_own_connectivity(census, officer_b, dept_b):
    departments, total = connectivity_overview(officer_b)
    assert [row.department_id for row in departments] == [dept_b.pk]
    assert (total.required, total.connected, total.rate) == (1, 0, 0.0)


def test_the_connectivity_page_shows_rates_reachability_and_availability(
    census, client_for, reviewer, dept_a
):
    connected, lonely = census

    response = client_for(reviewer).get(reverse("inventory:connectivity"))

    assert response.status_code == 200
    assert response.context["total"].rate == 50.0 and response.context["can_probe"]
    rows = dict(response.context["rows"])
    system = next(s for s in rows if s.pk == connected.pk)
    assert system.last_is_up is True and system.last_status_code == 200
    assert rows[system].percent == 50.0
    html = response.content.decode()
    assert 'id="gs-probe-now"' in html and 'data-figure="rate">50%' in html


def test_the_connectivity_page_filters_by_department_and_reachability(
    census, client_for, reviewer, dept_b
):
    connected, lonely = census
    client = client_for(reviewer)

    down = client.get(reverse("inventory:connectivity"), {"reachability": "down"})
    in_b = client.get(reverse("inventory:connectivity"), {"department": dept_b.pk})
    junk = client.get(reverse("inventory:connectivity"), {"department": "x", "page": "zz"})

    assert [s.pk for s, _rate in down.context["rows"]] == [lonely.pk]
    assert [s.pk for s, _rate in in_b.context["rows"]] == [lonely.pk]
    assert junk.status_code == 200 and len(junk.context["rows"]) == 6


def test_departments_see_no_probe_button_and_only_their_systems(census, client_for, officer_b):
    connected, lonely = census

    response = client_for(officer_b).get(reverse("inventory:connectivity"))

    assert not response.context["can_probe"]
    assert 'id="gs-probe-now"' not in response.content.decode()
    assert [s.pk for s, _rate in response.context["rows"]] == [lonely.pk]


def test_the_connectivity_page_needs_sign_in(client):
    response = client.get(reverse("inventory:connectivity"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_name_that_resolves_to_a_link_local_address_is_not_fetched(monkeypatch):
    # given a health URL whose name resolves to the cloud metadata address
    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    # when it is probed
    result = health.measure(
        "http://metadata.example/health", client=health.probe_client(1.0), timeout=1.0
    )

    # then nothing is fetched and the reason names the address
    assert not result.is_up and "169.254.169.254" in result.error


def test_a_literal_unspecified_address_is_refused_too():
    assert health.refused_address("0.0.0.0", 80) == "0.0.0.0"
    assert health.refused_address("127.0.0.1", 80) is None
