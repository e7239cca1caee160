"""Pages of the bulk exchange (批量交换): table subscriptions (库表订阅) with their configuration
and runs, a run's live progress, a 文件 grant's packages, and destination folders.

Consumers see their subscriptions, providers those on their resources, admins and auditors all
(exchange/permissions.py); only the consumer's data officer configures them. The run page polls
the API's run endpoint (``/api/v1/exchange/runs/<id>``) while the run is live (static
exchange/run-progress.js, no CDN).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from govshare.core.actors import Actor
from govshare.core.forms import submit
from govshare.core.permissions import can, require
from govshare.core.text import join_sentences
from govshare.core.web.action_views import action_view
from govshare.core.web.pages import Crumb, post_data, render_form_page
from govshare.core.web.pagination import paginate
from govshare.exchange import bulk, services
from govshare.exchange.files.services import build_package
from govshare.exchange.forms import DropFolderForm, PackageBuildForm, SubscriptionForm
from govshare.exchange.models import DropFolder, FilePackage, Subscription, SyncRun
from govshare.exchange.sync import runner
from govshare.orgs.models import Department
from govshare.sharing.choices import DeliveryMode
from govshare.sharing.models import Grant

RUNS_SHOWN = 20


def subscription_crumbs() -> list[Crumb]:
    return [Crumb(_("Table subscriptions"), reverse("exchange:subscription_list"))]


def visible_subscription(request: HttpRequest, pk: int) -> Subscription:
    return get_object_or_404(bulk.subscriptions(request.user), pk=pk)


@login_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    side = request.GET.get("side") or ""
    rows = bulk.subscriptions(request.user, side if side in bulk.SIDES else None)
    context = {**paginate(request, rows), "side": side}
    return render(request, "exchange/subscriptions/list.html", context)


def _config_form(subscription: Subscription, data: Any = None) -> SubscriptionForm:
    initial = {
        name: getattr(subscription, name)
        for name in services.subscriptions.CONFIG_FIELDS
        if name != "destination"
    }
    initial["destination"] = subscription.destination_id
    return SubscriptionForm(
        data,
        initial=initial,
        destinations=services.destination_databases(subscription.grant.consumer_id),
    )


@login_required
def subscription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = visible_subscription(request, pk)
    can_change = can(request.user, "change", subscription)
    form = _config_form(subscription) if can_change else None
    return _render_detail(request, subscription, form)


def _render_detail(
    request: HttpRequest, subscription: Subscription, form: SubscriptionForm | None
) -> HttpResponse:
    runs = list(bulk.runs(request.user, subscription.pk)[:RUNS_SHOWN])
    context = {
        "subscription": subscription,
        "grant": subscription.grant,
        "delivered": bulk.delivered_columns(subscription),
        "runs": [(run, bulk.duration_seconds(run)) for run in runs],
        "form": form,
        "can_change": form is not None,
        "can_run": runner.may_run(request.user, subscription),
        "crumbs": subscription_crumbs(),
    }
    status = 400 if form is not None and form.is_bound else 200
    return render(request, "exchange/subscriptions/detail.html", context, status=status)


@login_required
def subscription_configure(request: HttpRequest, pk: int) -> HttpResponse:
    """The consumer's configuration form (POST); a GET shows the subscription's page."""
    subscription = visible_subscription(request, pk)
    if request.method != "POST":
        return redirect("exchange:subscription_detail", pk=pk)
    require(request.user, "change", subscription)
    form = _config_form(subscription, post_data(request))

    def save(data: dict[str, Any]) -> Subscription:
        return services.subscription_configure(
            actor=request.user, subscription=subscription, data=data
        )

    if submit(form, save) is not None:
        messages.success(request, _("The subscription was saved."))
        return redirect("exchange:subscription_detail", pk=pk)
    subscription.refresh_from_db()
    return _render_detail(request, subscription, form)


@login_required
@action_view("exchange:subscription_detail")
def subscription_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Run now (立即同步): queue the run the subscription needs next."""
    subscription = visible_subscription(request, pk)
    return _started(request, subscription, lambda: runner.start_run(request.user, subscription))


@login_required
@action_view("exchange:subscription_detail")
def subscription_reconcile(request: HttpRequest, pk: int) -> HttpResponse:
    """Reconcile now (立即对账): compare the source's granted rows with the destination's."""
    subscription = visible_subscription(request, pk)
    return _started(
        request, subscription, lambda: runner.start_reconcile(request.user, subscription)
    )


def _started(
    request: HttpRequest, subscription: Subscription, start: Callable[[], SyncRun]
) -> HttpResponse:
    try:
        run = start()
    except ValidationError as error:
        messages.error(request, join_sentences(error.messages))
        return redirect("exchange:subscription_detail", pk=subscription.pk)
    messages.success(request, _("Run #%(number)s was queued.") % {"number": run.pk})
    return redirect("exchange:run_detail", pk=run.pk)


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(bulk.runs(request.user), pk=pk)
    subscription = run.subscription
    context = {
        "run": run,
        "subscription": subscription,
        "progress": bulk.run_progress(run),
        "duration": bulk.duration_seconds(run),
        "crumbs": [
            *subscription_crumbs(),
            Crumb(
                str(subscription), reverse("exchange:subscription_detail", args=[subscription.pk])
            ),
        ],
    }
    return render(request, "exchange/subscriptions/run.html", context)


# --- file packages --------------------------------------------------------------------------


def visible_grant(request: HttpRequest, pk: int) -> Grant:
    grants = Grant.objects.restrict(request.user, "view").select_related("request", "resource")
    return get_object_or_404(grants, pk=pk, mode=DeliveryMode.FILE)


def package_form(grant: Grant, data: Any = None) -> PackageBuildForm:
    folders = DropFolder.objects.filter(department_id=grant.consumer_id).order_by("name")
    return PackageBuildForm(data, folders=folders, formats=bulk.package_formats(grant))


@login_required
def package_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The packages of one 文件 grant, newest first, and the form to build another."""
    grant = visible_grant(request, pk)
    can_build = can(request.user, "add", FilePackage(grant=grant))
    form = package_form(grant) if can_build else None
    return _render_packages(request, grant, form)


def _render_packages(
    request: HttpRequest, grant: Grant, form: PackageBuildForm | None
) -> HttpResponse:
    context = {
        **paginate(request, bulk.packages(request.user, grant.pk)),
        "grant": grant,
        "form": form,
        "download_url_name": "exchange:package-download",
    }
    status = 400 if form is not None and form.is_bound else 200
    return render(request, "exchange/subscriptions/packages.html", context, status=status)


@login_required
@action_view("exchange:package_list")
def package_build(request: HttpRequest, pk: int) -> HttpResponse:
    """Build a package (生成文件包) of the grant, to download or to write into a folder."""
    grant = visible_grant(request, pk)
    form = package_form(grant, post_data(request))

    def build(data: dict[str, Any]) -> FilePackage:
        return build_package(request.user, grant, format=data["format"], folder=data["folder"])

    if (package := submit(form, build)) is not None:
        messages.success(
            request, _("Package %(number)s is being packed.") % {"number": package.number}
        )
        return redirect("exchange:package_list", pk=grant.pk)
    return _render_packages(request, grant, form)


# --- destination folders ----------------------------------------------------------------------


def folder_departments(user: Actor) -> QuerySet[Department]:
    """Departments for which ``user`` may add a folder (the policy decides)."""
    active = Department.objects.filter(is_active=True).order_by("name")
    allowed = [d.pk for d in active if can(user, "add", DropFolder(department=d))]
    return active.filter(pk__in=allowed)


@login_required
def folder_create(request: HttpRequest) -> HttpResponse:
    departments = folder_departments(request.user)
    if not departments:
        raise PermissionDenied("add")
    active = getattr(request, "active_department_id", None)
    form = DropFolderForm(
        post_data(request),
        departments=departments,
        initial={"department": active if active in {d.pk for d in departments} else None},
    )

    def create(data: dict[str, Any]) -> DropFolder:
        return services.drop_folder_create(
            actor=request.user, department=data["department"], data=data
        )

    if request.method == "POST" and (folder := submit(form, create)):
        messages.success(request, _("Folder %(name)s was saved.") % {"name": folder.name})
        return redirect("exchange:destination_list")
    return render_form_page(
        request,
        form,
        title=_("New destination folder"),
        crumbs=[Crumb(_("Front-end databases"), reverse("exchange:destination_list"))],
        cancel_url=reverse("exchange:destination_list"),
    )


def grant_links(grant: Grant, user: Actor) -> list[tuple[Any, str]]:
    """Links from a grant's page (sharing) to its subscription or its packages."""
    if grant.mode == DeliveryMode.FILE:
        return [(_("File packages"), reverse("exchange:package_list", args=[grant.pk]))]
    if grant.mode != DeliveryMode.TABLE:
        return []
    rows = bulk.subscriptions(user).filter(grant=grant)
    return [
        (_("Table subscription"), reverse("exchange:subscription_detail", args=[pk]))
        for pk in rows.values_list("pk", flat=True)
    ]


urlpatterns: list[URLPattern] = [
    path("subscriptions/", subscription_list, name="subscription_list"),
    path("subscriptions/<int:pk>/", subscription_detail, name="subscription_detail"),
    path(
        "subscriptions/<int:pk>/configure/", subscription_configure, name="subscription_configure"
    ),
    path("subscriptions/<int:pk>/run/", subscription_run, name="subscription_run"),
    path(
        "subscriptions/<int:pk>/reconcile/", subscription_reconcile, name="subscription_reconcile"
    ),
    path("runs/<int:pk>/", run_detail, name="run_detail"),
    path("grants/<int:pk>/packages/", package_list, name="package_list"),
    path("grants/<int:pk>/packages/build/", package_build, name="package_build"),
    path("destinations/folders/new/", folder_create, name="folder_create"),
]
