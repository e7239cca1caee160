"""Writes of the sharing workflow (共享申请 → 审核 → 授权).

Every step goes through ``_step``: it checks the (state, action) pair against
``choices.TRANSITIONS``, authorizes the actor for the party that takes the step, records a
RequestEvent and an audit event in the same transaction, and bumps the gateway's change stamp
when what the gateway serves may change. Rules (国发〔2016〕51号, 政务数据共享条例 2025):
无条件 items are granted once conformity review passes; 有条件 items need the provider's
decision item by item, with a reason for every refusal; 不予共享 items are reached only through
negotiation and the authority's coordination.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from govshare.catalog.choices import Masking, ResourceStatus, ShareType
from govshare.catalog.models import DataItem, Resource
from govshare.core import stamps
from govshare.core.actors import Actor, person_of
from govshare.core.assign import assign
from govshare.core.config import param
from govshare.core.errors import ErrorCode, ErrorCollector, field_error
from govshare.core.evidence import audit
from govshare.core.months import add_months
from govshare.core.permissions import internal, require
from govshare.core.text import join_sentences
from govshare.inventory.choices import LIVE_LIFECYCLES
from govshare.orgs.models import Department
from govshare.sharing import calendar
from govshare.sharing import config as cfg
from govshare.sharing.bulk import BULK_MODES, available_modes, grant_changed, key_items_of
from govshare.sharing.choices import (
    GRANT_STATES,
    REFUSAL_TARGET,
    TRANSITIONS,
    Action,
    DeliveryMode,
    ItemDecision,
    Party,
    Purpose,
    RequestState,
)
from govshare.sharing.models import Grant, GrantItem, RequestEvent, RequestItem, ShareRequest

REQUEST_FIELDS = (
    "purpose",
    "purpose_detail",
    "basis",
    "scenario",
    "mode",
    "period_start",
    "period_end",
    "expected_daily_calls",
)
TEXT_FIELDS = ("purpose_detail", "basis", "scenario")
# The policy action a party's steps need (sharing/permissions.py).
PARTY_ACTION: dict[str, str] = {
    Party.CONSUMER: "change",
    Party.PROVIDER: "decide",
    Party.AUTHORITY: "review",
}
GATEWAY = "gateway"
# States in which a grant may serve, or serves again: leaving or entering one refreshes the gateway.
GRANT_LIVE = frozenset({RequestState.ACTIVE, RequestState.SUSPENDED})


@dataclass(frozen=True)
class ItemAnswer:
    """The answer on one item: grant (with the masking required) or refuse with a reason."""

    grant: bool
    reason: str = ""
    masking: str | None = None


@dataclass(frozen=True)
class GrantTerms:
    """Conditions the provider (or the coordinating authority) sets on a grant."""

    valid_until: dt.date | None = None
    daily_quota: int | None = None
    rate_per_minute: int | None = None
    row_filter: Mapping[str, Sequence[str]] | None = None


# --- drafting -------------------------------------------------------------------------------


def request_create(
    *,
    actor: Actor,
    consumer: Department,
    application: Any,
    resource: Resource,
    data: Mapping[str, Any],
    items: Sequence[str],
) -> ShareRequest:
    """Draft a request by ``consumer`` for its ``application`` on the resource in force."""
    share_request = ShareRequest(
        consumer=consumer,
        application=application,
        resource=resource,
        provider_id=resource.provider_id,
        created_by=person_of(actor),
    )
    require(actor, "add", share_request)
    require(actor, "change", share_request)
    _apply(share_request, data)
    chosen = _validate(share_request, items)
    with transaction.atomic():
        share_request.number = f"tmp-{uuid.uuid4().hex[:16]}"
        share_request.save()
        share_request.number = f"GX{timezone.localdate():%Y}{share_request.pk:06d}"
        share_request.save(update_fields=["number"])
        _save_items(share_request, chosen)
        _event(actor, share_request, Action.CREATE, Party.CONSUMER, RequestState.DRAFT, "")
        audit.record(
            actor=actor,
            action="sharing.request.create",
            obj=share_request,
            department_id=consumer.pk,
            after=_snapshot(share_request),
        )
    return share_request


def request_update(
    *, actor: Actor, share_request: ShareRequest, data: Mapping[str, Any], items: Sequence[str]
) -> ShareRequest:
    """Edit a draft (also one returned by conformity review)."""
    require(actor, "change", share_request)
    check_step(share_request, Action.EDIT, Party.CONSUMER)
    before = _snapshot(share_request)
    _apply(share_request, data)
    chosen = _validate(share_request, items)
    with transaction.atomic():
        share_request.save()
        share_request.items.all().delete()
        _save_items(share_request, chosen)
        audit.record(
            actor=actor,
            action="sharing.request.update",
            obj=share_request,
            department_id=share_request.consumer_id,
            before=before,
            after=_snapshot(share_request),
        )
    return share_request


def _apply(share_request: ShareRequest, data: Mapping[str, Any]) -> None:
    assign(share_request, data, REQUEST_FIELDS)


def _validate(share_request: ShareRequest, items: Sequence[str]) -> list[DataItem]:
    """Check every field at once and return the data items chosen, in catalog order."""
    errors = ErrorCollector()
    _check_fields(share_request, errors)
    resource = share_request.resource
    version = resource.current_version
    if version is None or resource.status != ResourceStatus.PUBLISHED:
        errors.add("resource", _("Only a published resource can be requested."), ErrorCode.CONFLICT)
        errors.raise_if_any()
    assert version is not None  # raise_if_any raised above
    application = share_request.application
    if application.department_id != share_request.consumer_id:
        errors.add(
            "application",
            _("The application must be an information system of the requesting department."),
            ErrorCode.INVALID,
        )
    elif application.lifecycle not in LIVE_LIFECYCLES:
        errors.add("application", _("The application is no longer in use."), ErrorCode.CONFLICT)
    if share_request.consumer_id == resource.provider_id:
        errors.add(
            "resource",
            _("A department does not request its own resources."),
            ErrorCode.CONFLICT,
        )
    _check_mode(share_request, errors)
    share_request.resource_version = version
    by_identifier = {item.identifier: item for item in version.items.all()}
    unknown = [identifier for identifier in items if identifier not in by_identifier]
    if not items:
        errors.add("items", _("Tick at least one data item."), ErrorCode.REQUIRED)
    elif unknown:
        errors.add(
            "items",
            _("Not a data item of the resource in force: %(items)s.")
            % {"items": "、".join(unknown)},
            ErrorCode.CONFLICT,
        )
    elif share_request.mode == DeliveryMode.TABLE:
        missing = [key for key in key_items_of(resource) if key not in items]
        if missing:
            # The key items become the destination table's primary key (exchange.sync.spec).
            errors.add(
                "items",
                _("Table exchange needs the key items of the table: tick %(items)s.")
                % {"items": "、".join(missing)},
                ErrorCode.INVALID,
            )
    errors.raise_if_any()
    wanted = set(items)
    return [item for item in by_identifier.values() if item.identifier in wanted]


MODE_RULES: dict[str, Any] = {
    DeliveryMode.TABLE: _lazy(
        "Table exchange needs a mounted database table of the resource; choose another mode."
    ),
    DeliveryMode.FILE: _lazy(
        "File exchange needs a mounted database table or file set of the resource; "
        "choose another mode."
    ),
}


def _check_mode(share_request: ShareRequest, errors: ErrorCollector) -> None:
    """库表 and 文件 are offered only where the resource's mounts can deliver them."""
    mode = share_request.mode
    if mode in BULK_MODES and mode not in available_modes(share_request.resource):
        errors.add("mode", str(MODE_RULES[mode]), ErrorCode.CONFLICT)


def _latest_period_end(start: dt.date) -> dt.date:
    """The last day a period that begins on ``start`` may run to (a configured number of
    months; 9999-12-31 was accepted before)."""
    return add_months(start, int(param(cfg.MAX_PERIOD_MONTHS.key))) - dt.timedelta(days=1)


def _period_too_long(start: dt.date, last: dt.date) -> str:
    months = int(param(cfg.MAX_PERIOD_MONTHS.key))
    return _(
        "A period lasts at most %(months)s months: starting on %(start)s, it ends on "
        "%(last)s at the latest."
    ) % {"months": months, "start": start.isoformat(), "last": last.isoformat()}


def _check_fields(share_request: ShareRequest, errors: ErrorCollector) -> None:
    for name in TEXT_FIELDS:
        if not getattr(share_request, name, ""):
            errors.add(name, _("This field is required."), ErrorCode.REQUIRED)
    if share_request.purpose not in Purpose.values:
        errors.add("purpose", _("Choose a purpose from the list."), ErrorCode.INVALID)
    if share_request.mode not in DeliveryMode.values:
        errors.add("mode", _("Choose a delivery mode from the list."), ErrorCode.INVALID)
    start, end = share_request.period_start, share_request.period_end
    if not isinstance(start, dt.date):
        errors.add("period_start", _("Enter a valid date."), ErrorCode.INVALID)
    if not isinstance(end, dt.date):
        errors.add("period_end", _("Enter a valid date."), ErrorCode.INVALID)
    if isinstance(start, dt.date) and isinstance(end, dt.date):
        if end < start:
            errors.add(
                "period_end", _("The period must end on or after its start."), ErrorCode.INVALID
            )
        elif end < timezone.localdate():
            errors.add("period_end", _("The period has already ended."), ErrorCode.CONFLICT)
        elif end > (last := _latest_period_end(start)):
            errors.add("period_end", _period_too_long(start, last), ErrorCode.INVALID)
    volume = share_request.expected_daily_calls
    if not isinstance(volume, int) or isinstance(volume, bool) or volume < 1:
        errors.add(
            "expected_daily_calls", _("Enter a whole number of at least 1."), ErrorCode.INVALID
        )


def _save_items(share_request: ShareRequest, chosen: list[DataItem]) -> None:
    RequestItem.objects.bulk_create(
        RequestItem(
            request=share_request,
            data_item=item,
            identifier=item.identifier,
            name=item.name,
            share_type=item.share_type,
            masking=item.masking,
        )
        for item in chosen
    )


# --- submission and conformity review -------------------------------------------------------


def request_submit(*, actor: Actor, share_request: ShareRequest, note: str = "") -> ShareRequest:
    """Submit a draft. Without conformity review the platform's own check takes its place."""
    require(actor, "change", share_request)
    with transaction.atomic():
        step(actor, share_request, Action.SUBMIT, Party.CONSUMER, note)
        today = timezone.localdate()
        share_request.submitted = timezone.now()
        share_request.conformity_due = calendar.add_working_days(
            today, int(param(cfg.CONFORMITY_DAYS.key))
        )
        share_request.save(update_fields=["submitted", "conformity_due"])
        if not param(cfg.CONFORMITY_ENABLED.key):
            findings = conformity_findings(share_request)
            if findings:
                _conformity_refuse(share_request, join_sentences(findings))
            else:
                _conformity_pass(None, share_request, Party.SYSTEM, "")
    return share_request


@internal("a read of a request the caller's view has restricted")
def conformity_findings(share_request: ShareRequest) -> list[str]:
    """What the conformity review finds wrong, in words (empty when the request conforms)."""
    findings = []
    not_shared = [
        item.name for item in share_request.items.all() if item.share_type == ShareType.NOT_SHARED
    ]
    if not_shared:
        findings.append(
            _(
                "Items that are not shared can only be reached through negotiation and "
                "coordination: %(items)s."
            )
            % {"items": "、".join(not_shared)}
        )
    if share_request.resource.status != ResourceStatus.PUBLISHED:
        findings.append(_("The resource is no longer published."))
    if share_request.application.lifecycle not in LIVE_LIFECYCLES:
        findings.append(_("The application is no longer in use."))
    return findings


def conformity_review(
    *, actor: Actor, share_request: ShareRequest, outcome: str, note: str = ""
) -> ShareRequest:
    """The authority's conformity review: ``pass``, ``return`` (to the consumer) or ``reject``."""
    require(actor, "review", share_request)
    if outcome not in {"pass", "return", "reject"}:
        raise field_error("outcome", _("Choose pass, return or reject."), ErrorCode.INVALID)
    if outcome != "pass" and not note.strip():
        raise field_error(
            "note", _("Give the reason for returning or rejecting."), ErrorCode.REQUIRED
        )
    with transaction.atomic():
        if outcome == "pass":
            findings = conformity_findings(share_request)
            if findings:
                raise field_error("outcome", join_sentences(findings), ErrorCode.CONFLICT)
            _conformity_pass(actor, share_request, Party.AUTHORITY, note)
        elif outcome == "return":
            step(actor, share_request, Action.CONFORMITY_RETURN, Party.AUTHORITY, note)
            _close_clock(share_request, "conformity_answered")
        else:
            step(actor, share_request, Action.CONFORMITY_REJECT, Party.AUTHORITY, note)
            _close_clock(share_request, "conformity_answered")
    return share_request


def _conformity_refuse(share_request: ShareRequest, reason: str) -> None:
    step(None, share_request, Action.CONFORMITY_REJECT, Party.SYSTEM, reason)
    _close_clock(share_request, "conformity_answered")


def _conformity_pass(
    actor: Actor | None, share_request: ShareRequest, party: str, note: str
) -> None:
    """Pass conformity: grant the unconditional items; the rest go to the provider."""
    step(actor, share_request, Action.CONFORMITY_PASS, party, note)
    _close_clock(share_request, "conformity_answered")
    share_request.items.filter(share_type=ShareType.UNCONDITIONAL).update(
        decision=ItemDecision.GRANTED, decided_by=Party.SYSTEM
    )
    if share_request.items.filter(decision=ItemDecision.PENDING).exists():
        _start_provider_clock(share_request)
        return
    step(None, share_request, Action.AUTO_GRANT, Party.SYSTEM, "")
    _grant_create(share_request, GrantTerms())


# --- the provider's answer, negotiation and coordination ---------------------------------------


def provider_decide(
    *,
    actor: Actor,
    share_request: ShareRequest,
    answers: Mapping[str, ItemAnswer],
    terms: GrantTerms = GrantTerms(),
    note: str = "",
) -> ShareRequest:
    """The provider answers every pending item; the request is active if anything is granted."""
    require(actor, PARTY_ACTION[Party.PROVIDER], share_request)
    return _decide(
        actor, share_request, Action.DECIDE, Party.PROVIDER, answers, terms, note, "provider"
    )


def negotiation_agree(
    *,
    actor: Actor,
    share_request: ShareRequest,
    answers: Mapping[str, ItemAnswer],
    terms: GrantTerms = GrantTerms(),
    note: str = "",
) -> ShareRequest:
    """The provider's answer in negotiation; granting nothing sends it to coordination."""
    require(actor, PARTY_ACTION[Party.PROVIDER], share_request)
    return _decide(
        actor, share_request, Action.AGREE, Party.PROVIDER, answers, terms, note, "provider"
    )


def coordination_decide(
    *,
    actor: Actor,
    share_request: ShareRequest,
    answers: Mapping[str, ItemAnswer],
    terms: GrantTerms = GrantTerms(),
    note: str = "",
) -> ShareRequest:
    """The authority's coordination decides the items; granting nothing closes the request."""
    require(actor, PARTY_ACTION[Party.AUTHORITY], share_request)
    return _decide(
        actor,
        share_request,
        Action.COORDINATE,
        Party.AUTHORITY,
        answers,
        terms,
        note,
        "coordination",
    )


def negotiation_open(*, actor: Actor, share_request: ShareRequest, note: str) -> ShareRequest:
    """The consumer contests a refusal: provider and consumer negotiate (协商)."""
    require(actor, "change", share_request)
    require_note(note)
    with transaction.atomic():
        step(actor, share_request, Action.NEGOTIATE, Party.CONSUMER, note)
        _start_provider_clock(share_request)
    return share_request


def negotiation_escalate(*, actor: Actor, share_request: ShareRequest, note: str) -> ShareRequest:
    """The consumer asks the authority to coordinate (主管部门协调)."""
    require(actor, "change", share_request)
    require_note(note)
    with transaction.atomic():
        step(actor, share_request, Action.ESCALATE, Party.CONSUMER, note)
        _start_coordination(share_request)
    return share_request


def request_withdraw(*, actor: Actor, share_request: ShareRequest, note: str = "") -> ShareRequest:
    """The consumer withdraws a request that is not yet answered."""
    require(actor, "change", share_request)
    with transaction.atomic():
        step(actor, share_request, Action.WITHDRAW, Party.CONSUMER, note)
    return share_request


def request_close(*, actor: Actor, share_request: ShareRequest, note: str = "") -> ShareRequest:
    """Close a refused request: the consumer gives up, or the authority ends coordination."""
    party = Party.AUTHORITY if share_request.state == RequestState.COORDINATION else Party.CONSUMER
    require(actor, PARTY_ACTION[party], share_request)
    with transaction.atomic():
        step(actor, share_request, Action.CLOSE, party, note)
        if party == Party.AUTHORITY:
            _close_clock(share_request, "coordination_answered")
    return share_request


def _decide(
    actor: Actor,
    share_request: ShareRequest,
    action: str,
    party: str,
    answers: Mapping[str, ItemAnswer],
    terms: GrantTerms,
    note: str,
    clock: str,
) -> ShareRequest:
    check_step(share_request, action, party)
    items = list(share_request.items.all())
    _check_answers(share_request, items, answers, action)
    if any(answer.grant for answer in answers.values()):
        _check_still_grantable(share_request)
    granted_any = False
    with transaction.atomic():
        for item in items:
            answer = answers.get(item.identifier)
            if answer is not None:
                item.decision = ItemDecision.GRANTED if answer.grant else ItemDecision.REJECTED
                item.reason = answer.reason.strip()
                item.decided_by = party
                if answer.masking is not None:
                    item.masking = answer.masking
                item.save(update_fields=["decision", "reason", "decided_by", "masking"])
            granted_any = granted_any or item.decision == ItemDecision.GRANTED
        target = None if granted_any else REFUSAL_TARGET[(share_request.state, action)]
        step(actor, share_request, action, party, note, target=target)
        _close_clock(share_request, f"{clock}_answered")
        if share_request.state == RequestState.ACTIVE:
            _grant_create(share_request, terms)
        elif share_request.state == RequestState.COORDINATION:
            _start_coordination(share_request)
    return share_request


def _check_answers(
    share_request: ShareRequest,
    items: list[RequestItem],
    answers: Mapping[str, ItemAnswer],
    action: str,
) -> None:
    """Every item still open needs an answer; refusals need a reason; masking from the list.

    In the provider's first answer only pending items are open (the unconditional ones are
    granted already); in negotiation and coordination every refused item is open again.
    """
    errors = ErrorCollector()
    keys = key_items_of(share_request.resource) if share_request.mode == DeliveryMode.TABLE else []
    known = {item.identifier: item for item in items}
    for identifier in answers:
        if identifier not in known:
            errors.add(f"items.{identifier}", _("Not an item of this request."), ErrorCode.INVALID)
    first_answer = action == Action.DECIDE
    for item in items:
        answer = answers.get(item.identifier)
        open_now = item.decision == ItemDecision.PENDING or (
            not first_answer and item.decision == ItemDecision.REJECTED
        )
        if answer is None:
            if open_now and first_answer:
                errors.add(
                    f"items.{item.identifier}",
                    _("Answer this item: grant it or refuse it with a reason."),
                    ErrorCode.REQUIRED,
                )
            continue
        if not open_now and not answer.grant:
            # Granted already (unconditional items at conformity, or an earlier round): the
            # answer may set its masking, never take it back (a grant is revoked as a whole).
            errors.add(
                f"items.{item.identifier}",
                _("This item is granted already; it cannot be refused now."),
                ErrorCode.CONFLICT,
            )
            continue
        if not answer.grant and not answer.reason.strip():
            errors.add(
                f"items.{item.identifier}",
                _("A refused item needs the reason for refusing it."),
                ErrorCode.REQUIRED,
            )
        if answer.masking is not None and answer.masking not in Masking.values:
            errors.add(
                f"items.{item.identifier}", _("Choose a masking from the list."), ErrorCode.INVALID
            )
        _check_table_key(share_request, item, answer, keys, errors)
        if first_answer and answer.grant and item.share_type == ShareType.NOT_SHARED:
            errors.add(
                f"items.{item.identifier}",
                _("An item that is not shared can only be granted in negotiation or coordination."),
                ErrorCode.INVALID,
            )
    errors.raise_if_any()


def _check_table_key(
    share_request: ShareRequest,
    item: RequestItem,
    answer: ItemAnswer,
    keys: list[str],
    errors: ErrorCollector,
) -> None:
    """A table exchange copies rows by their key: a key item refused or masked would leave the
    consumer's table without a primary key (exchange.sync.spec), so neither is allowed."""
    if item.identifier not in keys:
        return
    masking = answer.masking if answer.masking is not None else item.masking
    if not answer.grant or masking != Masking.NONE:
        errors.add(
            f"items.{item.identifier}",
            _(
                "%(item)s is a key item of the table: table exchange needs it granted "
                "without masking."
            )
            % {"item": item.name},
            ErrorCode.INVALID,
        )


def _check_still_grantable(share_request: ShareRequest) -> None:
    """Whatever round grants (a refusal negotiated, a conformity rejection coordinated), the
    resource must still be published and the application still in use."""
    problems = []
    if share_request.resource.status != ResourceStatus.PUBLISHED:
        problems.append(_("The resource is no longer published."))
    if share_request.application.lifecycle not in LIVE_LIFECYCLES:
        problems.append(_("The application is no longer in use."))
    if problems:
        raise field_error("state", "；".join(problems), ErrorCode.CONFLICT)


def _start_provider_clock(share_request: ShareRequest) -> None:
    """The provider's deadline (51号: 10 working days by default) runs from today."""
    share_request.provider_due = calendar.add_working_days(
        timezone.localdate(), int(param(cfg.PROVIDER_DAYS.key))
    )
    share_request.provider_answered = None
    share_request.save(update_fields=["provider_due", "provider_answered"])


def _start_coordination(share_request: ShareRequest) -> None:
    share_request.coordination_due = calendar.add_working_days(
        timezone.localdate(), int(param(cfg.COORDINATION_DAYS.key))
    )
    share_request.coordination_answered = None
    share_request.save(update_fields=["coordination_due", "coordination_answered"])


# --- grants -----------------------------------------------------------------------------------


def _grant_create(share_request: ShareRequest, terms: GrantTerms) -> Grant:
    """Turn the granted items of an approved request into its grant (or refresh the grant)."""
    today = timezone.localdate()
    valid_until = share_request.period_end
    if terms.valid_until is not None:
        check_valid_until(terms.valid_until, share_request)
        valid_until = terms.valid_until
    grant, _created = Grant.objects.update_or_create(
        request=share_request,
        defaults={
            "application_id": share_request.application_id,
            "consumer_id": share_request.consumer_id,
            "provider_id": share_request.provider_id,
            "resource_id": share_request.resource_id,
            "mode": share_request.mode,
            "valid_from": max(today, share_request.period_start),
            "valid_until": valid_until,
            "daily_quota": positive_int(
                "daily_quota", terms.daily_quota, int(param(cfg.DAILY_QUOTA.key))
            ),
            "rate_per_minute": positive_int(
                "rate_per_minute", terms.rate_per_minute, int(param(cfg.RATE_PER_MINUTE.key))
            ),
            "row_filter": clean_row_filter(terms.row_filter, share_request),
        },
    )
    grant.items.all().delete()
    GrantItem.objects.bulk_create(
        GrantItem(grant=grant, identifier=item.identifier, name=item.name, masking=item.masking)
        for item in share_request.items.filter(decision=ItemDecision.GRANTED)
    )
    audit.record(
        actor=None,
        action="sharing.grant.create",
        obj=grant,
        department_id=share_request.provider_id,
        after={
            "items": {item.identifier: item.masking for item in grant.items.all()},
            "valid_until": grant.valid_until.isoformat(),
            "daily_quota": grant.daily_quota,
            "rate_per_minute": grant.rate_per_minute,
            "row_filter": grant.row_filter,
        },
    )
    stamps.bump(GATEWAY)
    grant_changed(grant)
    return grant


@internal("a rule of the grant terms, checked by services that authorize")
def check_valid_until(valid_until: Any, share_request: ShareRequest) -> None:
    """A well-formed date that clashes with today or the request's stored period is a conflict
    (409), as the API's document says of every such rule."""
    if not isinstance(valid_until, dt.date):
        raise field_error("valid_until", _("Enter a valid date."), ErrorCode.INVALID)
    if valid_until < timezone.localdate():
        raise field_error("valid_until", _("The date has already passed."), ErrorCode.CONFLICT)
    if valid_until < share_request.period_start:
        raise field_error(
            "valid_until",
            _("A grant cannot end before the period requested starts (%(start)s).")
            % {"start": share_request.period_start.isoformat()},
            ErrorCode.CONFLICT,
        )
    if valid_until > share_request.period_end:
        raise field_error(
            "valid_until",
            _("A grant cannot outlast the period requested (until %(end)s).")
            % {"end": share_request.period_end.isoformat()},
            ErrorCode.CONFLICT,
        )


@internal("a rule of the grant terms, checked by services that authorize")
def positive_int(field: str, value: Any, default: int) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise field_error(field, _("Enter a whole number of at least 1."), ErrorCode.INVALID)
    return value


@internal("a rule of the grant terms, checked by services that authorize")
def clean_row_filter(
    row_filter: Mapping[str, Sequence[str]] | None, share_request: ShareRequest
) -> dict[str, list[str]]:
    """Rows restricted by item values; the items must be items of the resource in force."""
    if not row_filter:
        return {}
    version = share_request.resource.current_version
    identifiers = set(version.items.values_list("identifier", flat=True)) if version else set()
    cleaned: dict[str, list[str]] = {}
    for identifier, values in row_filter.items():
        if identifier not in identifiers:
            raise field_error(
                "row_filter",
                _("Not a data item of the resource: %(item)s.") % {"item": identifier},
                ErrorCode.INVALID,
            )
        allowed = [str(value).strip() for value in values if str(value).strip()]
        if not allowed:
            raise field_error(
                "row_filter",
                _("Give at least one allowed value for %(item)s.") % {"item": identifier},
                ErrorCode.INVALID,
            )
        cleaned[identifier] = allowed
    return cleaned


# --- the machinery ----------------------------------------------------------------------------


@internal("the state machine's check, for services that authorize the party")
def check_step(share_request: ShareRequest, action: str, party: str) -> tuple[str, str]:
    step = TRANSITIONS.get((share_request.state, action))
    # The platform takes the authority's automatic steps (conformity without a reviewer).
    allowed = step is not None and (
        step[1] == party or (party == Party.SYSTEM and step[1] == Party.AUTHORITY)
    )
    if not allowed:
        raise field_error(
            "state",
            _("This step is not possible while the request is “%(state)s”.")
            % {"state": RequestState(share_request.state).label},
            ErrorCode.CONFLICT,
        )
    return step  # type: ignore[return-value]


@internal("the state machine's move, for services that have authorized the party")
def step(
    actor: Actor | None,
    share_request: ShareRequest,
    action: str,
    party: str,
    note: str,
    target: str | None = None,
) -> None:
    """Take one step of the state machine: check it, move, record the event and the audit.

    The request's row is locked and its state read again first (call inside the service's
    transaction): two steps at once — a resume racing a revoke — cannot both pass the check.
    """
    stored = (
        ShareRequest.objects.select_for_update()
        .filter(pk=share_request.pk)
        .values_list("state", flat=True)
        .get()
    )
    if stored != share_request.state:
        raise field_error(
            "state",
            _("The request changed meanwhile; reload it and try again."),
            ErrorCode.CONFLICT,
        )
    next_state, _party = check_step(share_request, action, party)
    before = share_request.state
    share_request.state = target or next_state
    share_request.save(update_fields=["state", "updated"])
    _event(actor, share_request, action, party, before, note)
    audit.record(
        actor=actor,
        action=f"sharing.request.{action}",
        obj=share_request,
        department_id=(
            share_request.provider_id if party == Party.PROVIDER else share_request.consumer_id
        ),
        before={"state": before},
        after={"state": share_request.state, "note": note},
    )
    if before in GRANT_LIVE or share_request.state in GRANT_LIVE:
        stamps.bump(GATEWAY)
    if before != share_request.state and share_request.state in GRANT_STATES:
        # A grant's state is its request's: its listeners (the 库表 subscription) follow it.
        grant = Grant.objects.filter(request=share_request).select_related("request").first()
        if grant is not None:
            grant_changed(grant)


def _event(
    actor: Actor | None,
    share_request: ShareRequest,
    action: str,
    party: str,
    before: str,
    note: str,
) -> None:
    person = person_of(actor)
    RequestEvent.objects.create(
        request=share_request,
        action=action,
        party=party,
        from_state=before,
        to_state=share_request.state,
        actor=person,
        actor_name=person.get_username() if person is not None else "system",
        note=note.strip(),
    )


def _close_clock(share_request: ShareRequest, field: str) -> None:
    setattr(share_request, field, timezone.now())
    share_request.save(update_fields=[field])


@internal("a rule of a step, checked by services that authorize")
def require_note(note: str, field: str = "note") -> None:
    """A step that needs a reason; the error names ``field``, the caller's name for it."""
    if not note.strip():
        raise field_error(field, _("Say why."), ErrorCode.REQUIRED)


def _snapshot(share_request: ShareRequest) -> dict[str, Any]:
    values = {name: getattr(share_request, name) for name in REQUEST_FIELDS}
    values["items"] = list(share_request.items.values_list("identifier", flat=True))
    values["application"] = share_request.application_id
    values["resource"] = share_request.resource_id
    return values


def request_answer(
    *,
    actor: Actor,
    share_request: ShareRequest,
    answers: Mapping[str, ItemAnswer],
    terms: GrantTerms = GrantTerms(),
    note: str = "",
) -> ShareRequest:
    """Answer the items in whatever round the request is: the provider's review, negotiation
    or the authority's coordination (one entry point for the UI and the API). Each round's
    service authorizes its party; a request in no answering round is a conflict, named."""
    state = share_request.state
    if state == RequestState.NEGOTIATION:
        return negotiation_agree(
            actor=actor, share_request=share_request, answers=answers, terms=terms, note=note
        )
    if state == RequestState.COORDINATION:
        return coordination_decide(
            actor=actor, share_request=share_request, answers=answers, terms=terms, note=note
        )
    if state != RequestState.PROVIDER_REVIEW:
        check_step(share_request, Action.DECIDE, Party.PROVIDER)  # raises, naming the state
    return provider_decide(
        actor=actor, share_request=share_request, answers=answers, terms=terms, note=note
    )
