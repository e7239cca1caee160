"""Writes of the orgs package: regions, departments and memberships.

Each service authorizes, validates (every error at once, naming the field and the rule), writes
in a transaction and records an audit event.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from govshare.core.actors import Actor, Person
from govshare.core.errors import ErrorCode, ErrorCollector
from govshare.core.evidence import audit
from govshare.core.permissions import require
from govshare.core.roles import Role
from govshare.orgs.choices import DepartmentKind, RegionLevel
from govshare.orgs.models import Department, Membership, Region
from govshare.orgs.roles import forget_principal
from govshare.orgs.validators import validate_region_code, validate_uscc

User = get_user_model()

CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email", "address")


def region_create(
    *, actor: Actor, code: str, name: str, level: str, parent: Region | None = None
) -> Region:
    """Add a region (行政区划) after checking its GB/T 2260 code."""
    require(actor, "add", Region)
    errors = ErrorCollector()
    code = (code or "").strip()
    if not (name or "").strip():
        errors.add("name", _("Name is required."), ErrorCode.REQUIRED)
    if level not in RegionLevel.values:
        errors.add("level", _("Level must be one of the listed values."), ErrorCode.INVALID)
    else:
        errors.check(validate_region_code, code, level, parent.code if parent else None)
    if code and Region.objects.filter(code=code).exists():
        errors.add(
            "code", _("Region code %(code)s already exists.") % {"code": code}, ErrorCode.DUPLICATE
        )
    errors.raise_if_any()
    with transaction.atomic():
        region = Region.objects.create(code=code, name=name.strip(), level=level, parent=parent)
        audit.record(
            actor=actor, action="orgs.region.create", obj=region, after=audit.snapshot(region)
        )
    return region


@dataclass
class DepartmentData:
    """The editable fields of a department (部门信息)."""

    name: str
    uscc: str
    region: Region | None
    kind: str
    short_name: str = ""
    level: str = ""
    parent: Department | None = None
    is_sharing_authority: bool = False
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    address: str = ""
    is_active: bool = True


def _validate_department(data: DepartmentData, instance: Department | None) -> DepartmentData:
    errors = ErrorCollector()
    data.name = (data.name or "").strip()
    if not data.name:
        errors.add("name", _("Name is required."), ErrorCode.REQUIRED)
    data.uscc = errors.check(validate_uscc, data.uscc or "") or data.uscc  # type: ignore[assignment]
    if data.region is None:
        errors.add("region", _("Region is required."), ErrorCode.REQUIRED)
    if data.kind not in DepartmentKind.values:
        errors.add("kind", _("Kind must be one of the listed values."), ErrorCode.INVALID)
    data.level = data.level or (data.region.level if data.region else "")
    if data.level not in RegionLevel.values:
        errors.add("level", _("Level must be one of the listed values."), ErrorCode.INVALID)
    others = Department.objects.all()
    if instance is not None:
        others = others.exclude(pk=instance.pk)
    if data.uscc and others.filter(uscc=data.uscc).exists():
        errors.add(
            "uscc",
            _("Another department already has unified social credit code %(code)s.")
            % {"code": data.uscc},
            ErrorCode.DUPLICATE,
        )
    if data.name and data.region and others.filter(region=data.region, name=data.name).exists():
        errors.add(
            "name",
            _("A department named %(name)s already exists in %(region)s.")
            % {"name": data.name, "region": data.region.name},
            ErrorCode.DUPLICATE,
        )
    _check_email(errors, data.contact_email)
    if instance and data.parent and _is_descendant_or_self(data.parent, instance):
        errors.add(
            "parent",
            _("A department cannot be placed under itself or its own sub-department."),
            ErrorCode.CONFLICT,  # the stored tree decides: a conflict (core.web.api)
        )
    errors.raise_if_any()
    return data


def _check_email(errors: ErrorCollector, email: str) -> None:
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.add("contact_email", _("Enter a valid email address."), ErrorCode.INVALID)


def _is_descendant_or_self(candidate: Department, department: Department) -> bool:
    node: Department | None = candidate
    while node is not None:
        if node.pk == department.pk:
            return True
        node = node.parent
    return False


def department_create(*, actor: Actor, data: DepartmentData) -> Department:
    """Register a department (部门)."""
    require(actor, "add", Department)
    data = _validate_department(data, None)
    with transaction.atomic():
        department = Department.objects.create(**asdict(data))
        audit.record(
            actor=actor,
            action="orgs.department.create",
            obj=department,
            department_id=department.pk,
            after=audit.snapshot(department),
        )
    return department


def department_update(*, actor: Actor, department: Department, data: DepartmentData) -> Department:
    """Change every field of a department (platform admins)."""
    require(actor, "change", department)
    data = _validate_department(data, department)
    return _save_department(actor, department, asdict(data), "orgs.department.update")


def department_update_contact(
    *, actor: Actor, department: Department, contact: dict[str, str]
) -> Department:
    """Change a department's contact details (its own data officer may do this)."""
    require(actor, "change_contact", department)
    errors = ErrorCollector()
    _check_email(errors, (contact.get("contact_email") or "").strip())
    errors.raise_if_any()
    values = {name: (contact.get(name) or "").strip() for name in CONTACT_FIELDS}
    return _save_department(actor, department, values, "orgs.department.update_contact")


def _save_department(
    actor: Actor, department: Department, values: dict[str, Any], action: str
) -> Department:
    with transaction.atomic():
        locked = Department.objects.select_for_update().get(pk=department.pk)
        before = audit.snapshot(locked)
        for name, value in values.items():
            setattr(locked, name, value)
        locked.save()
        audit.record(
            actor=actor,
            action=action,
            obj=locked,
            department_id=locked.pk,
            before=before,
            after=audit.snapshot(locked),
        )
    return locked


def membership_add(*, actor: Actor, user: Person, department: Department, role: str) -> Membership:
    """Give ``user`` a role in ``department`` (授予角色)."""
    require(actor, "add", Membership)
    errors = ErrorCollector()
    if role not in Role.values:
        errors.add("role", _("Role must be one of the listed values."), ErrorCode.INVALID)
    if not department.is_active:
        errors.add("department", _("The department is inactive."), ErrorCode.INVALID)
    if Membership.objects.filter(user=user, department=department, role=role).exists():
        errors.add(
            "role", _("The user already holds this role in this department."), ErrorCode.DUPLICATE
        )
    errors.raise_if_any()
    with transaction.atomic():
        membership = Membership.objects.create(user=user, department=department, role=role)
        audit.record(
            actor=actor,
            action="orgs.membership.create",
            obj=membership,
            department_id=department.pk,
            after=audit.snapshot(membership),
        )
    forget_principal(user)
    return membership


def membership_remove(*, actor: Actor, membership: Membership) -> None:
    """Take a role away (撤销角色)."""
    require(actor, "delete", membership)
    with transaction.atomic():
        before = audit.snapshot(membership)
        audit.record(
            actor=actor,
            action="orgs.membership.delete",
            obj=membership,
            department_id=membership.department_id,
            before=before,
        )
        membership.delete()
    forget_principal(membership.user)
