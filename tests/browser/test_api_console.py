"""In a real browser on the one public port (govshare.asgi: Django pages and /gw/ together): a
data officer tries a granted call in the API console; the secret stays in the browser."""

from __future__ import annotations

import pytest
from django.apps import apps

from govshare.catalog import seed
from govshare.exchange.models import DeliveryRecord
from tests.browser.servers import AsgiServer
from tests.browser.test_catalog_review import sign_in
from tests.exchange.gateway.factories import PEOPLE, build_world, grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_console_calls_the_gateway_from_the_browser(page, settings, tmp_path):
    seed.load(apps, None)
    settings.GOVSHARE_SOURCES_DIR = tmp_path
    world = build_world(tmp_path)
    granted = grant(world, ["GMSFHM", "XM"])
    world.officer.username = "rs_console"
    world.officer.save(update_fields=["username"])
    page.on("dialog", lambda dialog: dialog.accept())

    from govshare.asgi import application

    with AsgiServer(application) as base:
        sign_in(page, base, "rs_console")
        page.goto(base + "/exchange/console/")
        page.click(f'#gs-console-grants [data-grant="{granted.pk}"]')
        form = page.locator("#gs-console-form")
        form.locator("#gs-console-app-key").fill(world.credential.app_key)
        form.locator("#gs-console-app-secret").fill(world.secret)
        form.locator('[data-console-param="GMSFHM"]').fill(PEOPLE[0][0])
        form.locator("#gs-console-end-user").fill("控制台测试")
        page.click("#gs-console-send")
        page.wait_for_selector("#gs-console-response:not(.d-none)")
        page.wait_for_function(
            "document.querySelector('#gs-console-status').textContent.startsWith('200')"
        )
        body = page.locator("#gs-console-body").inner_text()
        shown = page.locator("#gs-console-headers").inner_text()

    assert PEOPLE[0][0][:6] in body and "张*" in body  # masked as granted
    assert "控制台测试" in shown  # the echoed 经办人, read back as UTF-8
    # the secret never reached the Django side, nor the curl example
    assert world.secret not in page.locator("#gs-console-curl").inner_text()
    record = DeliveryRecord.objects.filter(status=200, mode="query").get()
    assert record.end_user == "控制台测试"
