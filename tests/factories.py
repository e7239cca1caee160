"""Factories shared by every test package (factory_boy, no fixture files)."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from govshare.core.roles import Role
from govshare.orgs.models import Department, Membership, Region
from govshare.orgs.validators import org_code_check_digit, uscc_with_check

PASSWORD = "Test#Passw0rd-2026"


def make_uscc(n: int, series: str = "0077") -> str:
    """A valid USCC; tests pick numbers in the default series, the factory uses its own, so a
    long run of factory departments never collides with a test's chosen code."""
    body = f"{series}{n:0{8 - len(series)}d}"
    return uscc_with_check(f"11370700{body}{org_code_check_digit(body)}")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "370700"
    name = "潍坊市"
    level = "city"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试部门{n}")
    short_name = factory.Sequence(lambda n: f"部门{n}")
    uscc = factory.Sequence(lambda n: make_uscc(n + 1, series="5"))
    region = factory.SubFactory(RegionFactory)
    level = "city"
    kind = "government"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


def member(department: Department, role: str = Role.STAFF, **user_fields) -> object:
    """A user holding ``role`` in ``department``."""
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, department=department, role=role)
    return user
