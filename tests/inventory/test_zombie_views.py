"""The clean-up list (僵尸系统清理清单): evidence, who sees which finding, who decides, and the
shadow systems (影子系统)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from govshare.inventory.dashboard import inventory_figures
from govshare.inventory.forms.fields import system_label
from govshare.inventory.indicators import indicator_values
from govshare.inventory.models import CleanupRecord, ShadowSystem, ZombieAssessment, ZombieFinding
from govshare.inventory.selectors import system_list, zombie_rows
from govshare.inventory.services import system_set_lifecycle
from tests.inventory.factories import SystemFactory
from tests.inventory.test_system_views import assert_login_redirect

pytestmark = pytest.mark.django_db

ROLES = ["admin_user", "reviewer", "auditor", "officer_a", "staff_a", "officer_b"]


@pytest.fixture
def flagged(dept_a, dept_b):
    """dept_a: an unused system and a duplicate of its big system; dept_b: an idle one."""
    now = timezone.now()
    unused = SystemFactory(department=dept_a, name="旧卡口系统")
    big = SystemFactory(department=dept_a, name="智慧警务平台")
    duplicate = SystemFactory(department=dept_a, name="警务协同系统")
    idle = SystemFactory(department=dept_b, name="培训报名系统")
    ZombieAssessment.objects.create(assessed=now, findings=3, systems=3)  # the run that found
    ZombieFinding.objects.create(
        system=unused,
        rule="detached",
        assessed=now,
        evidence={
            "last_use": None,
            "last_reachable": "2024-01-02",
            "days_without_use": 217,
            "threshold_days": 90,
            "last_update": "2019-03-01",
            "months_without_update": 71,
            "threshold_months": 24,
        },
    )
    ZombieFinding.objects.create(
        system=duplicate,
        rule="replaceable",
        assessed=now,
        score=0.83,
        matched_system=big,
        evidence={
            "matched_system": big.name,
            "matched_department": dept_a.name,
            "same_department": True,
            "similarity": 0.83,
            "shared_terms": ["警情", "协同"],
        },
    )
    ZombieFinding.objects.create(
        system=idle,
        rule="idle",
        assessed=now,
        evidence={
            "usage_scope": "部门内部",
            "usage_frequency": "很少",
            "active_users": 3,
            "threshold_users": 10,
            "annual_om_cost": "12.00",
        },
    )
    return {"unused": unused, "big": big, "duplicate": duplicate, "idle": idle}


def listed(response) -> set[str]:
    return {row.system.name for row, _form in response.context["rows"]}


# --- the list -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_given_any_role_when_the_list_opens_then_it_renders(request, client_for, flagged, role):
    response = client_for(request.getfixturevalue(role)).get(reverse("inventory:zombie_list"))
    assert response.status_code == 200
    assert response.context["assessed"] is not None


def test_given_anonymous_when_the_list_opens_then_it_redirects_to_login(client, flagged):
    assert_login_redirect(client.get(reverse("inventory:zombie_list")))


def test_given_the_authority_when_the_list_opens_then_every_department_s_findings_show(
    client_for, reviewer, flagged
):
    response = client_for(reviewer).get(reverse("inventory:zombie_list"))
    assert listed(response) == {"旧卡口系统", "警务协同系统", "培训报名系统"}


def test_given_a_department_when_its_officer_opens_the_list_then_only_its_findings_show(
    client_for, officer_b, flagged
):
    response = client_for(officer_b).get(reverse("inventory:zombie_list"))
    html = response.content.decode()
    assert listed(response) == {"培训报名系统"}
    assert "旧卡口系统" not in html and "警务协同系统" not in html


def test_given_findings_when_listed_then_each_rule_s_evidence_is_readable(
    client_for, officer_a, flagged
):
    html = client_for(officer_a).get(reverse("inventory:zombie_list")).content.decode()
    assert "217" in html and "90" in html  # days without use against the threshold
    assert "71" in html and "2019-03-01" in html  # months without an update
    assert "0.83" in html and "警情、协同" in html  # similarity and the shared terms
    big_url = reverse("inventory:system_detail", args=[flagged["big"].pk])
    assert f'href="{big_url}"' in html  # the matched system, linked


def test_given_a_match_in_a_department_the_user_cannot_see_then_it_is_named_not_linked(
    client_for, officer_b, dept_a, dept_b
):
    theirs = SystemFactory(department=dept_a, name="公安人口系统")
    ours = SystemFactory(department=dept_b, name="人口信息采集系统")
    ZombieFinding.objects.create(
        system=ours,
        rule="replaceable",
        assessed=timezone.now(),
        score=0.7,
        matched_system=theirs,
        evidence={
            "matched_system": theirs.name,
            "matched_department": dept_a.name,
            "same_department": False,
            "similarity": 0.7,
            "shared_terms": [],
        },
    )
    html = client_for(officer_b).get(reverse("inventory:zombie_list")).content.decode()
    assert "公安人口系统" in html
    assert reverse("inventory:system_detail", args=[theirs.pk]) not in html


def test_given_filters_when_applied_then_rule_and_department_narrow_the_list(
    client_for, reviewer, flagged, dept_b
):
    client = client_for(reviewer)
    by_rule = client.get(reverse("inventory:zombie_list"), {"rule": "replaceable"})
    by_department = client.get(reverse("inventory:zombie_list"), {"department": dept_b.pk})
    assert listed(by_rule) == {"警务协同系统"}
    assert listed(by_department) == {"培训报名系统"}


def test_given_the_authority_when_the_list_opens_then_it_offers_a_decision_per_system(
    client_for, reviewer, officer_a, flagged
):
    authority_rows = client_for(reviewer).get(reverse("inventory:zombie_list")).context["rows"]
    department_rows = client_for(officer_a).get(reverse("inventory:zombie_list")).context["rows"]
    assert all(form is not None for _row, form in authority_rows)
    assert all(form is None for _row, form in department_rows)


# --- re-assess ------------------------------------------------------------------------------


def test_given_anonymous_when_re_assessing_then_login_is_asked(client, flagged):
    assert_login_redirect(client.post(reverse("inventory:zombie_assess")))
    assert ZombieFinding.objects.count() == 3


@pytest.mark.parametrize("role", ["officer_a", "staff_a", "auditor"])
def test_given_no_authority_when_re_assessing_then_it_is_forbidden_and_the_list_stays(
    request, client_for, flagged, role
):
    response = client_for(request.getfixturevalue(role)).post(reverse("inventory:zombie_assess"))
    assert response.status_code == 403
    assert ZombieFinding.objects.count() == 3


def test_given_the_authority_when_re_assessing_then_the_list_is_replaced(
    client_for, reviewer, flagged
):
    before = set(ZombieFinding.objects.values_list("pk", flat=True))
    response = client_for(reviewer).post(reverse("inventory:zombie_assess"))
    assert response.status_code == 302
    assert not before & set(ZombieFinding.objects.values_list("pk", flat=True))


def test_given_a_get_when_re_assessing_then_it_is_refused(client_for, reviewer, flagged):
    response = client_for(reviewer).get(reverse("inventory:zombie_assess"))
    assert response.status_code == 302 and response["Location"] == reverse("inventory:zombie_list")


# --- decisions ------------------------------------------------------------------------------


def decide_url(system) -> str:
    return reverse("inventory:cleanup_decide", args=[system.pk])


def decision(system, **values) -> dict[str, object]:
    return {f"decide-{system.pk}-{name}": value for name, value in values.items()}


def test_given_anonymous_when_deciding_then_login_is_asked(client, flagged):
    unused = flagged["unused"]
    response = client.post(decide_url(unused), decision(unused, decision="stop", reason="无人使用"))
    assert_login_redirect(response)
    assert not CleanupRecord.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("officer_a", 403), ("staff_a", 403), ("auditor", 403), ("officer_b", 404)],
)
def test_given_no_authority_when_deciding_then_it_is_refused_and_nothing_changes(
    request, client_for, flagged, role, status
):
    unused = flagged["unused"]
    response = client_for(request.getfixturevalue(role)).post(
        decide_url(unused), decision(unused, decision="stop", reason="无人使用")
    )
    unused.refresh_from_db()
    assert response.status_code == status
    assert unused.lifecycle == "in_use" and not CleanupRecord.objects.exists()


def test_given_the_authority_when_it_stops_a_system_then_the_decision_is_recorded(
    client_for, reviewer, officer_a, flagged
):
    unused = flagged["unused"]
    response = client_for(reviewer).post(
        decide_url(unused), decision(unused, decision="stop", reason="217天无人使用")
    )
    unused.refresh_from_db()
    record = CleanupRecord.objects.get()
    assert response.status_code == 302
    assert unused.lifecycle == "stopped"
    assert (record.decision, record.rules) == ("stop", ["detached"])
    page = client_for(officer_a).get(reverse("inventory:zombie_list"))
    assert list(page.context["decisions"]) == [record]  # the department reads its decision
    row = next(row for row, _form in page.context["rows"] if row.system == unused)
    assert row.decision == record


def test_given_the_authority_when_it_merges_a_duplicate_then_it_is_merged_into_the_target(
    client_for, reviewer, flagged
):
    duplicate, big = flagged["duplicate"], flagged["big"]
    response = client_for(reviewer).post(
        decide_url(duplicate),
        decision(duplicate, decision="merge", merge_target=system_label(big), reason="功能重复"),
    )
    duplicate.refresh_from_db()
    assert response.status_code == 302
    assert (duplicate.lifecycle, duplicate.merged_into) == ("merged", big)


def test_the_merge_target_is_searched_in_one_list_per_page(client_for, reviewer, flagged):
    # Given several flagged systems awaiting a decision, the clean-up page holds one list of
    # the systems to merge into, which every row's input searches, and no <select> of them.
    page = client_for(reviewer).get(reverse("inventory:zombie_list")).content.decode()
    rows = page.count('list="gs-merge-targets"')
    assert rows >= 2
    assert page.count('<datalist id="gs-merge-targets">') == 1
    options = page.split('<datalist id="gs-merge-targets">', 1)[1].split("</datalist>", 1)[0]
    assert system_label(flagged["big"]) in options
    assert not re.search(r'<select[^>]*name="[^"]*merge_target"', page)


def test_a_merge_target_typed_wrong_is_named(client_for, reviewer, flagged):
    unused = flagged["unused"]
    values = decision(unused, decision="merge", merge_target="没有这个系统", reason="功能重复")
    response = client_for(reviewer).post(decide_url(unused), values)
    assert response.status_code == 400
    assert "merge_target" in response.context["form"].errors
    # the error page's own input searches a list written under it
    assert '<datalist id="gs-merge-targets">' in response.content.decode()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"decision": "merge", "reason": "功能重复"}, "merge_target"),
        ({"decision": "keep", "reason": ""}, "reason"),
        ({"decision": "delete", "reason": "x"}, "decision"),
    ],
)
def test_given_bad_input_when_deciding_then_the_errors_show_and_nothing_is_written(
    client_for, reviewer, flagged, values, field
):
    unused = flagged["unused"]
    response = client_for(reviewer).post(decide_url(unused), decision(unused, **values))
    unused.refresh_from_db()
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert unused.lifecycle == "in_use" and not CleanupRecord.objects.exists()


def test_given_the_authority_when_it_keeps_a_system_then_the_reason_is_kept(
    client_for, reviewer, flagged
):
    idle = flagged["idle"]
    client_for(reviewer).post(
        decide_url(idle), decision(idle, decision="keep", reason="年底并入新平台")
    )
    idle.refresh_from_db()
    assert idle.lifecycle == "in_use"
    assert CleanupRecord.objects.get().reason == "年底并入新平台"


# --- shadow systems -------------------------------------------------------------------------


@pytest.fixture
def shadows(dept_a, dept_b):
    return {
        "a": ShadowSystem.objects.create(
            name="车辆卡口抓拍系统", department=dept_a, source="usage"
        ),
        "b": ShadowSystem.objects.create(name="社保自助终端", department=dept_b, source="usage"),
    }


@pytest.mark.parametrize("role", ["admin_user", "reviewer", "auditor"])
def test_given_an_overseer_when_the_shadow_list_opens_then_every_shadow_shows(
    request, client_for, shadows, role
):
    response = client_for(request.getfixturevalue(role)).get(reverse("inventory:shadow_list"))
    assert {shadow.name for shadow, _form in response.context["rows"]} == {
        "车辆卡口抓拍系统",
        "社保自助终端",
    }


def test_given_a_department_when_it_opens_the_shadow_list_then_it_reads_only_its_own(
    client_for, officer_b, shadows
):
    response = client_for(officer_b).get(reverse("inventory:shadow_list"))
    rows = response.context["rows"]
    assert [shadow.name for shadow, _form in rows] == ["社保自助终端"]
    assert rows[0][1] is None  # and cannot resolve it


def shadow_post(shadow, **values) -> dict[str, object]:
    return {f"shadow-{shadow.pk}-{name}": value for name, value in values.items()}


def test_given_anonymous_when_resolving_a_shadow_then_login_is_asked(client, shadows):
    shadow = shadows["a"]
    response = client.post(
        reverse("inventory:shadow_resolve", args=[shadow.pk]),
        shadow_post(shadow, status="registered"),
    )
    assert_login_redirect(response)


@pytest.mark.parametrize(
    ("role", "status"), [("officer_a", 403), ("auditor", 403), ("officer_b", 404)]
)
def test_given_no_authority_when_resolving_a_shadow_then_it_is_refused_and_unchanged(
    request, client_for, shadows, role, status
):
    shadow = shadows["a"]
    response = client_for(request.getfixturevalue(role)).post(
        reverse("inventory:shadow_resolve", args=[shadow.pk]),
        shadow_post(shadow, status="registered"),
    )
    shadow.refresh_from_db()
    assert response.status_code == status and shadow.status == "open"


def test_given_the_authority_when_it_resolves_a_shadow_then_the_status_changes(
    client_for, reviewer, shadows
):
    shadow = shadows["a"]
    client = client_for(reviewer)
    refused = client.post(
        reverse("inventory:shadow_resolve", args=[shadow.pk]),
        shadow_post(shadow, status="dismissed", note=""),
    )
    shadow.refresh_from_db()
    assert refused.status_code == 400 and "note" in refused.context["form"].errors
    assert shadow.status == "open"
    done = client.post(
        reverse("inventory:shadow_resolve", args=[shadow.pk]),
        shadow_post(shadow, status="registered", note="已补录普查"),
    )
    shadow.refresh_from_db()
    assert done.status_code == 302 and shadow.status == "registered"


# --- a flagged system retired or merged: one definition everywhere --------------------------


def zombie_figures(user, department_id=None) -> dict[str, object]:
    """The zombie count as each place shows it: the indicators, the home page, the list."""
    home = {str(f.label): f.value for f in inventory_figures(user, department_id)}
    report = indicator_values(user)
    return {
        "indicators": {i.key: i.value for i in report.totals}["zombies"],
        "home": home["Flagged as zombie"],
        "list": len(zombie_rows(user)),
        "flagged in the census list": system_list(user, is_zombie=True).count(),
    }


@pytest.mark.parametrize(("lifecycle", "merged_into"), [("retired", None), ("merged", "big")])
def test_given_a_flagged_system_when_it_is_retired_or_merged_then_every_figure_drops_at_once(
    client_for, reviewer, officer_a, dept_a, flagged, lifecycle, merged_into
):
    # Given: three flagged systems, two of them dept_a's.
    duplicate = flagged["duplicate"]
    with translation.override("en"):
        assert set(zombie_figures(reviewer).values()) == {3}
        assert set(zombie_figures(officer_a, dept_a.pk).values()) == {2}

    # When: dept_a's officer retires (or merges) one, and nobody re-assesses.
    target = flagged[merged_into] if merged_into else None
    system_set_lifecycle(actor=officer_a, system=duplicate, lifecycle=lifecycle, merged_into=target)

    # Then: the indicators, the home figure, the clean-up list and the census list agree …
    with translation.override("en"):
        assert set(zombie_figures(reviewer).values()) == {2}
        assert set(zombie_figures(officer_a, dept_a.pk).values()) == {1}
    by_department = {row.department_id: row for row in indicator_values(reviewer).departments}
    assert {i.key: i.value for i in by_department[dept_a.pk].indicators}["zombies"] == 1
    # … the list offers no decision on it, and its page carries no zombie badge or evidence.
    page = client_for(reviewer).get(reverse("inventory:zombie_list"))
    assert duplicate.name not in listed(page)
    assert f'action="{decide_url(duplicate)}"' not in page.content.decode()
    detail = client_for(officer_a).get(reverse("inventory:system_detail", args=[duplicate.pk]))
    assert not list(detail.context["findings"]) and b"data-zombie" not in detail.content
    # The assessment that flagged it is kept as it was (history, not rewritten).
    assert ZombieFinding.objects.filter(system=duplicate).exists()


def test_given_a_retired_flagged_system_when_the_authority_decides_on_it_then_it_is_refused(
    client_for, reviewer, officer_a, flagged
):
    unused = flagged["unused"]
    system_set_lifecycle(actor=officer_a, system=unused, lifecycle="retired")

    response = client_for(reviewer).post(
        decide_url(unused), decision(unused, decision="keep", reason="还在用")
    )

    assert response.status_code == 400 and not CleanupRecord.objects.exists()
    assert response.context["form"].errors["decision"]


def test_given_a_stopped_flagged_system_then_it_stays_a_zombie_everywhere(
    reviewer, officer_a, dept_a, flagged
):
    # A stopped system may be put back in use: its clean-up is not done, so it still counts
    # (the home figure used to leave it out while the indicators counted it).
    system_set_lifecycle(actor=officer_a, system=flagged["unused"], lifecycle="stopped")

    with translation.override("en"):
        assert set(zombie_figures(reviewer).values()) == {3}
        assert set(zombie_figures(officer_a, dept_a.pk).values()) == {2}


def test_the_clean_up_decision_is_not_labelled_as_a_review_comment(client_for, reviewer, flagged):
    # "Decision" alone reads 审核意见 (a review's comments); a clean-up decision has its context.
    page = client_for(reviewer).get(reverse("inventory:zombie_list")).content.decode()
    headers = re.findall(r"<th>([^<]*)</th>", page)
    assert gettext("Decision") not in headers
    assert pgettext("clean-up", "Decision") in headers
