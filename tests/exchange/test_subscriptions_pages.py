"""Pages and API of table subscriptions, runs and packages: the permission matrix (consumer,
provider, other department, admin, anonymous), the configuration form's field-named errors, the
run page's progress and its JSON, and malformed API input answered 4xx naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from govshare.core.roles import Role
from govshare.exchange.models import (
    FilePackage,
    RunKind,
    RunStatus,
    RunTrigger,
    Subscription,
    SubscriptionState,
    SyncRun,
)
from govshare.exchange.services import subscription_configure
from tests.api_client import api_client, assert_error_body, send
from tests.exchange.bulk_fixtures import destination, mounted_resource, table_grant
from tests.factories import member

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("identity:login")
API = "/api/v1/exchange"


@pytest.fixture
def grant(officer_b, dept_b, officer_a, reviewer, dept_a, sqlite_source):
    resource = mounted_resource(officer_a, reviewer, dept_a, sqlite_source)
    return table_grant(officer_b, dept_b, officer_a, reviewer, resource)


@pytest.fixture
def subscription(grant):
    return Subscription.objects.get(grant=grant)


@pytest.fixture
def run(subscription):
    """A run half-way: 500 of 1,000 rows read in 10 seconds."""
    started = timezone.now() - dt.timedelta(seconds=10)
    return SyncRun.objects.create(
        subscription=subscription,
        kind=RunKind.FULL,
        trigger=RunTrigger.MANUAL,
        status=RunStatus.RUNNING,
        started=started,
        heartbeat=timezone.now(),
        rows_total=1000,
        rows_read=500,
        rows_inserted=500,
        bytes=50_000,
        batches=5,
        watermark_before="",
    )


@pytest.fixture
def staff_b(dept_b):
    return member(dept_b, Role.STAFF, username="staff_b")


def page_urls(subscription, run) -> list[str]:
    return [
        reverse("exchange:subscription_list"),
        reverse("exchange:subscription_detail", args=[subscription.pk]),
        reverse("exchange:run_detail", args=[run.pk]),
    ]


# --- pages ------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client, subscription, run):
    for url in [*page_urls(subscription, run), reverse("exchange:destination_list")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


@pytest.mark.parametrize("who", ["officer_b", "staff_b", "officer_a", "admin_user", "auditor"])
def test_both_parties_and_overseers_see_the_subscription_and_its_run(
    client_for, request, who, subscription, run
):
    client = client_for(request.getfixturevalue(who))
    listing = client.get(reverse("exchange:subscription_list"))
    assert f'data-subscription="{subscription.pk}"' in listing.content.decode()
    detail = client.get(reverse("exchange:subscription_detail", args=[subscription.pk]))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert 'data-column="XM" data-masking="name"' in page  # the granted item, masked
    assert f'data-run="{run.pk}"' in page
    assert client.get(reverse("exchange:run_detail", args=[run.pk])).status_code == 200


def test_another_department_sees_nothing(client_for, officer_c, subscription, run):
    client = client_for(officer_c)
    listing = client.get(reverse("exchange:subscription_list")).content.decode()
    assert f'data-subscription="{subscription.pk}"' not in listing
    for url in page_urls(subscription, run)[1:]:
        assert client.get(url).status_code == 404


def test_only_the_consumers_data_officer_gets_the_configuration_form(
    client_for, officer_b, officer_a, staff_b, subscription
):
    url = reverse("exchange:subscription_detail", args=[subscription.pk])
    assert 'id="gs-subscription-form"' in client_for(officer_b).get(url).content.decode()
    for other in (officer_a, staff_b):
        assert 'id="gs-subscription-form"' not in client_for(other).get(url).content.decode()


def test_the_consumer_picks_a_destination_on_the_page(client_for, officer_b, dept_b, subscription):
    front = destination(dept_b)
    response = client_for(officer_b).post(
        reverse("exchange:subscription_configure", args=[subscription.pk]),
        {"destination": str(front.pk), "mode": "full", "delete_mode": "none", "schedule": ""},
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.destination == front and subscription.state == SubscriptionState.ACTIVE


def test_a_bad_schedule_is_shown_on_its_field(client_for, officer_b, subscription):
    response = client_for(officer_b).post(
        reverse("exchange:subscription_configure", args=[subscription.pk]),
        {"mode": "full", "delete_mode": "none", "schedule": "0 2 * *"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["schedule"]
    subscription.refresh_from_db()
    assert subscription.schedule == ""


@pytest.mark.parametrize("who", ["officer_a", "staff_b", "officer_c"])
def test_others_cannot_configure(client_for, request, who, subscription):
    response = client_for(request.getfixturevalue(who)).post(
        reverse("exchange:subscription_configure", args=[subscription.pk]),
        {"mode": "full", "delete_mode": "none", "schedule": "0 3 * * *"},
    )
    assert response.status_code in (403, 404)
    subscription.refresh_from_db()
    assert subscription.schedule == ""


def test_the_run_page_shows_progress_and_polls_while_live(client_for, officer_b, run):
    page = client_for(officer_b).get(reverse("exchange:run_detail", args=[run.pk]))
    html = page.content.decode()
    assert 'data-live="1"' in html and "run-progress.js" in html
    assert "width: 50.0%" in html
    assert f'data-run-url="/api/v1/exchange/runs/{run.pk}"' in html


def test_the_english_locale_works(client_for, officer_b, subscription):
    url = reverse("exchange:subscription_detail", args=[subscription.pk])
    client = client_for(officer_b)
    assert "Granted columns" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Granted columns" not in client.get(url).content.decode()  # Chinese by default


# --- API --------------------------------------------------------------------------------------


def test_the_api_refuses_anonymous_callers(subscription, run):
    client = api_client(None)
    for path in ("/subscriptions", f"/subscriptions/{subscription.pk}", f"/runs/{run.pk}"):
        assert_error_body(client.get(f"{API}{path}"), 401)


def test_the_run_endpoint_carries_progress(officer_b, run):
    body = api_client(officer_b).get(f"{API}/runs/{run.pk}").json()
    progress = body["progress"]
    assert progress["is_live"] and progress["percent"] == 50.0
    assert 40 <= progress["rows_per_second"] <= 50  # 500 rows in a little over 10 s
    assert progress["eta_seconds"] > 0


def test_the_api_lists_by_party(officer_a, officer_b, officer_c, subscription, run):
    for user, seen in ((officer_a, True), (officer_b, True), (officer_c, False)):
        client = api_client(user)
        ids = [item["id"] for item in client.get(f"{API}/subscriptions").json()["items"]]
        assert (subscription.pk in ids) is seen
        runs = client.get(f"{API}/runs", {"subscription": subscription.pk}).json()["items"]
        assert bool(runs) is seen


def test_the_consumer_configures_through_the_api(officer_b, dept_b, subscription):
    front = destination(dept_b)
    response = send(
        api_client(officer_b),
        "PATCH",
        f"{API}/subscriptions/{subscription.pk}",
        {"destination_id": front.pk, "watermark_column": "updated_at", "schedule": "*/10 * * * *"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["destination_id"] == front.pk and body["mode"] == "watermark"
    assert body["state"] == "active"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"schedule": "61 * * * *"}, "schedule"),
        ({"mode": "sometimes"}, "mode"),
        ({"mode": None}, "mode"),
        ({"destination_id": 0}, "destination_id"),
        ({"destination_id": 999999}, "destination_id"),
        ({"colour": "red"}, "colour"),
        ({"delete_mode": "soft_flag"}, "soft_delete_column"),
    ],
)
def test_malformed_configuration_is_a_4xx_naming_the_field(officer_b, subscription, payload, field):
    response = send(
        api_client(officer_b), "PATCH", f"{API}/subscriptions/{subscription.pk}", payload
    )
    body = assert_error_body(response)
    assert field in body["fields"], body
    subscription.refresh_from_db()
    assert subscription.schedule == "" and subscription.mode == "full"


def test_the_provider_cannot_configure_through_the_api(officer_a, subscription):
    response = send(
        api_client(officer_a), "PATCH", f"{API}/subscriptions/{subscription.pk}", {"schedule": ""}
    )
    assert_error_body(response, 403)


def test_unknown_ids_are_404(officer_b):
    client = api_client(officer_b)
    for path in ("/subscriptions/999999", "/runs/999999", "/packages/999999"):
        assert_error_body(client.get(f"{API}{path}"), 404)
    assert_error_body(client.get(f"{API}/runs", {"subscription": "x"}), 422)


def test_packages_are_listed_to_both_parties_only(officer_a, officer_b, officer_c, grant):
    package = FilePackage.objects.create(grant=grant, number="WJ1", format="csv")
    for user, seen in ((officer_a, True), (officer_b, True), (officer_c, False)):
        items = api_client(user).get(f"{API}/packages", {"grant": grant.pk}).json()["items"]
        assert [item["id"] for item in items] == ([package.pk] if seen else [])


def test_the_grant_page_links_to_its_subscription(client_for, officer_b, grant, subscription):
    page = client_for(officer_b).get(reverse("sharing:grant_detail", args=[grant.pk]))
    url = reverse("exchange:subscription_detail", args=[subscription.pk])
    assert f'href="{url}" data-delivery-link' in page.content.decode()


def test_a_file_grant_page_links_to_its_packages(
    client_for, officer_b, dept_b, officer_a, reviewer, dept_a, sqlite_source
):
    resource = mounted_resource(officer_a, reviewer, dept_a, sqlite_source, name="文件资源")
    file_grant = table_grant(officer_b, dept_b, officer_a, reviewer, resource, mode="file")
    client = client_for(officer_b)
    page = client.get(reverse("sharing:grant_detail", args=[file_grant.pk]))
    url = reverse("exchange:package_list", args=[file_grant.pk])
    assert f'href="{url}" data-delivery-link' in page.content.decode()
    packages = client.get(url)
    assert packages.status_code == 200
    formats = [v for v, _ in packages.context["form"].fields["format"].choices]
    assert formats == ["csv", "xlsx", "json", "parquet"]
    assert client_for(officer_a).get(url).context["form"] is not None  # either party builds


# --- run now, reconcile now, build a package ------------------------------------------------


@pytest.fixture
def ready(subscription, officer_b, dept_b):
    """The subscription with a destination chosen by the consumer: active, it may run."""
    return subscription_configure(
        actor=officer_b, subscription=subscription, data={"destination": destination(dept_b)}
    )


def test_run_now_and_reconcile_now_queue_runs(client_for, officer_b, ready):
    client = client_for(officer_b)
    page = client.get(reverse("exchange:subscription_detail", args=[ready.pk])).content.decode()
    assert 'id="gs-subscription-run"' in page and 'id="gs-subscription-reconcile"' in page

    response = client.post(reverse("exchange:subscription_run", args=[ready.pk]))
    run = SyncRun.objects.get(subscription=ready)
    assert response.status_code == 302 and response["Location"].endswith(f"/runs/{run.pk}/")
    assert (run.kind, run.trigger, run.status) == (RunKind.FULL, RunTrigger.MANUAL, "queued")

    # a second run while one is queued is refused with the reason, nothing more queued
    again = client.post(reverse("exchange:subscription_run", args=[ready.pk]), follow=True)
    assert "already queued" in again.content.decode() or "已" in again.content.decode()
    assert SyncRun.objects.filter(subscription=ready).count() == 1


def test_reconcile_now_through_the_api(officer_a, ready):
    response = send(api_client(officer_a), "POST", f"{API}/subscriptions/{ready.pk}/reconcile", {})
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "reconcile"


@pytest.mark.parametrize("who", ["staff_b", "officer_c"])
def test_others_cannot_run(client_for, request, who, ready):
    client = client_for(request.getfixturevalue(who))
    response = client.post(reverse("exchange:subscription_run", args=[ready.pk]))
    assert response.status_code in (403, 404)
    api = send(
        api_client(request.getfixturevalue(who)), "POST", f"{API}/subscriptions/{ready.pk}/run"
    )
    assert_error_body(api)
    assert not SyncRun.objects.exists()


def test_a_subscription_without_destination_does_not_run(officer_b, subscription):
    response = send(api_client(officer_b), "POST", f"{API}/subscriptions/{subscription.pk}/run")
    body = assert_error_body(response)
    assert "destination" in body["fields"]


@pytest.fixture
def file_grant(officer_b, dept_b, officer_a, reviewer, dept_a, sqlite_source):
    resource = mounted_resource(officer_a, reviewer, dept_a, sqlite_source, name="文件资源")
    return table_grant(officer_b, dept_b, officer_a, reviewer, resource, mode="file")


def test_the_consumer_builds_a_package_on_the_page(client_for, officer_b, file_grant):
    client = client_for(officer_b)
    response = client.post(
        reverse("exchange:package_build", args=[file_grant.pk]), {"format": "csv", "folder": ""}
    )
    assert response.status_code == 302
    package = FilePackage.objects.get(grant=file_grant)
    assert package.format == "csv" and package.folder is None
    listing = client.get(reverse("exchange:package_list", args=[file_grant.pk])).content.decode()
    assert f'data-package="{package.pk}"' in listing


def test_a_package_format_the_mounts_cannot_give_is_refused_on_its_field(
    client_for, officer_b, file_grant
):
    response = client_for(officer_b).post(
        reverse("exchange:package_build", args=[file_grant.pk]), {"format": "files"}
    )
    assert response.status_code == 400 and response.context["form"].errors["format"]
    assert not FilePackage.objects.exists()


def test_packages_are_built_through_the_api(officer_b, officer_c, file_grant):
    client = api_client(officer_b)
    response = send(
        client, "POST", f"{API}/packages", {"grant_id": file_grant.pk, "format": "json"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "building"
    for body, field in (
        ({"grant_id": file_grant.pk, "format": "pdf"}, "format"),
        ({"grant_id": 999999, "format": "csv"}, "grant_id"),
        ({"grant_id": file_grant.pk, "format": "csv", "folder_id": 999999}, "folder_id"),
    ):
        assert field in assert_error_body(send(client, "POST", f"{API}/packages", body))["fields"]
    other = send(
        api_client(officer_c),
        "POST",
        f"{API}/packages",
        {"grant_id": file_grant.pk, "format": "csv"},
    )
    assert_error_body(other, 404)
    assert FilePackage.objects.count() == 1


def test_the_last_reconciliation_is_shown_with_its_differing_keys(client_for, officer_a, run):
    # given a reconciliation that found two keys differing (as the runner stores it)
    subscription = run.subscription
    subscription.last_reconciliation = {
        "consistent": False,
        "differing_keys": [["370702199001011234"], ["ABCDEF"]],
        "differing_count": 2,
        "run": run.pk,
    }
    subscription.save()

    # when the provider opens the subscription
    page = client_for(officer_a).get(
        reverse("exchange:subscription_detail", args=[subscription.pk])
    )

    # then the differing keys are listed, each as its key's values
    html = page.content.decode()
    assert 'data-consistent="0"' in html
    assert "370702199001011234, ABCDEF" in html


def test_the_list_costs_the_same_queries_for_more_subscriptions(
    client_for, officer_b, grant, subscription, django_assert_max_num_queries
):
    client = client_for(officer_b)
    url = reverse("exchange:subscription_list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(5):
        Subscription.objects.create(grant=grant, table=f"gs_extra_{number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count("data-subscription=") == 6
