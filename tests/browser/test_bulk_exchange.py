"""In a real browser, then over real HTTP: bulk delivery end to end (issue 13, "Done when").

The consumer's data officer requests 人口 items in 库表 mode; the authority passes it; the
provider grants it with the name masked; the grant's subscription loads the consumer's front-end
database (a real SQLite file) with exactly the granted columns, the name masked; a row changed at
the source arrives with the next incremental run. A 文件 grant's package is built from its page,
downloaded over HTTP in two ranges (the second resuming the first) and verified.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import httpx
import pytest
from django.apps import apps
from django.core.management import call_command

from govshare.catalog import seed
from govshare.core.roles import Role
from govshare.exchange.files.verify import verify_package
from govshare.exchange.masking import mask
from govshare.exchange.models import (
    Connection,
    ConnectionRole,
    FilePackage,
    PackageStatus,
    Subscription,
    SyncRun,
)
from govshare.exchange.services.mounts import connection_create, table_mount_set
from govshare.sharing.models import ShareRequest
from tests.browser.test_catalog_review import sign_in
from tests.exchange.bulk_fixtures import table_grant
from tests.exchange.gateway.factories import PEOPLE, SOURCE_FILE, write_source
from tests.factories import DepartmentFactory, member
from tests.inventory.factories import SystemFactory
from tests.sharing.factories import published_resource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRONT = "rsj_front.sqlite3"


@pytest.fixture
def sources(settings, tmp_path):
    directory = tmp_path / "sources"
    directory.mkdir()
    settings.GOVSHARE_SOURCES_DIR = directory
    settings.GOVSHARE_PACKAGE_DIR = tmp_path / "packages"
    settings.GOVSHARE_LOCK_DIR = tmp_path / "locks"
    write_source(directory)
    sqlite3.connect(directory / FRONT).close()
    return directory


def run_worker() -> None:
    """The queued tasks, run here as ``govshare worker`` would run them."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def front_rows(sources, table: str) -> tuple[list[str], list[tuple]]:
    with sqlite3.connect(sources / FRONT) as db:
        cursor = db.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608 (our own name)
        return [column[0] for column in cursor.description], cursor.fetchall()


def test_table_and_file_exchange_end_to_end(live_server, page, sources):
    base = live_server.url
    seed.load(apps, None)
    page.on("dialog", lambda dialog: dialog.accept())
    # Given 公安局 publishing 人口 items mounted on its table, 人社局 with an application and its
    # front-end database (前置库) registered,
    provider = DepartmentFactory(name="潍坊市公安局", short_name="公安局")
    consumer = DepartmentFactory(name="潍坊市人力资源和社会保障局", short_name="人社局")
    authority = DepartmentFactory(name="潍坊市大数据局", is_sharing_authority=True)
    ga = member(provider, Role.DATA_OFFICER, username="ga_officer")
    rs = member(consumer, Role.DATA_OFFICER, username="rs_officer")
    reviewer = member(authority, Role.REVIEWER, username="dsj_reviewer")
    application = SystemFactory(department=consumer, name="社保经办系统", lifecycle="in_use")
    resource = published_resource(ga, reviewer, provider)
    source = connection_create(
        actor=ga, department=provider, data={"name": "人口库", "engine": "sqlite",
                                             "database": SOURCE_FILE}
    )  # fmt: skip
    table_mount_set(
        actor=ga,
        resource=resource,
        data={
            "connection": source,
            "table": "person",
            "key_items": ["GMSFHM"],
            "columns": {"GMSFHM": "sfzh", "XM": "xm", "XBDM": "xb"},
        },
    )
    connection_create(
        actor=rs,
        department=consumer,
        data={"name": "人社局前置库", "engine": "sqlite", "database": FRONT},
        role=ConnectionRole.DESTINATION,
    )

    # when the consumer requests three items in 库表 mode from the catalog page,
    sign_in(page, base, "rs_officer")
    page.goto(base + f"/catalog/resources/{resource.pk}/")
    page.click("#gs-resource-request")
    form = page.locator("#gs-request-form")
    form.locator("[name=application]").select_option(str(application.pk))
    for identifier in ("GMSFHM", "XM", "XBDM"):
        form.locator(f'input[name=items][value="{identifier}"]').check()
    form.locator("[name=purpose]").select_option("work_reference")
    form.locator("[name=purpose_detail]").fill("社会保险待遇资格比对")
    form.locator("[name=basis]").fill("《社会保险法》第五十八条")
    form.locator("[name=scenario]").fill("每日同步至前置库后批量比对")
    form.locator("[name=mode]").select_option("table")
    today = dt.date.today()
    form.locator("[name=period_start]").fill(today.isoformat())
    form.locator("[name=period_end]").fill((today + dt.timedelta(days=365)).isoformat())
    form.locator("[name=expected_daily_calls]").fill("1")
    page.click("#gs-request-save-submit")
    page.wait_for_selector("#gs-request-header")
    share_request = ShareRequest.objects.get()
    assert share_request.mode == "table" and share_request.state == "submitted"

    # the authority passes conformity review,
    sign_in(page, base, "dsj_reviewer")
    page.goto(base + "/sharing/inbox/authority/")
    page.locator(f'tr[data-request="{share_request.number}"] a').first.click()
    page.locator('#gs-step-conformity button[value="pass"]').click()
    page.wait_for_selector('#gs-timeline [data-event="conformity_pass"]')

    # and the provider grants the items, the name masked (the key is granted as it is),
    sign_in(page, base, "ga_officer")
    page.goto(base + "/sharing/inbox/provider/")
    page.locator(f'tr[data-request="{share_request.number}"] a').first.click()
    answer = page.locator("#gs-step-answer")
    answer.locator('[name=decision_GMSFHM][value="grant"]').check()
    answer.locator('[name=decision_XM][value="grant"]').check()
    answer.locator("[name=masking_XM]").select_option("name")
    answer.locator('button[data-step="answer"]').click()
    page.wait_for_selector("#gs-request-grant")
    share_request.refresh_from_db()
    assert share_request.state == "active"

    # Then the grant has a subscription into the consumer's front-end database;
    subscription = Subscription.objects.get(grant__request=share_request)
    assert subscription.destination is not None and subscription.state == "active"

    # the consumer runs it from its page and the worker loads the table:
    sign_in(page, base, "rs_officer")
    page.goto(base + f"/exchange/subscriptions/{subscription.pk}/")
    page.click("#gs-subscription-run")
    page.wait_for_url("**/exchange/runs/*/")
    run_worker()
    run = SyncRun.objects.get(subscription=subscription)
    assert run.status == "succeeded", run.error
    columns, rows = front_rows(sources, subscription.table)
    # exactly the granted columns, the name masked
    assert columns == ["gmsfhm", "xm", "xbdm"]
    expected = sorted((number, mask("name", name), sex) for number, name, sex, *_ in PEOPLE)
    assert rows == expected
    assert not any(name in str(rows) for _, name, *_ in PEOPLE)

    # a row changed at the source arrives with the next incremental run (by key comparison),
    page.goto(base + f"/exchange/subscriptions/{subscription.pk}/")
    page.locator("#gs-subscription-form [name=mode]").select_option("key_compare")
    page.locator("#gs-subscription-form button[type=submit]").click()
    page.wait_for_load_state()
    subscription.refresh_from_db()
    assert subscription.mode == "key_compare"
    with sqlite3.connect(sources / SOURCE_FILE) as db:
        db.execute("UPDATE person SET xb = '9' WHERE sfzh = ?", (PEOPLE[0][0],))
    page.goto(base + f"/exchange/subscriptions/{subscription.pk}/")
    page.click("#gs-subscription-run")
    page.wait_for_url("**/exchange/runs/*/")
    run_worker()
    latest = SyncRun.objects.filter(subscription=subscription).order_by("-pk").first()
    assert latest is not None and latest.kind == "incremental" and latest.status == "succeeded"
    assert (latest.rows_inserted, latest.rows_updated) == (0, 1)
    _, rows = front_rows(sources, subscription.table)
    assert dict((number, sex) for number, _, sex in rows)[PEOPLE[0][0]] == "9"
    # and the run page shows its counts.
    page.goto(base + f"/exchange/runs/{latest.pk}/")
    assert "1" in page.locator("main").inner_text()

    # A 文件 grant: the consumer builds a package from the grant's packages page,
    file_grant = table_grant(rs, consumer, ga, reviewer, resource, mode="file")
    page.goto(base + f"/exchange/grants/{file_grant.pk}/packages/")
    page.locator("#gs-package-form [name=format]").select_option("csv")
    page.click("#gs-package-build")
    page.wait_for_selector("#gs-packages")
    run_worker()
    package = FilePackage.objects.get(grant=file_grant)
    assert package.status == PackageStatus.READY, package.error

    # downloads it in two ranges over HTTP (the second resumes where the first stopped),
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    url = f"{base}/exchange/packages/{package.pk}/download/"
    with httpx.Client(cookies=cookies, timeout=30) as client:
        half = package.size // 2
        first = client.get(url, headers={"Range": f"bytes=0-{half - 1}"})
        assert first.status_code == 206, first.text
        etag = first.headers["ETag"]
        rest = client.get(url, headers={"Range": f"bytes={half}-", "If-Range": etag})
        assert rest.status_code == 206
    joined = sources.parent / "package.zip"
    joined.write_bytes(first.content + rest.content)

    # and it verifies: the node's signature and every file's digest.
    report = verify_package(joined)
    assert report.ok, report.problem
    assert Connection.objects.filter(role=ConnectionRole.DESTINATION).count() == 1
