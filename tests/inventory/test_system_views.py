"""Census pages: who sees which system, the filters, the tabs, and the matrix of every write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from govshare.inventory.choices import Deployment
from govshare.inventory.models import (
    HealthCheck,
    InformationSystem,
    SystemRevision,
    UsageReport,
    ZombieFinding,
)
from govshare.inventory.services import system_create, system_update
from tests.inventory.factories import SystemFactory, census_data

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("identity:login")
ROLES = ["admin_user", "reviewer", "auditor", "officer_a", "staff_a"]
# Session, user, roles, the page's systems and their count, the filter's departments, and the
# page frame (node name, department switcher).
LIST_QUERIES = 8


def assert_login_redirect(response) -> None:
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


# Fields with a default, which the form shows preselected and the browser posts back.
PRESELECTED = {
    "cloud_status": "not_planned",
    "vertical_origin": "local",
    "sso_status": "not_connected",
    "sharing_status": "not_connected",
}


def form_post(data: dict) -> dict:
    """A census record as the browser posts it."""
    posted = dict(PRESELECTED)
    for name, value in data.items():
        if isinstance(value, bool):
            if value:
                posted[name] = "on"
        elif isinstance(value, dt.date):
            posted[name] = value.isoformat()
        elif value is not None:
            posted[name] = str(value)
    return posted


def full_post(system: InformationSystem, **overrides) -> dict:
    """Every census field of ``system`` as the edit form posts it, with ``overrides``."""
    from govshare.inventory.services import SYSTEM_FIELDS

    data = {name: getattr(system, name) for name in SYSTEM_FIELDS}
    data.update(overrides)
    return form_post(data)


@pytest.fixture
def system_a(dept_a):
    return SystemFactory(department=dept_a, name="治安管理信息系统")


@pytest.fixture
def system_b(dept_b):
    return SystemFactory(department=dept_b, name="社保待遇发放系统")


# --- the list -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_given_a_role_that_reads_dept_a_when_the_list_opens_then_its_system_is_listed(
    request, client_for, system_a, role
):
    response = client_for(request.getfixturevalue(role)).get(reverse("inventory:system_list"))
    assert response.status_code == 200
    assert system_a in response.context["object_list"]


def test_given_another_department_when_its_officer_lists_then_dept_a_systems_are_absent(
    client_for, officer_b, system_a, system_b
):
    response = client_for(officer_b).get(reverse("inventory:system_list"))
    assert list(response.context["object_list"]) == [system_b]
    assert system_a.name not in response.content.decode()


def test_given_anonymous_when_the_list_opens_then_it_redirects_to_login(client, system_a):
    assert_login_redirect(client.get(reverse("inventory:system_list")))


def test_given_filters_when_applied_then_each_narrows_the_list(
    client_for, reviewer, dept_a, dept_b
):
    cloud = SystemFactory(department=dept_a, name="人口库", deployment="gov_cloud")
    own_room = SystemFactory(
        department=dept_a,
        name="旧档案系统",
        deployment="own_room",
        network_domain="internet",
        lifecycle="stopped",
        function_description="纸质档案扫描和借阅",
    )
    other = SystemFactory(department=dept_b, name="就业服务系统")
    ZombieFinding.objects.create(system=own_room, rule="idle", evidence={}, assessed=timezone.now())
    client = client_for(reviewer)

    def listed(**query) -> set:
        response = client.get(reverse("inventory:system_list"), query)
        return set(response.context["object_list"])

    assert listed(department=dept_b.pk) == {other}
    assert listed(lifecycle="stopped") == {own_room}
    assert listed(network_domain="internet") == {own_room}
    assert listed(deployment="gov_cloud") == {cloud, other}
    assert listed(zombie="yes") == {own_room}
    assert listed(zombie="no") == {cloud, other}
    assert listed(query="借阅") == {own_room}
    assert listed(query="人口") == {cloud}


def test_given_a_department_filter_when_an_officer_names_another_department_then_it_is_refused(
    client_for, officer_b, system_a, system_b, dept_a
):
    response = client_for(officer_b).get(
        reverse("inventory:system_list"), {"department": dept_a.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors  # not a choice: no filter, still only dept_b
    assert list(response.context["object_list"]) == [system_b]


def test_given_zombies_when_listed_then_the_badge_and_the_export_link_carry_the_filters(
    client_for, reviewer, system_a
):
    ZombieFinding.objects.create(system=system_a, rule="idle", evidence={}, assessed=timezone.now())
    response = client_for(reviewer).get(reverse("inventory:system_list"), {"lifecycle": "in_use"})
    html = response.content.decode()
    assert "data-zombie" in html
    export_url = reverse("inventory:census_export")
    assert f'href="{export_url}?lifecycle=in_use"' in html


def test_given_more_systems_when_the_list_opens_then_the_query_count_stays_the_same(
    client_for, officer_a, dept_a, django_assert_max_num_queries
):
    client = client_for(officer_a)
    SystemFactory.create_batch(3, department=dept_a)
    with django_assert_max_num_queries(LIST_QUERIES):
        client.get(reverse("inventory:system_list"))
    for system in SystemFactory.create_batch(20, department=dept_a):
        ZombieFinding.objects.create(
            system=system, rule="idle", evidence={}, assessed=timezone.now()
        )
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("inventory:system_list"))
    assert len(response.context["object_list"]) == 23


# --- the detail page ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_given_a_reader_when_the_detail_opens_then_every_tab_renders(
    request, client_for, officer_a, dept_a, role
):
    system = system_create(
        actor=officer_a, department=dept_a, data=census_data(health_url="http://10.0.0.5/health")
    )
    UsageReport.objects.create(
        system=system, date=timezone.localdate(), active_users=321, requests=4567
    )
    HealthCheck.objects.create(
        system=system, checked=timezone.now(), is_up=True, status_code=200, latency_ms=87
    )
    response = client_for(request.getfixturevalue(role)).get(
        reverse("inventory:system_detail", args=[system.pk])
    )
    html = response.content.decode()
    assert response.status_code == 200
    for pane in ("basics", "usage", "integration", "versions", "history"):
        assert f'id="gs-pane-{pane}"' in html
    assert "37070013001-19001" in html  # a census field on the basics tab
    assert "4567" in html and "87" in html  # the usage and health tables
    assert "<script>" not in html  # CSP: only script files, never inline code
    assert 'href="' + reverse("inventory:system_revision", args=[system.pk, 1]) in html


def test_given_the_chart_script_when_the_detail_opens_then_both_series_are_embedded(
    client_for, officer_a, system_a, settings
):
    # Served from the app directories, as in development: the script is found without a manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    UsageReport.objects.create(
        system=system_a, date=timezone.localdate(), active_users=42, requests=420
    )
    response = client_for(officer_a).get(reverse("inventory:system_detail", args=[system_a.pk]))
    html = response.content.decode()
    assert 'data-chart="gs-usage-data"' in html and 'data-chart="gs-health-data"' in html
    assert '<script id="gs-usage-data" type="application/json">' in html
    assert html.index("echarts.min.js") < html.index("govshare/inventory-charts.js")
    assert response.context["usage_chart"]["series"][0]["data"][-1] == 42


def test_given_another_department_when_its_officer_opens_the_detail_then_it_is_not_found(
    client_for, officer_b, system_a
):
    response = client_for(officer_b).get(reverse("inventory:system_detail", args=[system_a.pk]))
    assert response.status_code == 404


def test_given_changes_when_the_officer_opens_the_detail_then_versions_and_history_show(
    client_for, officer_a, dept_a
):
    system = system_create(actor=officer_a, department=dept_a, data=census_data())
    system_update(actor=officer_a, system=system, data={"active_users": 999}, note="扩大")
    response = client_for(officer_a).get(reverse("inventory:system_detail", args=[system.pk]))
    assert [r.number for r, _labels in response.context["revisions"]] == [2, 1]
    with translation.override("zh-hans"):  # changed fields are named by their labels
        label = str(InformationSystem._meta.get_field("active_users").verbose_name)
    assert response.context["revisions"][0][1] == [label]
    actions = [event.action for event in response.context["history"]]
    assert actions == ["inventory.system.update", "inventory.system.create"]


def test_given_staff_when_the_detail_opens_then_no_edit_or_status_form_is_offered(
    client_for, staff_a, system_a
):
    response = client_for(staff_a).get(reverse("inventory:system_detail", args=[system_a.pk]))
    assert response.context["lifecycle_form"] is None
    assert reverse("inventory:system_edit", args=[system_a.pk]) not in response.content.decode()


def test_given_merges_when_the_detail_opens_then_the_integration_tab_names_both_sides(
    client_for, officer_a, dept_a
):
    target = SystemFactory(department=dept_a, name="综合业务平台")
    merged = SystemFactory(
        department=dept_a, name="旧审批系统", lifecycle="merged", merged_into=target
    )
    client = client_for(officer_a)
    target_page = client.get(reverse("inventory:system_detail", args=[target.pk]))
    merged_page = client.get(reverse("inventory:system_detail", args=[merged.pk]))
    assert list(target_page.context["merged_systems"]) == [merged]
    assert "综合业务平台" in merged_page.content.decode()


def test_given_a_second_version_when_compared_then_the_changed_fields_show_before_and_after(
    client_for, officer_a, dept_a
):
    system = system_create(actor=officer_a, department=dept_a, data=census_data())
    system_update(
        actor=officer_a, system=system, data={"active_users": 999, "deployment": "own_room"}
    )
    response = client_for(officer_a).get(reverse("inventory:system_revision", args=[system.pk, 2]))
    changes = {c.name: (c.before, c.after) for c in response.context["changes"]}
    assert changes["active_users"] == ("300", "999")
    with translation.override("zh-hans"):  # shown with its label, not its code
        assert changes["deployment"][1] == str(Deployment.OWN_ROOM.label)
    assert set(changes) == {"active_users", "deployment"}


def test_given_another_department_when_it_asks_for_a_version_then_it_is_not_found(
    client_for, officer_a, officer_b, dept_a
):
    system = system_create(actor=officer_a, department=dept_a, data=census_data())
    response = client_for(officer_b).get(reverse("inventory:system_revision", args=[system.pk, 1]))
    assert response.status_code == 404


# --- create ---------------------------------------------------------------------------------


def test_given_anonymous_when_creating_then_login_is_asked_and_nothing_is_written(client, dept_a):
    response = client.post(reverse("inventory:system_create"), form_post(census_data()))
    assert_login_redirect(response)
    assert not InformationSystem.objects.exists()


@pytest.mark.parametrize("role", ["staff_a", "reviewer", "auditor"])
def test_given_no_officer_role_when_creating_then_it_is_forbidden(
    request, client_for, role, dept_a
):
    data = {**form_post(census_data()), "department": dept_a.pk}
    response = client_for(request.getfixturevalue(role)).post(
        reverse("inventory:system_create"), data
    )
    assert response.status_code == 403
    assert not InformationSystem.objects.exists()


def test_given_the_data_officer_when_creating_then_the_system_joins_their_department(
    client_for, officer_a, dept_a
):
    client = client_for(officer_a)
    form_page = client.get(reverse("inventory:system_create"))
    assert form_page.context["form"]["department"].initial == dept_a.pk
    data = {**form_post(census_data()), "department": dept_a.pk, "note": "首次填报"}
    response = client.post(reverse("inventory:system_create"), data)
    system = InformationSystem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:system_detail", args=[system.pk])
    assert system.department == dept_a and system.protection_level == 3
    assert system.revisions.get().note == "首次填报"


def test_given_an_officer_when_they_name_another_department_then_nothing_is_written(
    client_for, officer_a, dept_b
):
    data = {**form_post(census_data()), "department": dept_b.pk}
    response = client_for(officer_a).post(reverse("inventory:system_create"), data)
    assert response.status_code == 200
    assert "department" in response.context["form"].errors
    assert not InformationSystem.objects.exists()


def test_given_bad_input_when_creating_then_every_error_shows_and_nothing_is_written(
    client_for, officer_a, dept_a
):
    bad = census_data(
        usage_scope="everyone",
        protection_filing_number="",
        go_live_date=timezone.localdate() + dt.timedelta(days=30),
    )
    data = {**form_post(bad), "department": dept_a.pk}
    response = client_for(officer_a).post(reverse("inventory:system_create"), data)
    errors = response.context["form"].errors
    assert response.status_code == 200
    assert "usage_scope" in errors  # the form's own check
    # The service's rules reach the form only once its own checks pass; check them separately.
    data = {**form_post(census_data(protection_filing_number="")), "department": dept_a.pk}
    response = client_for(officer_a).post(reverse("inventory:system_create"), data)
    assert "protection_filing_number" in response.context["form"].errors
    assert not InformationSystem.objects.exists()


# --- edit -----------------------------------------------------------------------------------


def test_given_anonymous_when_editing_then_login_is_asked(client, system_a):
    response = client.post(reverse("inventory:system_edit", args=[system_a.pk]), {})
    assert_login_redirect(response)


@pytest.mark.parametrize(
    ("role", "status"), [("officer_b", 404), ("staff_a", 403), ("reviewer", 403), ("auditor", 403)]
)
def test_given_no_right_to_change_when_editing_then_it_is_refused_and_unchanged(
    request, client_for, system_a, role, status
):
    response = client_for(request.getfixturevalue(role)).post(
        reverse("inventory:system_edit", args=[system_a.pk]), full_post(system_a, active_users=1)
    )
    system_a.refresh_from_db()
    assert response.status_code == status
    assert system_a.active_users == 120
    assert not SystemRevision.objects.exists()


def test_given_the_data_officer_when_editing_then_a_version_is_kept(
    client_for, officer_a, system_a
):
    client = client_for(officer_a)
    form_page = client.get(reverse("inventory:system_edit", args=[system_a.pk]))
    assert 'value="2020-01-01"' in form_page.content.decode()  # dates as the date input wants
    response = client.post(
        reverse("inventory:system_edit", args=[system_a.pk]),
        full_post(system_a, active_users=640, note="用户增加"),
    )
    system_a.refresh_from_db()
    assert response.status_code == 302
    assert system_a.active_users == 640
    revision = system_a.revisions.get()
    assert revision.changed_fields == ["active_users"] and revision.note == "用户增加"


def test_given_bad_input_when_editing_then_errors_show_and_nothing_changes(
    client_for, officer_a, system_a
):
    response = client_for(officer_a).post(
        reverse("inventory:system_edit", args=[system_a.pk]),
        full_post(system_a, is_secret=True, sharing_status="connected", active_users=5),
    )
    system_a.refresh_from_db()
    assert response.status_code == 200
    assert "sharing_status" in response.context["form"].errors
    assert system_a.active_users == 120 and not system_a.is_secret


# --- lifecycle ------------------------------------------------------------------------------


def test_given_anonymous_when_changing_status_then_login_is_asked(client, system_a):
    response = client.post(
        reverse("inventory:system_lifecycle", args=[system_a.pk]), {"lifecycle": "stopped"}
    )
    assert_login_redirect(response)


@pytest.mark.parametrize(
    ("role", "status"), [("officer_b", 404), ("staff_a", 403), ("reviewer", 403)]
)
def test_given_no_right_when_changing_status_then_it_is_refused_and_unchanged(
    request, client_for, system_a, role, status
):
    response = client_for(request.getfixturevalue(role)).post(
        reverse("inventory:system_lifecycle", args=[system_a.pk]), {"lifecycle": "stopped"}
    )
    system_a.refresh_from_db()
    assert response.status_code == status
    assert system_a.lifecycle == "in_use"


def test_given_the_data_officer_when_stopping_then_the_status_changes(
    client_for, officer_a, system_a
):
    response = client_for(officer_a).post(
        reverse("inventory:system_lifecycle", args=[system_a.pk]),
        {"lifecycle": "stopped", "note": "业务取消"},
    )
    system_a.refresh_from_db()
    assert response.status_code == 302
    assert system_a.lifecycle == "stopped"


def test_given_a_merge_when_the_target_is_offered_then_the_system_merges_into_it(
    client_for, officer_a, system_a, system_b, dept_a
):
    target = SystemFactory(department=dept_a, name="综合指挥平台")
    client = client_for(officer_a)
    detail = client.get(reverse("inventory:system_detail", args=[system_a.pk]))
    offered = detail.context["lifecycle_form"].fields["merged_into"].systems
    assert str(target.pk) in offered and str(system_b.pk) not in offered  # own department only
    response = client.post(
        reverse("inventory:system_lifecycle", args=[system_a.pk]),
        {"lifecycle": "merged", "merged_into": target.pk},
    )
    system_a.refresh_from_db()
    assert response.status_code == 302
    assert (system_a.lifecycle, system_a.merged_into) == ("merged", target)


def test_given_a_merge_into_another_department_when_an_officer_posts_then_nothing_changes(
    client_for, officer_a, system_a, system_b
):
    response = client_for(officer_a).post(
        reverse("inventory:system_lifecycle", args=[system_a.pk]),
        {"lifecycle": "merged", "merged_into": system_b.pk},
    )
    system_a.refresh_from_db()
    assert response.status_code == 400
    assert "merged_into" in response.context["form"].errors
    assert system_a.lifecycle == "in_use" and system_a.merged_into is None


def test_given_a_merge_without_a_target_when_posted_then_the_service_error_shows(
    client_for, officer_a, system_a
):
    response = client_for(officer_a).post(
        reverse("inventory:system_lifecycle", args=[system_a.pk]), {"lifecycle": "merged"}
    )
    system_a.refresh_from_db()
    assert response.status_code == 400
    assert "merged_into" in response.context["form"].errors
    assert system_a.lifecycle == "in_use"


def test_given_the_platform_admin_when_merging_then_any_department_s_system_is_offered(
    client_for, admin_user, system_a, system_b
):
    response = client_for(admin_user).post(
        reverse("inventory:system_lifecycle", args=[system_a.pk]),
        {"lifecycle": "merged", "merged_into": system_b.pk},
    )
    system_a.refresh_from_db()
    assert response.status_code == 302
    assert system_a.merged_into == system_b
