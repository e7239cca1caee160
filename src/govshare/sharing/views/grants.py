"""Pages of grants (授权): my department's grants as consumer and as provider, a grant's page,
the provider's suspend / resume / revoke / change of conditions / answer to an extension, and
the consumer's extension request (续期申请). Every write goes through sharing.services.grants."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govshare.core.actors import Actor
from govshare.core.forms import submit
from govshare.core.permissions import require
from govshare.core.web.action_views import action_view
from govshare.core.web.pages import Crumb, post_data, render_form_page
from govshare.core.web.pagination import paginate
from govshare.sharing import selectors
from govshare.sharing.bulk import delivery_links
from govshare.sharing.choices import Action
from govshare.sharing.forms import (
    ExtensionAskForm,
    ExtensionDecideForm,
    GrantChangeForm,
    GrantStartForm,
    ReasonForm,
    masking_errors,
    reason_errors,
)
from govshare.sharing.models import Grant
from govshare.sharing.services import grants as services
from govshare.sharing.services.grant_start import grant_start_change
from govshare.sharing.views.requests import NAMESPACE, active_department


def visible_grant(request: HttpRequest, pk: int) -> Grant:
    rows = Grant.objects.restrict(request.user, "view").select_related(
        "request", "application", "resource", "consumer", "provider"
    )
    return get_object_or_404(rows, pk=pk)


def grant_url(grant: Grant) -> str:
    return reverse(f"{NAMESPACE}:grant_detail", args=[grant.pk])


@login_required
def grant_list(request: HttpRequest) -> HttpResponse:
    side = request.GET.get("side", "")
    side = side if side in selectors.GRANT_SIDES else selectors.GRANT_SIDES[0]
    department_id = active_department(request)
    page = paginate(request, selectors.grants(request.user, department_id, side))
    context = {"side": side, "sides": selectors.GRANT_SIDES, **page}
    return render(request, "sharing/grants/list.html", context)


@login_required
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, visible_grant(request, pk))


def _detail_page(
    request: HttpRequest, grant: Grant, bound: tuple[str, forms.Form] | None = None
) -> HttpResponse:
    actions = selectors.request_actions(request.user, grant.request)
    step_forms = {
        name: step.form(auto_id=f"id_{name}_%s")
        for name, step in STEPS.items()
        if step.offered(grant, actions)
    }
    if bound is not None:
        step_forms[bound[0]] = bound[1]
    can_change = Action.GRANT_CHANGE in actions
    context = {
        "grant": grant,
        "items": list(grant.items.all()),
        "step_forms": step_forms,
        "can_change": can_change,
        "can_move_start": can_change and grant.is_not_yet_valid,
        "delivery_links": delivery_links(grant, request.user),
    }
    return render(request, "sharing/grants/detail.html", context, status=400 if bound else 200)


# --- steps ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantStep:
    form: type[forms.Form]
    action: str  # the state machine's action (its party decides who may)
    permission: str
    call: Callable[[Any, Grant, dict[str, Any]], Grant]
    done: Any
    needs_extension: bool | None = None  # only with (True) or without (None: either) one asked

    def offered(self, grant: Grant, actions: frozenset[str]) -> bool:
        pending = grant.extension_until is not None
        return self.action in actions and (self.needs_extension is None or pending)


def _reasoned(service: Callable[..., Grant]) -> Callable[[Any, Grant, dict[str, Any]], Grant]:
    def call(actor: Actor, grant: Grant, data: dict[str, Any]) -> Grant:
        try:
            return service(actor=actor, grant=grant, reason=data["note"])
        except ValidationError as error:
            raise reason_errors(error) from error

    return call


def _extension_ask(actor: Actor, grant: Grant, data: dict[str, Any]) -> Grant:
    return services.grant_extension_ask(
        actor=actor, grant=grant, until=data["until"], note=data["note"]
    )


def _extension_decide(actor: Actor, grant: Grant, data: dict[str, Any]) -> Grant:
    return services.grant_extension_decide(
        actor=actor, grant=grant, approve=data["decision"] == "approve", note=data["note"]
    )


STEPS: dict[str, GrantStep] = {
    "suspend": GrantStep(
        ReasonForm,
        Action.SUSPEND,
        "decide",
        _reasoned(services.grant_suspend),
        gettext_lazy("The grant was suspended."),
    ),
    "resume": GrantStep(
        ReasonForm,
        Action.RESUME,
        "decide",
        _reasoned(services.grant_resume),
        gettext_lazy("The grant was resumed."),
    ),
    "revoke": GrantStep(
        ReasonForm,
        Action.REVOKE,
        "decide",
        _reasoned(services.grant_revoke),
        gettext_lazy("The grant was revoked."),
    ),
    "extension_ask": GrantStep(
        ExtensionAskForm,
        Action.EXTENSION_ASK,
        "change",
        _extension_ask,
        gettext_lazy("The extension was asked for."),
    ),
    "extension_decide": GrantStep(
        ExtensionDecideForm,
        Action.EXTENSION_DECIDE,
        "decide",
        _extension_decide,
        gettext_lazy("The extension was answered."),
        needs_extension=True,
    ),
}


@login_required
@action_view("sharing:grant_detail")
def grant_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    grant = visible_grant(request, pk)
    spec = STEPS[step]
    require(request.user, spec.permission, grant.request)
    form = spec.form(request.POST, auto_id=f"id_{step}_%s")
    if submit(form, lambda data: spec.call(request.user, grant, data)) is not None:
        messages.success(request, str(spec.done))
        return redirect(grant_url(grant))
    grant.refresh_from_db()
    grant.request.refresh_from_db()
    return _detail_page(request, grant, bound=(step, form))


@login_required
def grant_change(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider changes validity, quota, rate, rows or masking, with a reason."""
    grant = visible_grant(request, pk)
    require(request.user, "decide", grant.request)
    if Action.GRANT_CHANGE not in selectors.request_actions(request.user, grant.request):
        messages.error(request, _("Only an active grant's conditions can be changed."))
        return redirect(grant_url(grant))
    data = request.POST if request.method == "POST" else None
    form = GrantChangeForm(data, grant=grant, items=grant.items.all())

    def change(cleaned: dict[str, Any]) -> Grant:
        try:
            return services.grant_change(
                actor=request.user,
                grant=grant,
                terms=form.terms(),
                masking=form.masking(),
                reason=cleaned["note"],
            )
        except ValidationError as error:
            raise masking_errors(reason_errors(error)) from error

    if data is not None and submit(form, change) is not None:
        messages.success(request, _("The grant's conditions were changed."))
        return redirect(grant_url(grant))
    context = {"grant": grant, "form": form}
    status = 400 if data is not None else 200
    return render(request, "sharing/grants/change.html", context, status=status)


@login_required
def grant_start(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider moves the start of a grant not yet in force (未生效), with a reason."""
    grant = visible_grant(request, pk)
    require(request.user, "decide", grant.request)
    if not grant.is_not_yet_valid:
        messages.error(request, _("Only the start of an active grant not yet in force can change."))
        return redirect(grant_url(grant))
    data = post_data(request)
    form = GrantStartForm(data, initial={"valid_from": grant.valid_from})

    def move(cleaned: dict[str, Any]) -> Grant:
        try:
            return grant_start_change(
                actor=request.user,
                grant=grant,
                valid_from=cleaned["valid_from"],
                reason=cleaned["note"],
            )
        except ValidationError as error:
            raise reason_errors(error) from error

    if data is not None and submit(form, move) is not None:
        messages.success(request, _("The grant's start was changed."))
        return redirect(grant_url(grant))
    response = render_form_page(
        request,
        form,
        title=_("Change the start of grant %(number)s") % {"number": grant.request.number},
        crumbs=[
            Crumb(_("Grants"), reverse(f"{NAMESPACE}:grant_list")),
            Crumb(grant.request.number, grant_url(grant)),
        ],
        cancel_url=grant_url(grant),
        intro=_("The grant is not in force yet; until its first day its start can move."),
    )
    response.status_code = 400 if data is not None else 200
    return response


urlpatterns: list[URLPattern] = [
    path("grants/", grant_list, name="grant_list"),
    path("grants/<int:pk>/", grant_detail, name="grant_detail"),
    path("grants/<int:pk>/change/", grant_change, name="grant_change"),
    path("grants/<int:pk>/start/", grant_start, name="grant_start"),
    *(
        path(
            f"grants/<int:pk>/{name.replace('_', '-')}/",
            grant_step,
            {"step": name},
            name=f"grant_{name}",
        )
        for name in STEPS
    ),
]
