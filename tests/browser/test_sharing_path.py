"""In a real browser, then over real HTTP: the sharing path end to end (issue 5, "Done when").

The consumer's data officer requests three items (one 无条件, two 有条件) from the catalog, the
authority passes conformity review, the provider grants one conditional item (masked) and
refuses the other with a reason, the consumer creates a credential and reads its secret off the
page; then an HTTP client gets a token from the gateway and calls it: the answer holds exactly
the granted items, masked as granted, and the call is in both departments' delivery logs.
"""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from django.apps import apps

from govshare.catalog import seed
from govshare.core.roles import Role
from govshare.exchange.gateway.app import create_app
from govshare.exchange.models import DeliveryRecord
from govshare.exchange.services.mounts import connection_create, table_mount_set
from govshare.sharing.models import ShareRequest
from tests.browser.servers import AsgiServer
from tests.browser.test_catalog_review import sign_in
from tests.exchange.gateway.factories import PEOPLE, SOURCE_FILE, write_source
from tests.factories import DepartmentFactory, member
from tests.inventory.factories import SystemFactory
from tests.sharing.factories import published_resource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sources(settings, tmp_path):
    directory = tmp_path / "sources"
    directory.mkdir()
    settings.GOVSHARE_SOURCES_DIR = directory
    write_source(directory)
    return directory


def test_request_review_grant_credential_then_call_the_gateway(live_server, page, sources):
    base = live_server.url
    seed.load(apps, None)
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm() of step buttons
    # Given 公安局 publishing 人口 items mounted on its table, 人社局 with an application,
    provider = DepartmentFactory(name="潍坊市公安局", short_name="公安局")
    consumer = DepartmentFactory(name="潍坊市人力资源和社会保障局", short_name="人社局")
    authority = DepartmentFactory(name="潍坊市大数据局", is_sharing_authority=True)
    ga = member(provider, Role.DATA_OFFICER, username="ga_officer")
    member(consumer, Role.DATA_OFFICER, username="rs_officer")
    reviewer = member(authority, Role.REVIEWER, username="dsj_reviewer")
    application = SystemFactory(department=consumer, name="社保经办系统", lifecycle="in_use")
    resource = published_resource(ga, reviewer, provider)
    connection = connection_create(
        actor=ga,
        department=provider,
        data={"name": "人口库", "engine": "sqlite", "database": SOURCE_FILE},
    )
    table_mount_set(
        actor=ga,
        resource=resource,
        data={
            "connection": connection,
            "table": "person",
            "key_items": ["GMSFHM"],
            "columns": {"GMSFHM": "sfzh", "XM": "xm", "XBDM": "xb"},
        },
    )

    assert resource.mounts.get().status == "mounted"
    # when the consumer requests three items from the catalog page,
    sign_in(page, base, "rs_officer")
    page.goto(base + f"/catalog/resources/{resource.pk}/")
    page.click("#gs-resource-request")
    form = page.locator("#gs-request-form")
    form.locator("[name=application]").select_option(str(application.pk))
    for identifier in ("GMSFHM", "XM", "XBDM"):
        form.locator(f'input[name=items][value="{identifier}"]').check()
    assert form.locator('[data-item="ZJXY"] input[data-share-type="not_shared"]').count() == 1
    form.locator("[name=purpose]").select_option("data_check")
    form.locator("[name=purpose_detail]").fill("社会保险参保登记时核验参保人身份")
    form.locator("[name=basis]").fill("《社会保险法》第五十八条")
    form.locator("[name=scenario]").fill("窗口受理时由经办人员查询")
    form.locator("[name=mode]").select_option("query")
    today = dt.date.today()
    form.locator("[name=period_start]").fill(today.isoformat())
    form.locator("[name=period_end]").fill((today + dt.timedelta(days=365)).isoformat())
    form.locator("[name=expected_daily_calls]").fill("300")
    page.click("#gs-request-save-submit")
    page.wait_for_selector("#gs-request-header")
    share_request = ShareRequest.objects.get()
    assert share_request.state == "submitted"

    # the authority passes conformity review from its inbox,
    sign_in(page, base, "dsj_reviewer")
    page.goto(base + "/sharing/inbox/authority/")
    page.locator(f'tr[data-request="{share_request.number}"] a').first.click()
    page.locator('#gs-step-conformity button[value="pass"]').click()
    page.wait_for_selector('#gs-timeline [data-event="conformity_pass"]')

    # the provider grants the ID number (masked) and refuses the name with a reason,
    sign_in(page, base, "ga_officer")
    page.goto(base + "/sharing/inbox/provider/")
    page.locator(f'tr[data-request="{share_request.number}"] a').first.click()
    answer = page.locator("#gs-step-answer")
    answer.locator('[name=decision_GMSFHM][value="grant"]').check()
    answer.locator("[name=masking_GMSFHM]").select_option("id_number")
    answer.locator('[name=decision_XM][value="refuse"]').check()
    answer.locator("[name=reason_XM]").fill("姓名不在本次共享范围")
    answer.locator('button[data-step="answer"]').click()
    page.wait_for_selector("#gs-request-grant")
    share_request.refresh_from_db()
    assert share_request.state == "active"
    assert page.locator('#gs-request-items [data-item="XM"][data-decision="rejected"]').count()

    # and the consumer creates a credential for its application, its secret shown once.
    sign_in(page, base, "rs_officer")
    page.goto(base + "/sharing/credentials/")
    credential_form = page.locator("#gs-credential-form")
    credential_form.locator("[name=application]").select_option(str(application.pk))
    credential_form.locator("[name=name]").fill("社保经办系统生产凭证")
    credential_form.locator("button[type=submit]").click()
    page.wait_for_selector("#gs-issued-secret")
    app_key = page.locator("#gs-issued-key").input_value()
    secret = page.locator("#gs-issued-plaintext").input_value()
    page.goto(base + "/sharing/credentials/")  # and never again
    assert page.locator("#gs-issued-secret").count() == 0
    assert secret not in page.content()

    # Then a real HTTP client gets a token and calls the gateway:
    number, name, sex = PEOPLE[0][:3]
    gateway_app = create_app()
    with AsgiServer(gateway_app) as gateway, httpx.Client(base_url=gateway, timeout=10) as client:
        token = client.post("/gw/token", json={"app_key": app_key, "app_secret": secret})
        assert token.status_code == 200, token.text
        headers = {
            "Authorization": f"Bearer {token.json()['access_token']}",
            "X-Request-Id": "e2e-0001",
            "X-End-User": "刘人社".encode(),  # raw UTF-8, as curl sends it
            "X-Case-Number": "SB2026-0001",
        }
        answer = client.get(f"/gw/resources/{resource.pk}/query", params={"GMSFHM": number},
                            headers=headers)  # fmt: skip
        refused = client.get(
            f"/gw/resources/{resource.pk}/query",
            params={"GMSFHM": number, "items": "XM"},
            headers={**headers, "X-Request-Id": "e2e-0002"},
        )
    assert answer.status_code == 200, answer.text
    assert answer.headers["X-Request-Id"] == "e2e-0001"
    rows = answer.json()["rows"]
    # exactly the granted items: the ID number masked, the unconditional sex code plain
    assert rows == [{"GMSFHM": number[:6] + "*" * 8 + number[-4:], "XBDM": sex}]
    assert name not in answer.text
    assert refused.status_code == 403 and "XM" in refused.text

    # and the call is in both departments' delivery logs.
    record = DeliveryRecord.objects.get(request_id="e2e-0001", status=200)
    for username in ("rs_officer", "ga_officer"):
        sign_in(page, base, username)
        page.goto(base + "/exchange/deliveries/?request_id=e2e-0001")
        # the list names the case (办件编号); the request id is on the record's own page
        assert "SB2026-0001" in page.locator("main").inner_text()
        page.goto(base + f"/exchange/deliveries/{record.seq}/")
        assert "e2e-0001" in page.locator("main").inner_text()
