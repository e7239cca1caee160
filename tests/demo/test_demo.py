"""The demo city loads through the services, twice without duplicating anything."""

from __future__ import annotations

import json
import sqlite3

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from govshare.catalog.models import Resource
from govshare.core.actors import system_actor
from govshare.core.crypto import sm3_hex
from govshare.core.evidence.chain import verify_chain
from govshare.core.models import AuditEvent
from govshare.demo import upstream
from govshare.demo.sharing import credential_file
from govshare.demo.values import BINARY_TYPES, credit_code
from govshare.exchange.connectors import connector_for
from govshare.exchange.connectors.sql import sources_dir
from govshare.exchange.models import DeliveryRecord, TableMount
from govshare.inventory import indicators as inventory_indicators
from govshare.inventory import progress
from govshare.inventory.models import (
    InformationSystem,
    IntegrationPlan,
    Project,
    ShadowSystem,
    ZombieFinding,
)
from govshare.orgs.models import Department, Membership, Region
from govshare.sharing import calendar
from govshare.sharing.choices import RequestState
from govshare.sharing.indicators import sharing_indicators
from govshare.sharing.models import AppCredential, ShareRequest
from tests.demo.plausible import assert_plausible

# Committed, not wrapped in a test transaction: the demo's traffic step runs the gateway in
# process, whose threads read the database through connections of their own.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_city_is_complete_idempotent_and_audited(capsys, settings, tmp_path):
    settings.GOVSHARE_SOURCES_DIR = tmp_path / "sources"
    settings.VAR_DIR = tmp_path
    call_command("demo")
    counts = (
        Region.objects.count(),
        Department.objects.count(),
        Membership.objects.count(),
        InformationSystem.objects.count(),
    )
    call_command("demo")
    assert (
        Region.objects.count(),
        Department.objects.count(),
        Membership.objects.count(),
        InformationSystem.objects.count(),
    ) == counts
    names = set(Department.objects.values_list("short_name", flat=True))
    assert {
        "公安局",
        "人社局",
        "财政局",
        "住建局",
        "自然资源和规划局",
        "城管局",
        "不动产登记中心",
        "农业农村局",
        "水务局",
        "教育局",
        "卫健委",
        "交通运输局",
        "税务局",
        "市场监管局",
        "民政局",
        "大数据局",
    } <= names
    assert Region.objects.get(code="370783").parent.code == "370700"
    assert InformationSystem.objects.count() >= 80
    assert set(ZombieFinding.objects.values_list("rule", flat=True)) == {
        "detached",
        "replaceable",
        "idle",
    }
    assert verify_chain(AuditEvent).is_intact
    _the_exchange_and_sharing_parts_are_there()
    _past_months_have_inventory_indicators()
    _every_provider_table_holds_plausible_rows()
    _the_inventory_pages_have_projects_plans_and_shadow_systems()
    _the_simulated_upstream_answers_plausible_records()
    out = capsys.readouterr().out
    assert "ga_officer" in out and "Demo#Weifang2026" in out
    # the gateway example's key and secret are printed, and they are the credential's own
    kept = json.loads(credential_file().read_text())
    assert f"app key {kept['app_key']} secret {kept['app_secret']}" in out
    example = AppCredential.objects.get(app_key=kept["app_key"], revoked__isnull=True)
    assert example.secret_hash == sm3_hex(kept["app_secret"])


def _past_months_have_inventory_indicators():
    """The census has a past: the months before this one count systems, connections, cloud
    migrations, logins and zombies, and fewer of the later ones than now."""
    overseer = system_actor()
    this_month = progress.month_start(timezone.localdate())
    for back in (1, 2, 3):
        month = progress.add_months(this_month, -back)
        report = {i.key: i for i in inventory_indicators.indicator_values(overseer, month).totals}
        for key in ("connectivity", "cloud", "sso"):
            assert report[key].numerator > 0 and report[key].denominator > 0, (month, key)
        assert report["zombies"].numerator > 0, month
    last_month = {
        i.key: i for i in sharing_indicators(overseer, progress.add_months(this_month, -1))
    }
    assert last_month["calls"].numerator > 0 and last_month["served"].numerator > 0
    half_a_year_ago = progress.add_months(this_month, -5)
    then = {
        i.key: i for i in inventory_indicators.indicator_values(overseer, half_a_year_ago).totals
    }
    now = {i.key: i for i in inventory_indicators.indicator_values(overseer).totals}
    assert then["cloud"].numerator < now["cloud"].numerator
    assert then["integrated"].numerator < now["integrated"].numerator


def _every_provider_table_holds_plausible_rows():
    """Each resource served from a table holds rows of its own kind: every item filled (but
    pictures and the few that may be empty), within its length, dates that are dates, amounts
    and scores in range, identity numbers and credit codes with valid check characters."""
    mounts = TableMount.objects.select_related("connection", "mount__resource__current_version")
    assert mounts.count() > 100
    for table_mount in mounts:
        version = table_mount.mount.resource.current_version
        items = [i for i in version.items.all() if i.data_type not in BINARY_TYPES]
        path = sources_dir() / table_mount.connection.database
        with sqlite3.connect(path) as db:
            rows = db.execute(f'SELECT * FROM "{table_mount.table}"').fetchall()
            names = [d[0] for d in db.execute(f'SELECT * FROM "{table_mount.table}"').description]
        assert rows, table_mount.table
        for item in items:
            column = [row[names.index(item.identifier.lower())] for row in rows]
            for value in column:
                assert_plausible(item, value, version.resource.name)


def _the_inventory_pages_have_projects_plans_and_shadow_systems():
    """IT projects with their systems and money, an integration plan under way, and systems
    found outside the census, some to follow up."""
    projects = Project.objects.all()
    assert projects.count() >= 10 and all(p.systems.exists() for p in projects)
    assert projects.filter(investment__gt=0).count() >= 8
    assert IntegrationPlan.objects.filter(items__status="in_progress").exists()
    assert ShadowSystem.objects.filter(status="open").count() >= 3
    assert ShadowSystem.objects.filter(status="dismissed").exists()


def _the_simulated_upstream_answers_plausible_records():
    """社会信用信息 is served by the demo's upstream interface: its records are of their kind."""
    credit = Resource.objects.get(name="社会信用信息")
    code = credit_code("370702", 1)
    request = RequestFactory().get(
        "/", {"tyshxydm": code}, HTTP_X_UPSTREAM_KEY=f"demo-upstream-{credit.pk}"
    )
    (record,) = json.loads(upstream.records(request, credit.pk).content)["data"]
    assert record["tyshxydm"] == code
    for item in credit.current_version.items.exclude(data_type__in=BINARY_TYPES):
        assert_plausible(item, record[item.identifier.lower()], credit.name)


def _every_credential_the_audit_trail_names_exists():
    """The demo issues credentials through the service and keeps what it returns: the key the
    audit trail records is the key the gateway knows."""
    issued = AuditEvent.objects.filter(action__startswith="sharing.credential.")
    named = {event.after["app_key"] for event in issued if "app_key" in (event.after or {})}
    assert named and named <= set(AppCredential.objects.values_list("app_key", flat=True))


def _the_exchange_and_sharing_parts_are_there():
    """Requests in every state, and the base resources served from the provider database."""
    assert set(ShareRequest.objects.values_list("state", flat=True)) == set(RequestState.values)
    # the overdue one: its deadline on a working day after its own submission and passing, the
    # ten working days of 51号 counted from the pass, and its timeline moved back with it
    overdue = ShareRequest.objects.filter(provider_due__lt=timezone.localdate()).get()
    passed = overdue.conformity_answered.astimezone(timezone.get_current_timezone()).date()
    assert overdue.submitted <= overdue.conformity_answered
    assert calendar.is_working_day(overdue.provider_due)
    assert calendar.working_days_between(passed, overdue.provider_due) == 10
    assert all(e.created <= overdue.conformity_answered for e in overdue.events.all())
    population = Resource.objects.get(name="人口基础信息")
    mount = population.mounts.get()  # the catalog's planned API slot gave way to the table
    assert (mount.kind, mount.status) == ("table", "mounted")
    connector = connector_for(mount)
    with sqlite3.connect(sources_dir() / "demo_gaj_population.sqlite3") as db:
        (count,) = db.execute("SELECT count(*) FROM rk_jbxx").fetchone()
        (number,) = db.execute("SELECT gmsfhm FROM rk_jbxx LIMIT 1").fetchone()
    assert count == 100_000
    rows = connector.query({"GMSFHM": [number]}, ["GMSFHM", "XM"], {}, 10, 0)
    assert [row["GMSFHM"] for row in rows] == [number]
    _every_credential_the_audit_trail_names_exists()
    # a week of traffic, today's through the real gateway, in one verified chain
    assert verify_chain(DeliveryRecord).is_intact
    assert DeliveryRecord.objects.filter(request_id__startswith="demo-", status=200).count() == 40
    assert DeliveryRecord.objects.dates("created", "day").count() >= 5
