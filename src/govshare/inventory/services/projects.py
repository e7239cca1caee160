"""Writes of IT projects and their filings (信息化项目备案).

A project belongs to its building department; its application systems must be that
department's own systems, so the funding gate judges a project by systems it answers for.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from govshare.core.actors import Actor
from govshare.core.assign import assign
from govshare.core.errors import ErrorCode, ErrorCollector
from govshare.core.evidence import audit
from govshare.core.permissions import internal, require
from govshare.inventory.models import InformationSystem, Project
from govshare.orgs.models import Department

# The fields a department files for a project ("systems" is passed separately).
PROJECT_FIELDS = (
    "name",
    "investment",
    "annual_om_cost",
    "funding_channel",
    "data_resources",
    "filing_status",
    "stage",
)
MONEY_FIELDS = ("investment", "annual_om_cost")


def project_create(
    *,
    actor: Actor,
    department: Department,
    data: dict[str, Any],
    systems: Iterable[InformationSystem] = (),
) -> Project:
    """File a new IT project of ``department`` with its application systems."""
    project = Project(department=department)
    require(actor, "add", project)
    _assign(project, data)
    chosen = list(systems)
    validate_project(project, chosen).raise_if_any()
    with transaction.atomic():
        project.save()
        project.systems.set(chosen)
        audit.record(
            actor=actor,
            action="inventory.project.create",
            obj=project,
            department_id=department.pk,
            after=project_snapshot(project),
        )
    return project


def project_update(
    *,
    actor: Actor,
    project: Project,
    data: dict[str, Any],
    systems: Iterable[InformationSystem] | None = None,
) -> Project:
    """Change a project's filing; ``systems`` None keeps its systems, a list replaces them."""
    require(actor, "change", project)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        before = project_snapshot(locked)
        _assign(locked, data)
        chosen = list(locked.systems.all()) if systems is None else list(systems)
        validate_project(locked, chosen).raise_if_any()
        locked.save()
        locked.systems.set(chosen)
        after = project_snapshot(locked)
        if any(before.get(k) != after.get(k) for k in after if k != "updated"):
            audit.record(
                actor=actor,
                action="inventory.project.update",
                obj=locked,
                department_id=locked.department_id,
                before=before,
                after=after,
            )
    return locked


@internal("the rules of a project, checked by services that authorize")
def validate_project(project: Project, systems: list[InformationSystem]) -> ErrorCollector:
    """Field rules plus the filing rules, every error at once."""
    errors = ErrorCollector()
    try:
        project.full_clean(exclude=["department"], validate_unique=False)
    except ValidationError as error:
        errors.absorb(error)
    _check_systems(project, systems, errors)
    duplicates = Project.objects.filter(department_id=project.department_id, name=project.name)
    if project.name and duplicates.exclude(pk=project.pk).exists():
        errors.add(
            "name",
            _("This department already has a project named %(name)s.") % {"name": project.name},
            ErrorCode.DUPLICATE,
        )
    return errors


def _check_systems(
    project: Project, systems: list[InformationSystem], errors: ErrorCollector
) -> None:
    # The building department files its own systems: another department's system is that
    # department's to fund, and the funding gate judges each project by its own systems.
    foreign = sorted(s.name for s in systems if s.department_id != project.department_id)
    if foreign:
        errors.add(
            "systems",
            _("These systems belong to another department: %(names)s.")
            % {"names": "、".join(foreign)},
            ErrorCode.OTHER_DEPARTMENT,  # stored as another's: a conflict (409)
        )


def _assign(project: Project, data: dict[str, Any]) -> None:
    assign(project, data, PROJECT_FIELDS)


@internal("a project's values for the audit trail of services that authorize")
def project_snapshot(project: Project) -> dict[str, Any]:
    """The audit snapshot: the fields, and the systems as sorted ids."""
    data = audit.snapshot(project, exclude=("systems",))
    data["systems"] = sorted(project.systems.values_list("pk", flat=True))
    return data
