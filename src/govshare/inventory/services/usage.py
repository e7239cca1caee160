"""Writes of the evidence of use: report keys, usage reports (使用情况上报), health-probe jobs.

A system reports its daily use with its own credential (``gsr_<keyid>_<secret>``), issued by the
data officer of its department; a data officer may also report for a system by name, and a name
missing from the census is noted as a shadow system (影子系统) instead.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govshare.core.actors import Actor
from govshare.core.config import param
from govshare.core.crypto import constant_time_equal, sm3_hex
from govshare.core.errors import ErrorCode, ErrorCollector, field_error
from govshare.core.evidence import audit
from govshare.core.jobs import job_start
from govshare.core.models import Job
from govshare.core.permissions import internal, open_to_anyone, require
from govshare.core.roles import Role
from govshare.inventory import config
from govshare.inventory.choices import Lifecycle
from govshare.inventory.models import InformationSystem, ShadowSystem, UsageReport
from govshare.inventory.services.zombies import shadow_record
from govshare.inventory.tasks import probe_systems
from govshare.orgs.models import Department
from govshare.orgs.roles import principal_of

REPORT_KEY_PREFIX = "gsr_"
KEY_ID_ALPHABET = string.ascii_letters + string.digits
KEY_ID_LENGTH = 8
# A report older than this is history, not evidence of current use; late reports within it are
# accepted so a system can catch up after an outage.
MAX_REPORT_AGE_DAYS = 400
MAX_COUNT = 2_147_483_647  # PositiveIntegerField's upper bound on every database
SHADOW_SOURCE = "usage report"
# Systems that no longer exist as systems get no new credential.
KEYLESS_LIFECYCLES = frozenset({Lifecycle.MERGED, Lifecycle.RETIRED})


class SystemReporter:
    """The actor when a system reports with its own credential: not a person, and no role.

    ``is_authenticated`` is False on purpose, so every permission policy refuses it; the only
    thing it may do is report usage for ``system``.
    """

    is_authenticated = False
    is_active = True

    def __init__(self, system: InformationSystem) -> None:
        self.system = system

    def get_username(self) -> str:
        return f"{REPORT_KEY_PREFIX}{self.system.report_key_id}"


# --- report keys ----------------------------------------------------------------------------


def system_issue_report_key(*, actor: Actor, system: InformationSystem) -> str:
    """Issue (or rotate) the system's usage-report credential; returns it once, in clear.

    Only the SM3 hash of the secret is kept; issuing again replaces the old credential at once.
    """
    require(actor, "change", system)
    if system.lifecycle in KEYLESS_LIFECYCLES:
        raise field_error(
            "lifecycle",
            _("A merged or retired system does not report usage."),
            ErrorCode.CONFLICT,
        )
    key_id, secret = _new_key_id(), secrets.token_urlsafe(32)
    with transaction.atomic():
        locked = InformationSystem.objects.select_for_update().get(pk=system.pk)
        rotated = bool(locked.report_key_id)
        InformationSystem.objects.filter(pk=system.pk).update(
            report_key_id=key_id, report_secret_hash=sm3_hex(secret)
        )
        audit.record(
            actor=actor,
            action="inventory.system.report_key",
            obj=locked,
            department_id=locked.department_id,
            before={"report_key_id": locked.report_key_id or None},
            after={"report_key_id": key_id, "rotated": rotated},
        )
    system.report_key_id, system.report_secret_hash = key_id, sm3_hex(secret)
    return f"{REPORT_KEY_PREFIX}{key_id}_{secret}"


def _new_key_id() -> str:
    while True:
        key_id = "".join(secrets.choice(KEY_ID_ALPHABET) for _ in range(KEY_ID_LENGTH))
        if not InformationSystem.objects.filter(report_key_id=key_id).exists():
            return key_id


@open_to_anyone("reading a reporting key establishes which system calls")
def system_authenticate_report_key(presented: str) -> InformationSystem | None:
    """The system a presented ``gsr_<keyid>_<secret>`` belongs to, or None."""
    if not presented.startswith(REPORT_KEY_PREFIX) or len(presented) > 200:
        return None
    key_id, _sep, secret = presented[len(REPORT_KEY_PREFIX) :].partition("_")
    if not key_id or not secret:
        return None
    system = InformationSystem.objects.filter(report_key_id=key_id).first()
    if system is None or not system.report_secret_hash:
        return None
    if not constant_time_equal(sm3_hex(secret), system.report_secret_hash):
        return None
    return system


# --- usage reports --------------------------------------------------------------------------


def usage_report_submit(
    *,
    actor: Actor | SystemReporter,
    system: InformationSystem,
    date: dt.date,
    active_users: int,
    requests: int,
) -> UsageReport:
    """Record one day of use; a second report for the same day replaces the first."""
    _authorize_report(actor, system)
    validate_usage(date, active_users, requests).raise_if_any()
    with transaction.atomic():
        previous = UsageReport.objects.select_for_update().filter(system=system, date=date).first()
        before = (
            {"active_users": previous.active_users, "requests": previous.requests}
            if previous
            else None
        )
        report, _created = UsageReport.objects.update_or_create(
            system=system,
            date=date,
            defaults={"active_users": active_users, "requests": requests},
        )
        audit.record(
            # A system's own credential is no Actor: it is named, and no person acted.
            actor=None if isinstance(actor, SystemReporter) else actor,
            actor_name=actor.get_username(),
            action="inventory.usage.report",
            obj=report,
            department_id=system.department_id,
            before=before,
            after={"date": date, "active_users": active_users, "requests": requests},
        )
    return report


def _authorize_report(actor: Actor | SystemReporter, system: InformationSystem) -> None:
    if isinstance(actor, SystemReporter):
        # A system's credential reports for that system and nothing else.
        if actor.system.pk != system.pk:
            raise PermissionDenied("report")
        return
    require(actor, "change", system)


@internal("the rules of a usage report, checked by services that authorize")
def validate_usage(date: Any, active_users: Any, requests: Any) -> ErrorCollector:
    """The rules of a usage report, all checked together."""
    errors = ErrorCollector()
    today = timezone.localdate()
    if not isinstance(date, dt.date):
        errors.add("date", _("Enter a date."), ErrorCode.REQUIRED)
    elif date > today:
        errors.add("date", _("Date lies in the future."), ErrorCode.CONFLICT)
    elif (today - date).days > MAX_REPORT_AGE_DAYS:
        errors.add(
            "date",
            _("Reports older than %(days)s days are not accepted.") % {"days": MAX_REPORT_AGE_DAYS},
            ErrorCode.CONFLICT,
        )
    for field, value in (("active_users", active_users), ("requests", requests)):
        if isinstance(value, bool) or not isinstance(value, int):
            errors.add(field, _("Enter a whole number."), ErrorCode.INVALID)
        elif not 0 <= value <= MAX_COUNT:
            errors.add(
                field,
                _("Must be between 0 and %(max)s.") % {"max": MAX_COUNT},
                ErrorCode.INVALID,
            )
    return errors


@dataclass(frozen=True)
class UsageOutcome:
    """What a report by name led to: a stored report, or a shadow system to follow up."""

    report: UsageReport | None = None
    shadow: ShadowSystem | None = None


def usage_report_by_name(
    *,
    actor: Actor,
    name: str,
    date: dt.date,
    active_users: int,
    requests: int,
    department: Department | None = None,
) -> UsageOutcome:
    """A data officer reports for a system of their departments named ``name``.

    A name the officer's departments do not have in the census is recorded as a shadow system
    (影子系统) for the authority to follow up, and no usage is stored.
    """
    departments = _reporting_departments(actor, department)
    validate_usage(date, active_users, requests).raise_if_any()
    name = (name or "").strip()
    matches = list(InformationSystem.objects.filter(department_id__in=departments, name=name))
    if len(matches) > 1:
        raise field_error(
            "department_id",
            _("Several of your departments have a system named %(name)s: name the department.")
            % {"name": name},
            ErrorCode.REQUIRED,
        )
    if matches:
        report = usage_report_submit(
            actor=actor,
            system=matches[0],
            date=date,
            active_users=active_users,
            requests=requests,
        )
        return UsageOutcome(report=report)
    owner = department or _only_department(departments)
    _check_shadow_cap(owner, name)
    return UsageOutcome(shadow=shadow_record(name=name, source=SHADOW_SOURCE, department=owner))


def _check_shadow_cap(owner: Department | None, name: str) -> None:
    """Refuse a new shadow system past the department's daily number: a reporting key or a
    script gone wrong must not flood the authority's follow-up list."""
    shadows = ShadowSystem.objects.filter(source=SHADOW_SOURCE, department=owner)
    if shadows.filter(name=name[:150]).exists():
        return  # seen before: only counted again
    cap = int(param(config.SHADOW_DAILY_CAP.key))
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    if shadows.filter(first_seen__gte=midnight).count() >= cap:
        raise field_error(
            "name",
            _(
                "%(count)s systems missing from the census were already reported for this "
                "department today; register this one in the census, or report it tomorrow."
            )
            % {"count": cap},
            ErrorCode.CONFLICT,
        )


def _reporting_departments(actor: Actor, department: Department | None) -> set[int]:
    """Departments whose systems ``actor`` reports for: where they are data officer."""
    held = principal_of(actor).departments(Role.DATA_OFFICER)
    if department is not None:
        if department.pk not in held:
            raise PermissionDenied("report")
        return {department.pk}
    if not held:
        raise PermissionDenied("report")
    return held


def _only_department(department_ids: set[int]) -> Department | None:
    if len(department_ids) != 1:
        return None
    return Department.objects.filter(pk=next(iter(department_ids))).first()


# --- health probes --------------------------------------------------------------------------


def health_probe_start(*, actor: Actor) -> Job:
    """Start probing every system's health URL now, as a background job (the authority)."""
    require(actor, "review", InformationSystem)
    return job_start(actor=actor, task=probe_systems, name=_("Probe system health"))
