"""In a real browser: a data officer signs in and sees their home page with live figures."""

from __future__ import annotations

import pytest

from govshare.core.roles import Role
from govshare.orgs.models import Department
from tests.factories import PASSWORD, DepartmentFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_data_officer_signs_in_and_sees_the_home_page(live_server, page, tmp_path):
    # Given a department with a data officer, and a second department,
    department = DepartmentFactory(name="潍坊市公安局", short_name="公安局")
    DepartmentFactory(name="潍坊市人社局")
    member(department, Role.DATA_OFFICER, username="ga_officer", first_name="张公安")
    # when the officer opens the site, they land on the Chinese sign-in page,
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "登录"
    page.get_by_label("用户名").fill("ga_officer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    # then they see their home page, with the real count of departments and their department.
    page.wait_for_url(live_server.url + "/")
    assert "张公安" in page.locator("h1").inner_text()
    figures = page.locator("#gs-figures")
    assert figures.get_by_text("部门", exact=True).is_visible()
    count = str(Department.objects.filter(is_active=True).count())
    assert figures.locator(".gs-figure").first.inner_text() == count
    assert page.get_by_text("潍坊市公安局").first.is_visible()
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)


def test_a_wrong_password_shows_a_chinese_message(live_server, page):
    member(DepartmentFactory(), Role.STAFF, username="someone")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("用户名").fill("someone")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_text("用户名或密码错误").is_visible()
