"""Every rule of 编制指南 item 5 has a test that fails without it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from govshare.catalog.models import Category, Resource
from govshare.catalog.services import resource_create
from tests.catalog.factories import items_data, resource_data

pytestmark = pytest.mark.django_db


def _rule_codes(officer, provider, data=None, items=None) -> dict[str, set[str]]:
    with pytest.raises(ValidationError) as caught:
        resource_create(
            actor=officer,
            provider=provider,
            data=data or resource_data(),
            items=items_data() if items is None else items,
        )
    assert not Resource.objects.exists()
    return {field: {e.code for e in errors} for field, errors in caught.value.error_dict.items()}


def test_a_valid_draft_is_accepted(officer_a, dept_a):
    resource = resource_create(
        actor=officer_a, provider=dept_a, data=resource_data(), items=items_data()
    )
    assert resource.working_version.grade == "important"  # the highest of its items


def test_conditional_sharing_states_its_condition(officer_a, dept_a):
    codes = _rule_codes(officer_a, dept_a, resource_data(share_condition=" "))
    assert codes["share_condition"] == {"condition_required"}


def test_not_shared_cites_a_basis(officer_a, dept_a):
    data = resource_data(
        category=Category.objects.get(code="201"), share_type="not_shared", share_condition=""
    )
    items = items_data(*[{"share_type": "not_shared"}] * 3)
    assert _rule_codes(officer_a, dept_a, data, items)["share_basis"] == {"basis_required"}


def test_open_resources_state_the_open_condition(officer_a, dept_a):
    codes = _rule_codes(officer_a, dept_a, resource_data(is_open=True))
    assert codes["open_condition"] == {"open_condition_required"}


def test_base_resources_are_never_not_shared(officer_a, dept_a):
    data = resource_data(share_type="not_shared", share_basis="《某条例》第十条")
    items = items_data(*[{"share_type": "not_shared"}] * 3)
    assert _rule_codes(officer_a, dept_a, data, items)["share_type"] == {"base_must_share"}


@pytest.mark.parametrize(
    ("format_class", "mode"), [("document", "api"), ("database", "file"), ("service", "table")]
)
def test_format_and_share_mode_agree(officer_a, dept_a, format_class, mode):
    data = resource_data(format_class=format_class, share_mode_type=mode)
    assert "format_mode_mismatch" in _rule_codes(officer_a, dept_a, data)["share_mode_type"]


def test_an_item_is_never_looser_than_its_resource(officer_a, dept_a):
    codes = _rule_codes(officer_a, dept_a, items=items_data({}, {"share_type": "unconditional"}))
    assert codes["items.2.share_type"] == {"item_looser"}


def test_a_core_item_is_neither_unconditional_nor_open(officer_a, dept_a):
    data = resource_data(
        share_type="unconditional", share_condition="", is_open=True, open_condition="脱敏后开放"
    )
    items = items_data(*[{"share_type": "unconditional"}] * 3)
    items[0].update(grade="core")
    items[1].update(grade="core", share_type="conditional", is_open=True)
    codes = _rule_codes(officer_a, dept_a, data, items)
    assert codes["items.1.grade"] == {"core_exposed"} and codes["items.2.grade"] == {"core_exposed"}


def test_database_resources_list_their_items(officer_a, dept_a):
    assert _rule_codes(officer_a, dept_a, items=[])["items"] == {"items_required"}


def test_item_identifiers_are_ascii_and_unique(officer_a, dept_a):
    codes = _rule_codes(
        officer_a, dept_a, items=items_data({}, {"identifier": "姓名"}, {"identifier": "gmsfhm"})
    )
    assert codes["items.2.identifier"] == {"identifier"}
    assert codes["items.3.identifier"] == {"duplicate"}


def test_names_are_unique_per_provider(officer_a, dept_a):
    resource_create(actor=officer_a, provider=dept_a, data=resource_data(), items=items_data())
    with pytest.raises(ValidationError) as caught:
        resource_create(actor=officer_a, provider=dept_a, data=resource_data(), items=items_data())
    assert caught.value.error_dict["name"][0].code == "duplicate"


def test_all_errors_come_together(officer_a, dept_a):
    data = resource_data(share_condition="", is_open=True)
    codes = _rule_codes(officer_a, dept_a, data, items_data({}, {"share_type": "unconditional"}))
    assert {"share_condition", "open_condition", "items.2.share_type"} <= set(codes)
