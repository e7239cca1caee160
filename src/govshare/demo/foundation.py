"""The foundation's demo steps: regions, departments and users for every role."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model

from govshare.core.actors import Actor
from govshare.demo.city import DEMO_PASSWORD, DEPARTMENTS, REGIONS, USERS, department_uscc
from govshare.identity.services import user_create
from govshare.orgs.models import Department, Membership, Region
from govshare.orgs.services import DepartmentData, department_create, membership_add, region_create

Say = Callable[[str], None]


def load_regions(actor: Actor, say: Say) -> None:
    created = 0
    for code, name, level, parent_code in REGIONS:
        if Region.objects.filter(code=code).exists():
            continue
        parent = Region.objects.get(code=parent_code) if parent_code else None
        region_create(actor=actor, code=code, name=name, level=level, parent=parent)
        created += 1
    say(f"regions: {created} created, {Region.objects.count()} in all")


def load_departments(actor: Actor, say: Say) -> None:
    created = 0
    for index, (key, name, short_name, kind, region_code, parent_key) in enumerate(DEPARTMENTS):
        if Department.objects.filter(name=name).exists():
            continue
        parent = _department(parent_key) if parent_key else None
        data = DepartmentData(
            name=name,
            short_name=short_name,
            uscc=department_uscc(index),
            region=Region.objects.get(code=region_code),
            kind=kind,
            parent=parent,
            is_sharing_authority=key == "dsj",
            contact_name=f"{short_name}数据专员",
            contact_phone=f"0536-88{index:02d}1234",
        )
        department_create(actor=actor, data=data)
        created += 1
    say(f"departments: {created} created, {Department.objects.count()} in all")


def _department(key: str) -> Department:
    name = next(entry[1] for entry in DEPARTMENTS if entry[0] == key)
    return Department.objects.get(name=name)


def load_users(actor: Actor, say: Say) -> None:
    User = get_user_model()
    for username, full_name, roles in USERS:
        user = User.objects.filter(username=username).first() or user_create(
            actor=actor,
            username=username,
            password=DEMO_PASSWORD,
            full_name=full_name,
            is_superuser=False,
        )
        for department_key, role in roles:
            department = _department(department_key)
            if not Membership.objects.filter(user=user, department=department, role=role).exists():
                membership_add(actor=actor, user=user, department=department, role=role)
    say("demo accounts (password for all: " + DEMO_PASSWORD + "):")
    for username, full_name, roles in USERS:
        held = ", ".join(f"{_department(key).display_name}/{role}" for key, role in roles)
        say(f"  {username:<12} {full_name:<6} {held}")
