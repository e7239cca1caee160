"""Pages of sharing requests (共享申请): my department's requests, the request form (from the
catalog's "申请" button or a resource picker), the request page with its clock and timeline,
and the steps each party takes on it. Every write goes through sharing.services.requests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govshare.catalog.choices import ResourceStatus
from govshare.catalog.models import Resource
from govshare.core.actors import Actor
from govshare.core.forms import submit
from govshare.core.permissions import can, require
from govshare.core.roles import Role
from govshare.core.text import join_sentences
from govshare.core.web.action_views import action_view
from govshare.core.web.pages import Crumb, post_data
from govshare.core.web.pagination import paginate
from govshare.sharing import selectors
from govshare.sharing.bulk import available_modes, key_items_of
from govshare.sharing.choices import Action, DeliveryMode, RequestState
from govshare.sharing.clocks import clock_for
from govshare.sharing.forms import (
    AnswerForm,
    ConformityForm,
    NoteForm,
    RequestForm,
    RequestStateFilter,
    ResourcePickerForm,
    item_errors,
)
from govshare.sharing.models import Grant, ShareRequest
from govshare.sharing.services import requests as services
from govshare.sharing.services.refusals import may_negotiate_refusals
from govshare.sharing.views.calendar import NAMESPACE

ACTION_LABELS = dict(Action.choices)


def active_department(request: HttpRequest, *roles: str) -> int | None:
    return selectors.member_department(
        request.user, getattr(request, "active_department_id", None), *roles
    )


def visible_request(request: HttpRequest, pk: int) -> ShareRequest:
    rows = ShareRequest.objects.restrict(request.user, "view").select_related(
        "consumer", "provider", "application", "resource", "resource_version"
    )
    return get_object_or_404(rows, pk=pk)


def detail_url(share_request: ShareRequest) -> str:
    return reverse(f"{NAMESPACE}:request_detail", args=[share_request.pk])


# --- my requests ----------------------------------------------------------------------------


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    """The active department's requests as consumer (everything visible for overseers)."""
    department_id = active_department(request)
    form = RequestStateFilter(request.GET or None)
    rows = selectors.my_requests(request.user, department_id, form.state_value())
    page = paginate(request, rows)
    context = {
        "form": form,
        "department_id": department_id,
        "rows": selectors.with_clocks(page["object_list"]),
        "can_add": active_department(request, Role.DATA_OFFICER) is not None,
        **page,
    }
    return render(request, "sharing/requests/list.html", context)


# --- drafting -------------------------------------------------------------------------------


def _consumer(request: HttpRequest) -> int:
    """The department requesting: the active one, where the user must be the data officer."""
    require(request.user, "add", ShareRequest)
    consumer = active_department(request, Role.DATA_OFFICER)
    if consumer is None:
        raise PermissionDenied(_("Act for a department where you are the data officer."))
    return consumer


def _request_form(
    request: HttpRequest, consumer_id: int, resource: Resource, **kwargs: Any
) -> RequestForm:
    version = resource.current_version
    return RequestForm(
        post_data(request),
        applications=selectors.live_applications(request.user, consumer_id),
        data_items=version.items.all() if version else [],
        modes=available_modes(resource),
        **kwargs,
    )


def _render_form(
    request: HttpRequest,
    form: RequestForm,
    resource: Resource,
    *,
    title: str,
    share_request: ShareRequest | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "resource": resource,
        "title": title,
        "share_request": share_request,
        "cancel_url": detail_url(share_request)
        if share_request
        else reverse("catalog:resource_detail", args=[resource.pk]),
    }
    status = 400 if form.is_bound else 200
    return render(request, "sharing/requests/form.html", context, status=status)


@login_required
def request_create(request: HttpRequest) -> HttpResponse:
    """Draft a request; without ``?resource=`` first pick a published resource."""
    consumer_id = _consumer(request)
    wanted = request.GET.get("resource", "")
    if not wanted:
        return _resource_picker(request, consumer_id)
    if not wanted.isdigit():
        raise Http404
    resource = get_object_or_404(
        Resource.objects.restrict(request.user, "view").select_related("current_version"),
        pk=int(wanted),
        status=ResourceStatus.PUBLISHED,
        current_version__isnull=False,
    )
    today = timezone.localdate()
    # A year from today is the usual period of a request; the officer changes it as needed.
    initial = {"period_start": today, "period_end": today + dt.timedelta(days=365)}
    form = _request_form(request, consumer_id, resource, initial=initial)

    def create(data: dict[str, Any]) -> ShareRequest:
        return services.request_create(
            actor=request.user,
            consumer=data["application"].department,
            application=data["application"],
            resource=resource,
            data=form.request_data(),
            items=data["items"],
        )

    if request.method == "POST" and (share_request := submit(form, create)):
        messages.success(request, _("Request %(number)s was drafted.") % {"number": share_request})
        return _after_save(request, share_request)
    version = resource.current_version
    assert version is not None  # the query above asks for a version in force
    title = _("Request data from %(name)s") % {"name": version.name}
    return _render_form(request, form, resource, title=title)


def _resource_picker(request: HttpRequest, consumer_id: int) -> HttpResponse:
    form = ResourcePickerForm(request.GET or None)
    rows = selectors.requestable_resources(request.user, consumer_id, form.query_value())
    return render(request, "sharing/requests/pick.html", {"form": form, **paginate(request, rows)})


@login_required
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft (also one returned by conformity review)."""
    share_request = visible_request(request, pk)
    require(request.user, "change", share_request)
    if share_request.state != RequestState.DRAFT:
        messages.error(request, _("Only a draft can be edited."))
        return redirect(detail_url(share_request))
    initial = {name: getattr(share_request, name) for name in services.REQUEST_FIELDS}
    initial["application"] = share_request.application_id
    initial["items"] = list(share_request.items.values_list("identifier", flat=True))
    form = _request_form(
        request, share_request.consumer_id, share_request.resource, initial=initial
    )
    form.fields["application"].disabled = True  # a draft keeps its application

    def update(data: dict[str, Any]) -> ShareRequest:
        return services.request_update(
            actor=request.user,
            share_request=share_request,
            data=form.request_data(),
            items=data["items"],
        )

    if request.method == "POST" and (saved := submit(form, update)):
        messages.success(request, _("Request %(number)s was saved.") % {"number": saved})
        return _after_save(request, saved)
    title = _("Edit request %(number)s") % {"number": share_request.number}
    return _render_form(
        request, form, share_request.resource, title=title, share_request=share_request
    )


def _after_save(request: HttpRequest, share_request: ShareRequest) -> HttpResponse:
    """ "Save and submit" submits the draft just saved; a refusal leaves it a draft."""
    if request.POST.get("then") == "submit":
        try:
            services.request_submit(actor=request.user, share_request=share_request)
        except ValidationError as error:
            messages.error(request, join_sentences(error.messages))
        else:
            messages.success(request, _("The request was submitted."))
    return redirect(detail_url(share_request))


# --- the request page -----------------------------------------------------------------------


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, visible_request(request, pk))


def _detail_page(
    request: HttpRequest,
    share_request: ShareRequest,
    bound: tuple[str, forms.Form] | None = None,
) -> HttpResponse:
    """The request page; ``bound`` is a step's form sent back with its errors."""
    user = request.user
    actions = selectors.request_actions(user, share_request)
    step_forms = {
        name: step_form(name, share_request)
        for name, step in STEPS.items()
        if step.actions & actions
    }
    if bound is not None:
        step_forms[bound[0]] = bound[1]
    grant = Grant.objects.restrict(user, "view").filter(request=share_request).first()
    context = {
        "share_request": share_request,
        "items": list(share_request.items.all()),
        "clock": clock_for(share_request),
        "events": [
            (event, ACTION_LABELS.get(event.action, event.action))
            for event in share_request.events.all()
        ],
        "actions": actions,
        "step_forms": step_forms,
        "can_edit": Action.EDIT in actions,
        "findings": services.conformity_findings(share_request)
        if "conformity" in step_forms
        else [],
        "grant": grant,
        "inbox": _inbox_of(request, share_request),
        # Refused items of a granted request are negotiated in a request of their own.
        "refusal_negotiations": list(share_request.refusal_negotiations.all()),
        "refusals_form": NoteForm(auto_id="id_refusals_%s")
        if can(user, "change", share_request) and may_negotiate_refusals(share_request)
        else None,
    }
    status = 400 if bound is not None else 200
    return render(request, "sharing/requests/detail.html", context, status=status)


def _inbox_of(request: HttpRequest, share_request: ShareRequest) -> Crumb:
    """The list the reader came from, by the side they act for: the consumer's requests, the
    provider's inbox, or (for the authority, acting for neither side) the authority's inbox."""
    department_id = getattr(request, "active_department_id", None)
    if department_id == share_request.provider_id:
        return Crumb(_("Provider inbox"), reverse(f"{NAMESPACE}:provider_inbox"))
    if department_id != share_request.consumer_id and can(request.user, "review", share_request):
        return Crumb(_("Authority inbox"), reverse(f"{NAMESPACE}:authority_inbox"))
    return Crumb(_("My requests"), reverse(f"{NAMESPACE}:request_list"))


# --- steps ----------------------------------------------------------------------------------


def _same(error: ValidationError) -> ValidationError:
    return error


@dataclass(frozen=True)
class Step:
    """One step a party takes from the request page: its form, the state machine's actions it
    stands for, the service call, and how the service's error keys map to the form's fields."""

    form: Callable[..., forms.Form]
    actions: frozenset[str]
    call: Callable[[Any, ShareRequest, Any], Any]
    done: Any  # the message once taken
    takes_items: bool = False
    errors: Callable[[ValidationError], ValidationError] = _same


def step_form(name: str, share_request: ShareRequest, data: Any = None) -> forms.Form:
    """A step's form; ids carry the step's name, as the page holds several forms."""
    step = STEPS[name]
    kwargs: dict[str, Any] = {"auto_id": f"id_{name}_%s"}
    if step.takes_items:
        kwargs["items"] = selectors.open_items(share_request)
        if share_request.mode == DeliveryMode.TABLE:
            kwargs["key_items"] = key_items_of(share_request.resource)
    return step.form(data, **kwargs)


def _answer(actor: Actor, share_request: ShareRequest, form: AnswerForm) -> ShareRequest:
    """The item-by-item answer of the party whose turn it is."""
    return services.request_answer(
        actor=actor,
        share_request=share_request,
        answers=form.answers(),
        terms=form.terms(),
        note=form.cleaned_data["note"],
    )


def _noted(service: Callable[..., ShareRequest]) -> Callable[[Any, ShareRequest, Any], Any]:
    def call(actor: Actor, share_request: ShareRequest, form: forms.Form) -> ShareRequest:
        return service(actor=actor, share_request=share_request, note=form.cleaned_data["note"])

    return call


def _conformity(actor: Actor, share_request: ShareRequest, form: forms.Form) -> ShareRequest:
    return services.conformity_review(
        actor=actor,
        share_request=share_request,
        outcome=form.cleaned_data["outcome"],
        note=form.cleaned_data["note"],
    )


STEPS: dict[str, Step] = {
    "submit": Step(
        NoteForm,
        frozenset({Action.SUBMIT}),
        _noted(services.request_submit),
        gettext_lazy("The request was submitted."),
    ),
    "withdraw": Step(
        NoteForm,
        frozenset({Action.WITHDRAW}),
        _noted(services.request_withdraw),
        gettext_lazy("The request was withdrawn."),
    ),
    "conformity": Step(
        ConformityForm,
        frozenset({Action.CONFORMITY_PASS}),
        _conformity,
        gettext_lazy("The conformity review was recorded."),
    ),
    "answer": Step(
        AnswerForm,
        frozenset({Action.DECIDE, Action.AGREE, Action.COORDINATE}),
        _answer,
        gettext_lazy("The answer was recorded."),
        takes_items=True,
        errors=item_errors,
    ),
    "negotiate": Step(
        NoteForm,
        frozenset({Action.NEGOTIATE}),
        _noted(services.negotiation_open),
        gettext_lazy("Negotiation with the provider was opened."),
    ),
    "escalate": Step(
        NoteForm,
        frozenset({Action.ESCALATE}),
        _noted(services.negotiation_escalate),
        gettext_lazy("The request was sent to the authority for coordination."),
    ),
    "close": Step(
        NoteForm,
        frozenset({Action.CLOSE}),
        _noted(services.request_close),
        gettext_lazy("The request was closed."),
    ),
}


def _permission_for(step: str, share_request: ShareRequest) -> str:
    """The policy action a step needs (sharing/permissions.py), checked before the form."""
    if step == "conformity":
        return "review"
    coordinating = share_request.state == RequestState.COORDINATION
    if step == "answer":
        return "review" if coordinating else "decide"
    if step == "close":
        return "review" if coordinating else "change"
    return "change"


@login_required
@action_view("sharing:request_detail")
def request_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    share_request = visible_request(request, pk)
    require(request.user, _permission_for(step, share_request), share_request)
    spec = STEPS[step]
    form = step_form(step, share_request, request.POST)

    def take(_data: dict[str, Any]) -> ShareRequest:
        try:
            return spec.call(request.user, share_request, form)
        except ValidationError as error:
            raise spec.errors(error) from error

    if submit(form, take) is not None:
        messages.success(request, str(spec.done))
        return redirect(detail_url(share_request))
    share_request.refresh_from_db()  # a refused step may have changed fields in memory
    return _detail_page(request, share_request, bound=(step, form))


urlpatterns: list[URLPattern] = [
    path("requests/", request_list, name="request_list"),
    path("requests/new/", request_create, name="request_create"),
    path("requests/<int:pk>/", request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", request_edit, name="request_edit"),
    *(
        path(f"requests/<int:pk>/{name}/", request_step, {"step": name}, name=f"request_{name}")
        for name in STEPS
    ),
]
