"""The authority's review (审核): the inbox of submitted versions, and the decision on one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from govshare.catalog import selectors, services
from govshare.catalog.forms import InboxFilterForm, ReviewForm
from govshare.catalog.models import Resource
from govshare.catalog.views.resources import catalog_crumbs, visible_resource
from govshare.core.forms import submit
from govshare.core.permissions import require
from govshare.core.web.action_views import action_view
from govshare.core.web.pages import Crumb, render_form_page
from govshare.core.web.pagination import paginate
from govshare.orgs.models import Department


@login_required
def review_inbox(request: HttpRequest) -> HttpResponse:
    require(request.user, "review", Resource)
    providers = Department.objects.filter(is_active=True).order_by("name")
    form = InboxFilterForm(request.GET or None, providers=providers)
    versions = selectors.review_inbox(request.user, **form.selector_filters())
    context = {"form": form, **paginate(request, versions)}
    return render(request, "catalog/review/inbox.html", context)


@login_required
@action_view("catalog:resource_detail")
def resource_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve the submitted version (it comes into force and, the first time, gets its code)
    or return it with comments."""
    resource = visible_resource(request, pk)
    require(request.user, "review", resource)
    form = ReviewForm(request.POST)

    def decide(data: dict[str, Any]) -> Resource:
        try:
            return services.resource_review(
                actor=request.user,
                resource=resource,
                approve=data["decision"] == ReviewForm.APPROVE,
                note=data["comments"],
            )
        except ValidationError as error:
            raise _as_comments(error) from error

    if submit(form, decide):
        approved = form.cleaned_data["decision"] == ReviewForm.APPROVE
        text = (
            _("%(name)s was approved; its code is %(code)s.")
            if approved
            else _("%(name)s was returned to the provider.")
        )
        messages.success(request, text % {"name": resource.name, "code": resource.code})
        return redirect(_next_url(request, form) or reverse("catalog:review_inbox"))
    detail_url = reverse("catalog:resource_detail", args=[resource.pk])
    response = render_form_page(
        request,
        form,
        title=_("Review %(name)s") % {"name": resource.name},
        crumbs=[
            *catalog_crumbs(),
            Crumb(_("Review inbox"), reverse("catalog:review_inbox")),
            Crumb(resource.name, detail_url),
        ],
        cancel_url=detail_url,
    )
    response.status_code = 400
    return response


def _as_comments(error: ValidationError) -> ValidationError:
    """The service names the review comments ``note``; the form calls them ``comments``."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {("comments" if key == "note" else key): errors for key, errors in error.error_dict.items()}
    )


def _next_url(request: HttpRequest, form: ReviewForm) -> str:
    target = form.cleaned_data.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


urlpatterns: list[URLPattern] = [
    path("review/", review_inbox, name="review_inbox"),
    path("resources/<int:pk>/review/", resource_review, name="resource_review"),
]
