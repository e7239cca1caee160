"""The project's model multiple choice: ids out of the column's range are refused, not a 500."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from govshare.core.forms import ModelMultipleChoiceField
from govshare.orgs.models import Department
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def field() -> ModelMultipleChoiceField:
    return ModelMultipleChoiceField(Department.objects.all())


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("-99999999999999999999", "invalid_choice"),
        (str(2**63), "invalid_choice"),
        (str(-(2**63) - 1), "invalid_choice"),
        ("abc", "invalid_pk_value"),
        ("1.5", "invalid_pk_value"),
        (str(2**63 - 1), "invalid_choice"),  # in range, but no such department
    ],
)
def test_given_an_id_no_department_has_when_cleaned_then_it_is_refused_with_a_code(
    field, value, code
):
    # given a department, and a value that is not its id
    department = DepartmentFactory()

    # when the value is cleaned along with the department's id
    with pytest.raises(ValidationError) as refused:
        field.clean([str(department.pk), value])

    # then the field's own error is raised, never a database error
    assert refused.value.code == code


def test_given_ids_in_range_when_cleaned_then_the_departments_are_chosen(field):
    first, second = DepartmentFactory(), DepartmentFactory()

    chosen = field.clean([str(first.pk), str(second.pk)])

    assert set(chosen) == {first, second}


def test_given_a_text_key_when_a_long_number_is_chosen_then_it_is_only_an_unknown_choice():
    # given a field keyed by a text column (no integer range applies)
    department = DepartmentFactory()
    field = ModelMultipleChoiceField(Department.objects.all(), to_field_name="uscc")

    # when a long number is chosen with the department's key, then only the number is unknown
    assert list(field.clean([department.uscc])) == [department]
    with pytest.raises(ValidationError) as refused:
        field.clean([department.uscc, "99999999999999999999"])
    assert refused.value.code == "invalid_choice"
