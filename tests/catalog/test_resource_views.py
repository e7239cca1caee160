"""Resource pages: who sees which version, the tabs, the form with its item rows, and the
matrix of every write (anonymous, other department, staff, data officer)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from govshare.catalog.models import DataItem, Mount, Resource, ResourceVersion
from govshare.catalog.services import (
    resource_create,
    resource_review,
    resource_start_change,
    resource_submit,
    version_update,
)
from govshare.core.models import AuditEvent
from tests.catalog.factories import items_data, resource_data
from tests.inventory.factories import SystemFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("identity:login")
READERS = ["admin_user", "reviewer", "auditor", "officer_a", "staff_a"]
# Fields with a default, which the form shows preselected and the browser posts back.
ITEM_DEFAULTS = {"grade": "general_1", "masking": "none"}


def assert_login_redirect(response) -> None:
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


def _value(value) -> str | None:
    if isinstance(value, bool):
        return "on" if value else None
    if hasattr(value, "pk"):
        return str(value.pk)
    return None if value is None else str(value)


def form_post(data: dict, items: list[dict], *, provider=None, initial_items: int = 0) -> dict:
    """The resource form as the browser posts it: metadata, then the ``items`` formset."""
    posted: dict[str, str] = {}
    if provider is not None:
        posted["provider"] = str(provider.pk)
    for name, value in data.items():
        if name == "source_systems":
            continue
        if (shown := _value(value)) is not None:
            posted[name] = shown
    posted.update(
        {
            "items-TOTAL_FORMS": str(len(items)),
            "items-INITIAL_FORMS": str(initial_items),
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
        }
    )
    for index, item in enumerate(items):
        for name, value in {**ITEM_DEFAULTS, **item}.items():
            if (shown := _value(value)) is not None:
                posted[f"items-{index}-{name}"] = shown
    return posted


def with_systems(posted: dict, systems) -> dict:
    """Multi-valued ``source_systems`` (the test client posts a list as repeated keys)."""
    return {**posted, "source_systems": [str(s.pk) for s in systems]}


@pytest.fixture
def draft(officer_a, dept_a):
    return resource_create(
        actor=officer_a, provider=dept_a, data=resource_data(), items=items_data()
    )


@pytest.fixture
def published(officer_a, reviewer, dept_a):
    resource = resource_create(
        actor=officer_a,
        provider=dept_a,
        data=resource_data(name="法人基本信息"),
        items=items_data(),
    )
    resource_submit(actor=officer_a, resource=resource)
    return resource_review(actor=reviewer, resource=resource, approve=True)


def detail_url(resource, **query) -> str:
    url = reverse("catalog:resource_detail", args=[resource.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


# --- the resource page ----------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_given_a_draft_when_a_reader_of_its_department_opens_it_then_every_tab_renders(
    request, client_for, draft, role
):
    response = client_for(request.getfixturevalue(role)).get(detail_url(draft))
    assert response.status_code == 200
    page = response.content.decode()
    for tab in ("basics", "items", "mounts", "versions", "requests", "audit"):
        assert f'id="gs-tab-{tab}"' in page
    assert 'data-resource-code=""' in page  # not yet coded
    assert 'data-category="101001"' in page and 'data-category="1"' in page


def test_given_a_draft_when_another_department_opens_it_then_it_is_not_found(
    client_for, officer_b, draft
):
    assert client_for(officer_b).get(detail_url(draft)).status_code == 404


def test_given_anonymous_when_the_page_opens_then_it_redirects_to_login(client, draft):
    assert_login_redirect(client.get(detail_url(draft)))


def test_given_a_change_in_progress_when_another_department_reads_then_only_published_shows(
    client_for, officer_a, officer_b, published
):
    resource_start_change(actor=officer_a, resource=published)
    version_update(
        actor=officer_a,
        resource=published,
        data=resource_data(name="法人基本信息", summary="尚未审核的新摘要"),
        items=items_data(),
    )
    client = client_for(officer_b)
    response = client.get(detail_url(published))
    assert response.status_code == 200
    assert [v.number for v in response.context["versions"]] == [1]
    assert response.context["version"].number == 1
    assert response.context["working"] is None
    assert "尚未审核的新摘要" not in response.content.decode()
    assert {event.action for event, _label in response.context["events"]} == {
        "create",
        "submit",
        "approve",
    }
    assert client.get(detail_url(published, version=2)).status_code == 404
    # while the provider sees the change, and is told about it
    own = client_for(officer_a).get(detail_url(published))
    assert own.context["working"].number == 2
    assert (
        "尚未审核的新摘要"
        in client_for(officer_a).get(detail_url(published, version=2)).content.decode()
    )


def test_given_a_published_resource_then_its_code_and_coloured_share_types_show(
    client_for, officer_b, published
):
    page = client_for(officer_b).get(detail_url(published)).content.decode()
    assert f'data-resource-code="{published.code}"' in page
    assert 'class="badge text-bg-warning" data-share-type="conditional"' in page


def test_given_an_item_longer_than_its_element_then_the_mismatch_is_flagged(
    client_for, officer_a, dept_a
):
    resource = resource_create(
        actor=officer_a,
        provider=dept_a,
        data=resource_data(),
        items=items_data({"length": 20}),
    )
    response = client_for(officer_a).get(detail_url(resource))
    item, mismatches = response.context["item_rows"][0]
    assert item.identifier == "GMSFHM" and mismatches
    assert "data-element-mismatch" in response.content.decode()
    assert response.context["item_rows"][1][1] == []


def test_given_mounts_then_the_provider_sees_every_slot_and_others_do_not(
    client_for, officer_a, officer_b, published
):
    Mount.objects.create(resource=published, kind="api", status="failing", last_error="超时")
    slots = client_for(officer_a).get(detail_url(published)).context["mount_slots"]
    assert [(slot.kind, slot.status) for slot in slots] == [
        ("table", "unmounted"),
        ("api", "failing"),
        ("files", "unmounted"),
    ]
    other = client_for(officer_b).get(detail_url(published))
    assert other.context["mount_slots"] is None
    assert "超时" not in other.content.decode()


def test_given_audit_events_then_the_provider_reads_them_and_another_department_does_not(
    client_for, officer_a, officer_b, published
):
    actions = {
        e.action for e in client_for(officer_a).get(detail_url(published)).context["history"]
    }
    assert {"catalog.resource.create", "catalog.resource.approve"} <= actions
    assert client_for(officer_b).get(detail_url(published)).context["history"] == []


@pytest.mark.parametrize(
    ("role", "buttons"),
    [
        ("officer_a", {"gs-resource-edit", "gs-resource-submit", "gs-resource-withdraw"}),
        ("staff_a", set()),
        ("reviewer", set()),
    ],
)
def test_given_a_draft_then_each_role_sees_its_own_actions(
    request, client_for, draft, role, buttons
):
    page = client_for(request.getfixturevalue(role)).get(detail_url(draft)).content.decode()
    every = {"gs-resource-edit", "gs-resource-submit", "gs-resource-withdraw", "gs-resource-change"}
    assert {b for b in every if f'id="{b}"' in page} == buttons
    assert 'id="gs-review-form"' not in page


def test_given_a_submitted_version_then_only_the_authority_sees_the_review_form(
    client_for, officer_a, reviewer, draft
):
    resource_submit(actor=officer_a, resource=draft)
    assert 'id="gs-review-form"' in client_for(reviewer).get(detail_url(draft)).content.decode()
    assert (
        'id="gs-review-form"' not in client_for(officer_a).get(detail_url(draft)).content.decode()
    )


# --- drafting -------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("officer_a", 200), ("admin_user", 200)])
def test_given_a_role_that_drafts_when_the_form_opens_then_it_renders(
    request, client_for, role, status
):
    response = client_for(request.getfixturevalue(role)).get(reverse("catalog:resource_create"))
    assert response.status_code == status
    page = response.content.decode()
    assert 'id="gs-item-template"' in page and "catalog-items.js" in page
    assert "<script>" not in page  # CSP: no inline script
    codes = [c.code for c in response.context["form"].fields["category"].queryset]
    assert "1" not in codes and "101" in codes and "101001" in codes


@pytest.mark.parametrize("role", ["staff_a", "reviewer", "auditor"])
def test_given_a_role_that_does_not_draft_when_the_form_opens_then_it_is_forbidden(
    request, client_for, dept_a, role
):
    url = reverse("catalog:resource_create")
    client = client_for(request.getfixturevalue(role))
    assert client.get(url).status_code == 403
    assert (
        client.post(url, form_post(resource_data(), items_data(), provider=dept_a)).status_code
        == 403
    )
    assert not Resource.objects.exists()


def test_given_another_departments_officer_when_drafting_for_dept_a_then_nothing_is_created(
    client_for, officer_b, dept_a, dept_b
):
    response = client_for(officer_b).post(
        reverse("catalog:resource_create"),
        form_post(resource_data(), items_data(), provider=dept_a),
    )
    assert response.status_code == 200 and "provider" in response.context["form"].errors
    assert list(response.context["form"].fields["provider"].queryset) == [dept_b]
    assert not Resource.objects.exists()


def test_given_anonymous_when_drafting_then_it_redirects_to_login(client, dept_a):
    url = reverse("catalog:resource_create")
    assert_login_redirect(
        client.post(url, form_post(resource_data(), items_data(), provider=dept_a))
    )
    assert not Resource.objects.exists()


def test_given_a_data_officer_when_they_draft_then_the_resource_and_items_are_saved(
    client_for, officer_a, dept_a
):
    system = SystemFactory(department=dept_a, lifecycle="in_use")
    posted = with_systems(form_post(resource_data(), items_data(), provider=dept_a), [system])
    response = client_for(officer_a).post(reverse("catalog:resource_create"), posted)
    resource = Resource.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(resource)
    version = resource.working_version
    assert resource.provider == dept_a and version.share_type == "conditional"
    assert list(version.items.values_list("identifier", flat=True)) == ["GMSFHM", "XM", "XBDM"]
    assert version.items.get(identifier="GMSFHM").element.identifier == "GMSFHM"
    assert list(version.source_systems.all()) == [system]


def test_given_the_rules_fail_then_each_message_is_on_its_field_and_item_row(
    client_for, officer_a, dept_a
):
    data = resource_data(share_condition="")
    items = items_data({}, {"share_type": "unconditional"})
    response = client_for(officer_a).post(
        reverse("catalog:resource_create"), form_post(data, items, provider=dept_a)
    )
    assert response.status_code == 200
    form, formset = response.context["form"], response.context["formset"]
    assert "share_condition" in form.errors
    assert "share_type" in formset.forms[1].errors
    assert not formset.forms[0].errors and not formset.forms[2].errors
    page = response.content.decode()
    assert 'data-item-row="1" class="table-warning" data-item-errors' in page
    assert not Resource.objects.exists()


def test_given_a_removed_and_a_blank_row_then_errors_still_land_on_the_right_row(
    client_for, officer_a, dept_a
):
    items = items_data({}, {}, {"share_type": "unconditional"})
    items[0]["DELETE"] = True  # removed in the browser: not sent, so XBDM is item 2
    items.append({})  # an added row left blank
    response = client_for(officer_a).post(
        reverse("catalog:resource_create"), form_post(resource_data(), items, provider=dept_a)
    )
    formset = response.context["formset"]
    assert response.status_code == 200
    assert "share_type" in formset.forms[2].errors
    assert not formset.forms[1].errors and not formset.forms[3].errors


def test_given_no_items_for_a_database_then_the_message_sits_above_the_item_table(
    client_for, officer_a, dept_a
):
    response = client_for(officer_a).post(
        reverse("catalog:resource_create"), form_post(resource_data(), [], provider=dept_a)
    )
    assert response.status_code == 200
    assert response.context["editor"].items_errors
    assert 'id="gs-items-errors"' in response.content.decode()


def test_given_systems_then_only_the_providers_live_systems_are_offered(
    client_for, officer_a, dept_a, dept_b
):
    live = SystemFactory(department=dept_a, lifecycle="in_use")
    SystemFactory(department=dept_a, lifecycle="retired")
    foreign = SystemFactory(department=dept_b, lifecycle="in_use")
    client = client_for(officer_a)
    offered = client.get(reverse("catalog:resource_create")).context["form"].fields
    assert list(offered["source_systems"].queryset) == [live]
    posted = with_systems(form_post(resource_data(), items_data(), provider=dept_a), [foreign])
    response = client.post(reverse("catalog:resource_create"), posted)
    assert response.status_code == 200 and "source_systems" in response.context["form"].errors
    assert not Resource.objects.exists()


# --- editing --------------------------------------------------------------------------------


def edit_post(resource, **overrides) -> dict:
    version = resource.working_version
    items = [
        {
            name: getattr(item, name)
            for name in (
                "name",
                "identifier",
                "data_type",
                "length",
                "description",
                "share_type",
                "is_open",
                "grade",
                "is_personal",
                "masking",
                "element",
            )
        }
        for item in version.items.order_by("position")
    ]
    return form_post(resource_data(**overrides), items, initial_items=len(items))


def test_given_a_draft_when_its_officer_edits_it_then_the_version_changes(
    client_for, officer_a, draft
):
    client = client_for(officer_a)
    url = reverse("catalog:resource_edit", args=[draft.pk])
    page = client.get(url)
    assert page.context["form"]["update_cycle"].value() == "daily"
    element = page.context["formset"].forms[0]["element"]
    assert str(element.value()) == str(draft.working_version.items.get(position=1).element_id)
    assert "selected>公民身份号码" in page.content.decode()
    response = client.post(url, edit_post(draft, update_cycle="monthly"))
    assert response.status_code == 302
    draft.working_version.refresh_from_db()
    assert draft.working_version.update_cycle == "monthly"
    assert draft.working_version.items.count() == 3


@pytest.mark.parametrize(
    ("role", "status"),
    [("officer_b", 404), ("staff_a", 403), ("reviewer", 403), ("auditor", 403)],
)
def test_given_someone_else_when_they_edit_a_draft_then_it_is_refused_and_unchanged(
    request, client_for, draft, role, status
):
    url = reverse("catalog:resource_edit", args=[draft.pk])
    client = client_for(request.getfixturevalue(role))
    assert client.get(url).status_code == status
    assert client.post(url, edit_post(draft, update_cycle="monthly")).status_code == status
    assert ResourceVersion.objects.get().update_cycle == "daily"


def test_given_anonymous_when_editing_then_it_redirects_and_nothing_changes(client, draft):
    url = reverse("catalog:resource_edit", args=[draft.pk])
    assert_login_redirect(client.post(url, edit_post(draft, update_cycle="monthly")))
    assert ResourceVersion.objects.get().update_cycle == "daily"


def test_given_a_published_resource_without_a_change_then_editing_sends_back(
    client_for, officer_a, officer_b, published
):
    url = reverse("catalog:resource_edit", args=[published.pk])
    response = client_for(officer_a).get(url)
    assert response.status_code == 302 and response["Location"] == detail_url(published)
    assert client_for(officer_b).get(url).status_code == 403  # readable, not theirs


def test_given_a_returned_version_then_the_form_shows_the_comments(
    client_for, officer_a, reviewer, draft
):
    resource_submit(actor=officer_a, resource=draft)
    resource_review(actor=reviewer, resource=draft, approve=False, note="请补充更新周期说明")
    page = client_for(officer_a).get(reverse("catalog:resource_edit", args=[draft.pk]))
    assert "请补充更新周期说明" in page.content.decode()


# Below and above the 64-bit range of the id columns, and its first value above.
HUGE_IDS = ["-99999999999999999999", "99999999999999999999", str(2**63)]


def stored_resources() -> tuple:
    """Every row the form could write: resources, versions, their systems and items, the audit."""
    tables = [Resource, ResourceVersion, ResourceVersion.source_systems.through, DataItem]
    rows = tuple(list(table.objects.order_by("pk").values_list()) for table in tables)
    return (*rows, AuditEvent.objects.count())


@pytest.mark.parametrize("huge", HUGE_IDS)
@pytest.mark.parametrize(
    ("page", "field"),
    [("create", "source_systems"), ("edit", "source_systems"), ("create", "provider")],
)
def test_given_an_id_out_of_range_when_posted_then_the_choice_is_refused_and_nothing_written(
    client_for, officer_a, dept_a, draft, page, field, huge
):
    # given a valid form, but for one choice an id that no id column can hold
    system = SystemFactory(department=dept_a, lifecycle="in_use")
    if page == "create":
        url = reverse("catalog:resource_create")
        posted = with_systems(form_post(resource_data(), items_data(), provider=dept_a), [system])
    else:
        url = reverse("catalog:resource_edit", args=[draft.pk])
        posted = with_systems(edit_post(draft, update_cycle="monthly"), [system])
    posted[field] = [huge] if field == "source_systems" else huge
    before = stored_resources()

    # when it is posted
    response = client_for(officer_a).post(url, posted)

    # then the form comes back with the field's "select a valid choice" error (a refused form
    # is shown again with 200 on this page), and nothing is written
    assert response.status_code == 200
    form = response.context["form"]
    with translation.override("zh-hans"):
        expected = str(form.fields[field].error_messages["invalid_choice"]) % {"value": huge}
        assert list(form.errors) == [field] and form.errors[field] == [expected]
    assert expected.startswith("请选择有效的选项")  # our catalogue corrects Django's
    assert stored_resources() == before


# --- submit, change, withdraw ---------------------------------------------------------------


def post_action(client, name, resource, **data):
    return client.post(reverse(f"catalog:resource_{name}", args=[resource.pk]), data)


def test_given_anonymous_when_acting_then_every_action_redirects_and_nothing_changes(
    client, draft, published
):
    for name, resource in (("submit", draft), ("change", published), ("withdraw", published)):
        assert_login_redirect(post_action(client, name, resource, reason="不再采集"))
    assert Resource.objects.get(pk=draft.pk).status == "draft"
    assert Resource.objects.get(pk=published.pk).status == "published"
    assert ResourceVersion.objects.count() == 2


@pytest.mark.parametrize(
    ("role", "status"), [("officer_b", 404), ("staff_a", 403), ("reviewer", 403)]
)
def test_given_someone_else_when_they_submit_a_draft_then_it_is_refused(
    request, client_for, draft, role, status
):
    response = post_action(client_for(request.getfixturevalue(role)), "submit", draft)
    assert response.status_code == status
    assert ResourceVersion.objects.get().status == "draft"


def test_given_the_officer_when_they_submit_then_the_version_waits_for_review(
    client_for, officer_a, draft
):
    response = post_action(client_for(officer_a), "submit", draft)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.working_version.status == "submitted"


def test_given_a_submitted_version_when_submitted_again_then_the_conflict_is_shown(
    client_for, officer_a, draft
):
    client = client_for(officer_a)
    post_action(client, "submit", draft)
    url = reverse("catalog:resource_submit", args=[draft.pk])
    response = client.post(url, follow=True)
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"
    assert draft.events.filter(action="submit").count() == 1


@pytest.mark.parametrize(
    ("role", "status"), [("officer_b", 403), ("staff_a", 403), ("reviewer", 403)]
)
def test_given_someone_else_when_they_start_a_change_then_it_is_refused(
    request, client_for, published, role, status
):
    response = post_action(client_for(request.getfixturevalue(role)), "change", published)
    assert response.status_code == status
    assert ResourceVersion.objects.count() == 1


def test_given_the_officer_when_they_start_a_change_then_version_2_opens_in_the_form(
    client_for, officer_a, published
):
    response = post_action(client_for(officer_a), "change", published)
    assert response["Location"] == reverse("catalog:resource_edit", args=[published.pk])
    published.refresh_from_db()
    assert published.working_version.number == 2 and published.current_version.number == 1


@pytest.mark.parametrize(
    ("role", "status"), [("officer_b", 403), ("staff_a", 403), ("reviewer", 403)]
)
def test_given_someone_else_when_they_withdraw_then_it_is_refused(
    request, client_for, published, role, status
):
    client = client_for(request.getfixturevalue(role))
    assert post_action(client, "withdraw", published, reason="不再采集").status_code == status
    assert Resource.objects.get().status == "published"


def test_given_no_reason_when_withdrawing_then_the_reason_field_says_so(
    client_for, officer_a, published
):
    response = post_action(client_for(officer_a), "withdraw", published, reason=" ")
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    assert Resource.objects.get().status == "published"


def test_given_a_reason_when_the_officer_withdraws_then_the_resource_is_withdrawn(
    client_for, officer_a, published
):
    response = post_action(client_for(officer_a), "withdraw", published, reason="职能调整")
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.status == "withdrawn" and published.withdrawn_reason == "职能调整"
    page = client_for(officer_a).get(detail_url(published)).content.decode()
    assert 'id="gs-withdrawn"' in page and "职能调整" in page


def test_a_get_on_an_action_leads_back_to_the_resource(client_for, officer_a, draft):
    response = client_for(officer_a).get(reverse("catalog:resource_submit", args=[draft.pk]))
    assert response.status_code == 302 and response["Location"] == detail_url(draft)
    draft.refresh_from_db()
    assert draft.status == "draft"


# --- version diff ---------------------------------------------------------------------------


@pytest.fixture
def changed(officer_a, reviewer, published):
    """Version 2: monthly instead of daily, XBDM removed, CSRQ added, XM made longer."""
    resource_start_change(actor=officer_a, resource=published)
    items = items_data({}, {"length": 80})[:2] + [
        {
            "name": "出生日期",
            "identifier": "CSRQ",
            "data_type": "D",
            "share_type": "conditional",
            "grade": "general_2",
        }
    ]
    version_update(
        actor=officer_a,
        resource=published,
        data=resource_data(name="法人基本信息", update_cycle="monthly"),
        items=items,
    )
    return published


def test_given_two_versions_then_the_diff_shows_the_changed_field_and_items(
    client_for, officer_a, changed
):
    url = reverse("catalog:version_diff", args=[changed.pk])
    response = client_for(officer_a).get(url, {"a": 1, "b": 2})
    assert response.status_code == 200
    diff = response.context["diff"]
    assert [f.name for f in diff.fields] == ["update_cycle"]
    assert diff.fields[0].before != diff.fields[0].after
    kinds = {(i.identifier, i.kind) for i in diff.items}
    assert kinds == {("XBDM", "removed"), ("CSRQ", "added"), ("XM", "changed")}
    xm = next(i for i in diff.items if i.identifier == "XM")
    assert [(f.name, f.before, f.after) for f in xm.fields] == [("length", "50", "80")]
    page = response.content.decode()
    assert 'data-field="update_cycle"' in page and 'data-item-change="added"' in page


def test_given_no_numbers_then_the_diff_compares_the_newest_with_the_one_before(
    client_for, officer_a, changed
):
    response = client_for(officer_a).get(reverse("catalog:version_diff", args=[changed.pk]))
    diff = response.context["diff"]
    assert (diff.before.number, diff.after.number) == (1, 2)


def test_given_a_draft_version_then_another_department_cannot_diff_it(
    client_for, officer_b, changed
):
    url = reverse("catalog:version_diff", args=[changed.pk])
    client = client_for(officer_b)
    assert client.get(url, {"a": 1, "b": 2}).status_code == 404
    assert client.get(url, {"a": 1, "b": 1}).status_code == 200


def test_given_a_bad_number_then_the_diff_is_not_found(client_for, officer_a, changed):
    url = reverse("catalog:version_diff", args=[changed.pk])
    assert client_for(officer_a).get(url, {"a": "x", "b": 2}).status_code == 404
    assert client_for(officer_a).get(url, {"a": 9, "b": 2}).status_code == 404
