"""Home, audit trail, jobs, and error pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from govshare.core.config import param_set, param_values, specs
from govshare.core.dashboard import figures_for
from govshare.core.forms import AuditFilterForm
from govshare.core.jobs import job_start
from govshare.core.models import AuditEvent, ConfigParam, Job
from govshare.core.permissions import can
from govshare.core.roles import principal_of
from govshare.core.selectors import audit_search
from govshare.core.tasks import verify_audit_chain
from govshare.core.web.action_views import action_view
from govshare.core.web.pagination import paginate


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home page of the user's role, with live figures."""
    principal = principal_of(request.user)
    context = {
        "figures": figures_for(request.user, request.active_department_id),  # type: ignore[attr-defined]
        "principal": principal,
        "recent_events": AuditEvent.objects.restrict(request.user, "view").order_by("-seq")[:8],
    }
    return render(request, "core/home.html", context)


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not (can(request.user, "view", AuditEvent) or principal_of(request.user).departments()):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_search(request.user, **{k: v for k, v in filters.items() if v})
    context = {
        "form": form,
        "can_verify": can(request.user, "verify", AuditEvent),
        **paginate(request, events.select_related("actor")),
    }
    return render(request, "core/audit_list.html", context)


@login_required
def audit_detail(request: HttpRequest, seq: int) -> HttpResponse:
    event = get_object_or_404(AuditEvent.objects.restrict(request.user, "view"), seq=seq)
    return render(
        request,
        "core/audit_detail.html",
        {"event": event, "hash_ok": event.compute_hash() == event.hash},
    )


@login_required
@action_view("core:audit_list")
def audit_verify(request: HttpRequest) -> HttpResponse:
    """Start a background verification of the whole chain (auditors and admins)."""
    if not can(request.user, "verify", AuditEvent):
        raise PermissionDenied
    job = job_start(actor=request.user, task=verify_audit_chain, name=_("Verify audit chain"))
    messages.info(request, _("Verification started; its result appears on the job page."))
    return redirect("core:job_detail", pk=job.pk)


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.restrict(request.user, "view").select_related("created_by")
    return render(request, "core/job_list.html", paginate(request, jobs))


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(Job.objects.restrict(request.user, "view"), pk=pk)
    template = (
        "core/job_status.html" if request.headers.get("HX-Request") else "core/job_detail.html"
    )
    return render(request, template, {"job": job})


@login_required
def config_list(request: HttpRequest) -> HttpResponse:
    """The node's configurable rules; administrators change one at a time."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        key = request.POST.get("key", "")
        try:
            param_set(actor=request.user, key=key, value=request.POST.get("value", ""))
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, _("Setting saved."))
            return redirect("core:config_list")
    values = param_values()
    rows = [
        {
            "spec": spec,
            "value": values[spec.key],
            "kind": type(spec.default).__name__,
            "errors": errors.get(spec.key, []),
        }
        for spec in specs()
    ]
    context = {
        "rows": rows,
        "can_change": can(request.user, "change", ConfigParam),
        # An unknown key has no row to show its error on.
        "page_errors": errors.get("key", []),
    }
    return render(request, "core/config_list.html", context, status=422 if errors else 200)


def _error(request: HttpRequest, status: int, title: str, detail: str) -> HttpResponse:
    context: dict[str, Any] = {"status": status, "title": title, "detail": detail}
    return render(request, "error.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, 403, _("Permission denied"), _("Your roles do not allow this action."))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(
        request, 404, _("Not found"), _("The page does not exist, or you may not see it.")
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "error.html",
        {
            "status": 500,
            "title": _("Server error"),
            "detail": _("Something went wrong; it has been logged."),
        },
        status=500,
    )
