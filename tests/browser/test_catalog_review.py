"""In a real browser: the catalog's review workflow end to end (issue 4, "Done when").

A data officer drafts and submits a resource, the authority returns it with a comment, the
officer fixes and resubmits, the authority approves and a code is allocated; the officer starts
a change, edits and submits it, the authority approves, and the diff shows version 1 against
version 2. Elements are found by id, name and data attributes, so the test survives the
translation of the labels.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from govshare.catalog import seed
from govshare.catalog.models import Category, Resource
from govshare.core.roles import Role
from tests.factories import PASSWORD, DepartmentFactory, member
from tests.inventory.factories import SystemFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"^[1-3]\d{5}[0-9A-Z]*/\d+$")


def sign_in(page, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(base_url + "/")


def fill_item(page, index: int, name: str, identifier: str, share_type: str = "conditional"):
    row = page.locator(f'tr[data-item-row="{index}"]')
    row.locator(f'[name="items-{index}-name"]').fill(name)
    row.locator(f'[name="items-{index}-identifier"]').fill(identifier)
    row.locator(f'[name="items-{index}-data_type"]').select_option("C")
    row.locator(f'[name="items-{index}-length"]').fill("50")
    row.locator(f'[name="items-{index}-share_type"]').select_option(share_type)


def review_row(page, base_url: str, resource: Resource):
    page.goto(base_url + "/catalog/review/")
    return page.locator(f'tr[data-review-row="{resource.pk}"]')


def test_draft_return_fix_approve_change_and_diff(live_server, page, tmp_path):
    base = live_server.url
    # (a transactional test before this one may have flushed the migrated reference data)
    seed.load(apps, None)
    # Given a department with a data officer and a system, and the authority with a reviewer,
    department = DepartmentFactory(name="潍坊市公安局", short_name="公安局")
    authority = DepartmentFactory(name="潍坊市大数据局", is_sharing_authority=True)
    member(department, Role.DATA_OFFICER, username="ga_officer")
    member(authority, Role.REVIEWER, username="dsj_reviewer")
    system = SystemFactory(department=department, name="人口管理系统", lifecycle="in_use")
    category = Category.objects.get(code="101001")

    # when the officer drafts a resource in the form,
    sign_in(page, base, "ga_officer")
    page.goto(base + "/catalog/resources/new/")
    form = page.locator("#gs-resource-form")
    form.locator("#id_category").select_option(str(category.pk))
    form.locator("#id_name").fill("户籍人口基本信息")
    form.locator("#id_summary").fill("本市户籍人口的身份信息")
    form.locator("#id_format_class").select_option("database")
    form.locator("#id_format_type").fill("PostgreSQL")
    # the condition input appears only for conditional sharing (static JS, no inline script)
    expect(form.locator("#id_share_condition")).to_be_hidden()
    form.locator("#id_share_type").select_option("conditional")
    expect(form.locator("#id_share_condition")).to_be_visible()
    form.locator("#id_share_condition").fill("用于身份核验")
    form.locator("#id_share_mode_type").select_option("api")
    form.locator("#id_update_cycle").select_option("daily")
    form.locator("#id_source_systems").select_option(str(system.pk))
    fill_item(page, 0, "公民身份号码", "GMSFHM")
    page.click("#gs-item-add")
    fill_item(page, 1, "姓名", "XM", share_type="unconditional")  # looser than the resource
    page.click("#gs-item-add")
    page.locator('tr[data-item-row="2"] [data-item-remove]').click()  # added by mistake
    expect(page.locator('tr[data-item-row="2"]')).to_be_hidden()
    page.click("#gs-resource-save")
    # then the rule's message sits on the second item row, and nothing is saved,
    row = page.locator('tr[data-item-row="1"]')
    expect(row.locator('[data-item-cell="share_type"] .invalid-feedback')).to_be_visible()
    page.screenshot(path=str(tmp_path / "form-errors.png"), full_page=True)
    assert not Resource.objects.exists()
    # and once fixed, the draft is saved and submitted.
    row.locator('[name="items-1-share_type"]').select_option("conditional")
    page.click("#gs-resource-save")
    page.wait_for_selector("#gs-resource-header")
    resource = Resource.objects.get()
    assert resource.working_version.items.count() == 2
    assert page.locator("#gs-resource-code").get_attribute("data-resource-code") == ""
    page.screenshot(path=str(tmp_path / "draft.png"), full_page=True)
    page.click("#gs-resource-submit")
    page.wait_for_selector('[data-resource-status="submitted"]')

    # When the authority returns it with a comment,
    sign_in(page, base, "dsj_reviewer")
    row = review_row(page, base, resource)
    expect(row.locator('[data-review-kind="new"]')).to_be_visible()
    page.screenshot(path=str(tmp_path / "inbox.png"), full_page=True)
    row.locator("textarea[name=comments]").fill("请补充摘要：写明住址和变动信息")
    row.locator("[data-review-return]").click()
    page.wait_for_url(base + "/catalog/review/")
    assert page.locator(f'tr[data-review-row="{resource.pk}"]').count() == 0

    # then the officer sees the comment, fixes the summary and resubmits,
    sign_in(page, base, "ga_officer")
    page.goto(base + f"/catalog/resources/{resource.pk}/")
    assert "请补充摘要" in page.locator("#gs-review-note").inner_text()
    page.click("#gs-resource-edit")
    page.locator("#id_summary").fill("本市户籍人口的身份、住址和变动信息")
    page.click("#gs-resource-save")
    page.wait_for_selector("#gs-resource-header")
    page.click("#gs-resource-submit")
    page.wait_for_selector('[data-resource-status="submitted"]')

    # and the authority approves: the resource is published with a code.
    sign_in(page, base, "dsj_reviewer")
    review_row(page, base, resource).locator("[data-review-approve]").click()
    page.wait_for_url(base + "/catalog/review/")
    page.goto(base + f"/catalog/resources/{resource.pk}/")
    page.screenshot(path=str(tmp_path / "published.png"), full_page=True)
    code = page.locator("#gs-resource-code").get_attribute("data-resource-code")
    assert CODE.match(code) and code == Resource.objects.get().code
    expect(page.locator('[data-resource-status="published"]')).to_be_visible()

    # When the officer starts a change, edits it and submits it,
    sign_in(page, base, "ga_officer")
    page.goto(base + f"/catalog/resources/{resource.pk}/")
    page.click("#gs-resource-change")
    page.wait_for_selector("#gs-resource-form")
    page.locator("#id_update_cycle").select_option("monthly")
    page.click("#gs-resource-save")
    page.wait_for_selector("#gs-resource-header")
    page.click("#gs-resource-submit")
    page.wait_for_selector("#gs-working-notice")

    # then the authority sees a change with its diff, and approves it,
    sign_in(page, base, "dsj_reviewer")
    row = review_row(page, base, resource)
    expect(row.locator('[data-review-kind="change"]')).to_be_visible()
    row.locator("[data-review-diff]").click()
    page.wait_for_selector("#gs-diff")
    expect(page.locator('#gs-diff tr[data-field="update_cycle"]')).to_be_visible()
    review_row(page, base, resource).locator("[data-review-approve]").click()
    page.wait_for_url(base + "/catalog/review/")

    # and the version diff shows version 1 against version 2 in force, the code unchanged.
    sign_in(page, base, "ga_officer")
    page.goto(base + f"/catalog/resources/{resource.pk}/")
    assert page.locator("#gs-resource-code").get_attribute("data-resource-code") == code
    page.click("#gs-tab-versions")
    page.locator('[data-compare-previous="2"]').click()
    page.wait_for_selector("#gs-diff")
    versions = page.locator("#gs-diff-versions")
    assert versions.get_attribute("data-before") == "1"
    assert versions.get_attribute("data-after") == "2"
    expect(page.locator('#gs-diff tr[data-field="update_cycle"]')).to_be_visible()
    expect(page.locator('[data-version-status="in_force"]')).to_be_visible()
    page.screenshot(path=str(tmp_path / "diff.png"), full_page=True)
