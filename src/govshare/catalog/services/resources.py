"""Writes of the catalog: drafting, submitting, reviewing, changing and withdrawing resources.

Each function authorizes, validates every rule at once (rules.py), writes in a transaction,
records a ResourceEvent and an audit event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from govshare.catalog import rules, withdrawal
from govshare.catalog.choices import (
    EDITABLE_VERSIONS,
    VERSION_TRANSITIONS,
    ResourceStatus,
    VersionStatus,
)
from govshare.catalog.models import DataItem, Resource, ResourceEvent, ResourceVersion
from govshare.catalog.services.codes import allocate_code
from govshare.core.actors import Actor, person_of
from govshare.core.assign import assign
from govshare.core.errors import ErrorCode, ErrorCollector, field_error
from govshare.core.evidence import audit
from govshare.core.permissions import internal, require
from govshare.core.transitions import check_transition
from govshare.orgs.models import Department

VERSION_FIELDS = (
    "category",
    "name",
    "summary",
    "format_class",
    "format_type",
    "share_type",
    "share_condition",
    "share_basis",
    "share_mode_class",
    "share_mode_type",
    "is_open",
    "open_condition",
    "update_cycle",
    "keywords",
    "related_codes",
    "is_key_supervision",
    "is_government_service",
)
ITEM_FIELDS = (
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

ItemData = Mapping[str, Any]


# --- drafting -------------------------------------------------------------------------------


def resource_create(
    *,
    actor: Actor,
    provider: Department,
    data: Mapping[str, Any],
    items: Sequence[ItemData] = (),
    source_systems: Iterable[Any] = (),
) -> Resource:
    """Draft a new resource (version 1) for a provider department."""
    resource = Resource(provider=provider, name=str(data.get("name", "")).strip())
    require(actor, "add", resource)
    version = _build_version(ResourceVersion(resource=resource, number=1), data)
    item_rows = _build_items(items)
    _validate(version, item_rows, resource)
    with transaction.atomic():
        resource.save()
        version.resource = resource
        _save_version(actor, version, item_rows, source_systems)
        resource.working_version = version
        resource.save(update_fields=["working_version"])
        _event(actor, resource, version, "create", "")
        audit.record(
            actor=actor,
            action="catalog.resource.create",
            obj=resource,
            department_id=provider.pk,
            after=snapshot_version(version),
        )
        _reindex(resource)
    return resource


def version_update(
    *,
    actor: Actor,
    resource: Resource,
    data: Mapping[str, Any],
    items: Sequence[ItemData],
    source_systems: Iterable[Any] = (),
) -> ResourceVersion:
    """Edit the working version (a draft, or one returned with comments)."""
    require(actor, "change", resource)
    version = resource.working_version
    if version is None or version.status not in EDITABLE_VERSIONS:
        raise field_error(
            "status",
            _(
                "Only a draft or a returned version can be edited; start a "
                "change of a published resource first."
            ),
            ErrorCode.CONFLICT,
        )
    before = snapshot_version(version)
    version = _build_version(version, data)
    item_rows = _build_items(items)
    _validate(version, item_rows, resource)
    with transaction.atomic():
        version.items.all().delete()
        _save_version(actor, version, item_rows, source_systems)
        if resource.current_version_id is None:
            resource.name = version.name
            resource.save(update_fields=["name", "updated"])
        audit.record(
            actor=actor,
            action="catalog.version.update",
            obj=resource,
            department_id=resource.provider_id,
            before=before,
            after=snapshot_version(version),
        )
        _reindex(resource)
    return version


def _build_version(version: ResourceVersion, data: Mapping[str, Any]) -> ResourceVersion:
    return assign(version, data, VERSION_FIELDS)


def _build_items(items: Sequence[ItemData]) -> list[DataItem]:
    rows = []
    for position, values in enumerate(items, start=1):
        unknown = set(values) - set(ITEM_FIELDS)
        if unknown:
            raise ValidationError(
                {
                    f"items.{position}.{name}": ValidationError(
                        _("Unknown field."), code=ErrorCode.INVALID
                    )
                    for name in sorted(unknown)
                }
            )
        row = DataItem(
            position=position,
            **{k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()},
        )
        rows.append(row)
    return rows


def _validate(version: ResourceVersion, items: list[DataItem], resource: Resource) -> None:
    errors = ErrorCollector()
    try:
        version.full_clean(
            exclude=["resource", "grade", "number"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        errors.absorb(error)
    for item in items:
        try:
            item.full_clean(exclude=["version"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, problems in error.error_dict.items():
                errors.errors.setdefault(f"items.{item.position}.{name}", []).extend(problems)
    if not errors.errors:
        errors.absorb_collector(rules.check_version(version, items, resource))
    errors.raise_if_any()


def _save_version(
    actor: Actor, version: ResourceVersion, items: list[DataItem], source_systems: Iterable[Any]
) -> None:
    version.grade = rules.resource_grade(items)
    version.author_name = actor.get_username()
    version.save()
    for item in items:
        item.version = version
    DataItem.objects.bulk_create(items)
    version.source_systems.set(list(source_systems))


# --- review and publication -----------------------------------------------------------------


def resource_submit(*, actor: Actor, resource: Resource, note: str = "") -> Resource:
    """Send the working version to the authority's review (提交审核)."""
    require(actor, "change", resource)
    version = _working(resource)
    items = list(version.items.select_related("element"))
    _validate(version, items, resource)
    with transaction.atomic():
        _move(version, VersionStatus.SUBMITTED)
        version.submitted = timezone.now()
        version.save(update_fields=["status", "submitted"])
        if resource.current_version_id is None:
            resource.status = ResourceStatus.SUBMITTED
            resource.save(update_fields=["status", "updated"])
        _event(actor, resource, version, "submit", note)
        audit.record(
            actor=actor,
            action="catalog.resource.submit",
            obj=resource,
            department_id=resource.provider_id,
            after={"version": version.number},
        )
        _reindex(resource)
    return resource


def resource_review(*, actor: Actor, resource: Resource, approve: bool, note: str = "") -> Resource:
    """The authority approves the submitted version (it comes into force) or returns it."""
    require(actor, "review", resource)
    version = _working(resource)
    if not approve and not note.strip():
        raise field_error(
            "note", _("Write the comments the provider should act on."), ErrorCode.REQUIRED
        )
    with transaction.atomic():
        if approve:
            _publish(resource, version, note)
        else:
            _move(version, VersionStatus.RETURNED)
            version.reviewed, version.review_note = timezone.now(), note.strip()
            version.save(update_fields=["status", "reviewed", "review_note"])
            if resource.current_version_id is None:
                resource.status = ResourceStatus.DRAFT
                resource.save(update_fields=["status", "updated"])
        _event(actor, resource, version, "approve" if approve else "return", note)
        audit.record(
            actor=actor,
            action=f"catalog.resource.{'approve' if approve else 'return'}",
            obj=resource,
            department_id=resource.provider_id,
            after={"version": version.number, "code": resource.code, "note": note},
        )
        _reindex(resource)
    return resource


def _publish(resource: Resource, version: ResourceVersion, note: str) -> None:
    _move(version, VersionStatus.IN_FORCE)
    previous = resource.current_version
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
        previous.save(update_fields=["status"])
    if not resource.code:
        resource.code = allocate_code(version.category, resource.provider_id)
    version.publish_date = version.publish_date or timezone.localdate()
    version.reviewed, version.review_note = timezone.now(), note.strip()
    version.save(update_fields=["status", "publish_date", "reviewed", "review_note"])
    resource.current_version, resource.working_version = version, None
    resource.status, resource.name = ResourceStatus.PUBLISHED, version.name
    resource.save()


def resource_start_change(*, actor: Actor, resource: Resource, note: str = "") -> ResourceVersion:
    """Open a new version of a published resource; the one in force stays until approved."""
    require(actor, "change", resource)
    current = resource.current_version
    if resource.status != ResourceStatus.PUBLISHED or current is None:
        raise field_error(
            "status", _("Only a published resource can be changed."), ErrorCode.CONFLICT
        )
    if resource.working_version_id is not None:
        raise field_error(
            "status", _("A change of this resource is already in progress."), ErrorCode.CONFLICT
        )
    with transaction.atomic():
        version = _copy(current, actor)
        resource.working_version = version
        resource.save(update_fields=["working_version", "updated"])
        _event(actor, resource, version, "change", note)
        audit.record(
            actor=actor,
            action="catalog.resource.change",
            obj=resource,
            department_id=resource.provider_id,
            after={"version": version.number},
        )
        _reindex(resource)
    return version


def _copy(current: ResourceVersion, actor: Actor) -> ResourceVersion:
    number = (current.resource.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    data = {name: getattr(current, name) for name in VERSION_FIELDS}
    version = ResourceVersion(
        resource=current.resource,
        number=number,
        grade=current.grade,
        author_name=actor.get_username(),
        **data,
    )
    version.save()
    items = [
        DataItem(
            version=version, position=i.position, **{name: getattr(i, name) for name in ITEM_FIELDS}
        )
        for i in current.items.all()
    ]
    DataItem.objects.bulk_create(items)
    version.source_systems.set(current.source_systems.all())
    return version


def resource_withdraw(
    *, actor: Actor, resource: Resource, reason: str, grants: str = ""
) -> Resource:
    """Withdraw a resource from the catalog (撤销), with the reason.

    When live grants use it, ``grants`` decides their fate (withdrawal.GrantDecision): revoke
    them now, or keep them until their validity ends.
    """
    require(actor, "change", resource)
    if not reason.strip():
        raise field_error(
            "reason", _("Give the reason for withdrawing the resource."), ErrorCode.REQUIRED
        )
    if resource.status == ResourceStatus.WITHDRAWN:
        raise field_error("status", _("The resource is already withdrawn."), ErrorCode.CONFLICT)
    live = withdrawal.live_grants(resource)
    if live and grants not in withdrawal.GrantDecision.values:
        raise field_error(
            "grants",
            ngettext(
                "%(count)d live grant uses this resource: decide whether to revoke it now or "
                "keep it until its validity ends.",
                "%(count)d live grants use this resource: decide whether to revoke them now "
                "or keep them until their validity ends.",
                live,
            )
            % {"count": live},
            ErrorCode.CONFLICT,  # live grants, stored state, make the choice needed
        )
    with transaction.atomic():
        before = {"status": resource.status}
        resource.status, resource.withdrawn_reason = ResourceStatus.WITHDRAWN, reason.strip()
        resource.save(update_fields=["status", "withdrawn_reason", "updated"])
        revoked = 0
        if live and grants == withdrawal.GrantDecision.REVOKE:
            revoked = withdrawal.revoke_grants(actor, resource, reason.strip())
        version = resource.shown_version
        _event(actor, resource, version, "withdraw", reason)
        audit.record(
            actor=actor,
            action="catalog.resource.withdraw",
            obj=resource,
            department_id=resource.provider_id,
            before=before,
            after={
                "status": resource.status,
                "reason": reason,
                "live_grants": live,
                "grants": grants if live else "",
                "revoked": revoked,
            },
        )
        _reindex(resource)
    return resource


# --- helpers --------------------------------------------------------------------------------


def _working(resource: Resource) -> ResourceVersion:
    if resource.working_version is None:
        raise field_error(
            "status",
            _("This resource has no version being edited or reviewed."),
            ErrorCode.CONFLICT,
        )
    return resource.working_version


def _move(version: ResourceVersion, target: str) -> None:
    check_transition(VERSION_TRANSITIONS, version.status, target, dict(VersionStatus.choices))
    version.status = target


def _reindex(resource: Resource) -> None:
    """Keep the search index in step with the write, in the same transaction."""
    from govshare.catalog.search.index import reindex_resource  # search reads models and choices

    reindex_resource(resource.pk)


def _event(
    actor: Actor, resource: Resource, version: ResourceVersion | None, action: str, note: str
) -> None:
    ResourceEvent.objects.create(
        resource=resource,
        version_number=version.number if version else 0,
        action=action,
        actor=person_of(actor),
        actor_name=actor.get_username(),
        note=note.strip(),
    )


@internal("a version's values for the audit trail of services that authorize")
def snapshot_version(version: ResourceVersion) -> dict[str, Any]:
    """A version with its items as JSON-safe data (for audit, diff and export)."""
    data = audit.snapshot(version, exclude=["resource", "source_systems"])
    data["items"] = [
        audit.snapshot(item, exclude=["id", "version"])
        for item in version.items.order_by("position")
    ]
    return data
