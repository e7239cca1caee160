"""Pages of a department's database connections: a provider's sources (数据源) and a consumer's
front-end databases (前置库, role destination) — one set of views, told the role by the URL map:
list, register, edit, test. The front-end databases' list also shows the destination folders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from govshare.core.actors import Actor
from govshare.core.forms import submit
from govshare.core.permissions import can, require
from govshare.core.web.action_views import action_view
from govshare.core.web.pages import Crumb, post_data
from govshare.exchange import services
from govshare.exchange.forms import ConnectionForm
from govshare.exchange.models import (
    Connection,
    ConnectionRole,
    DropFolder,
    Subscription,
    TableMount,
)
from govshare.orgs.models import Department

ROLE_LISTS: dict[str, str] = {
    ConnectionRole.SOURCE: "exchange:connection_list",
    ConnectionRole.DESTINATION: "exchange:destination_list",
}


def role_title(role: str) -> str:
    return (
        _("Front-end databases")
        if role == ConnectionRole.DESTINATION
        else _("Database connections")
    )


def connection_crumbs(role: str = ConnectionRole.SOURCE) -> list[Crumb]:
    return [
        Crumb(role_title(role), reverse(ROLE_LISTS.get(role, ROLE_LISTS[ConnectionRole.SOURCE])))
    ]


def connection_departments(user: Actor) -> QuerySet[Department]:
    """Departments for which ``user`` may register a connection (the policy decides)."""
    active = Department.objects.filter(is_active=True).order_by("name")
    allowed = [d.pk for d in active if can(user, "add", Connection(department=d))]
    return active.filter(pk__in=allowed)


def visible_connection(request: HttpRequest, pk: int) -> Connection:
    connections = Connection.objects.restrict(request.user, "view").select_related("department")
    return get_object_or_404(connections, pk=pk)


@login_required
def connection_list(request: HttpRequest, role: str = ConnectionRole.SOURCE) -> HttpResponse:
    connections = Connection.objects.restrict(request.user, "view").select_related("department")
    context: dict[str, Any] = {
        "connections": connections.filter(role=role),
        "can_add": bool(connection_departments(request.user)),
        "role": role,
        "title": role_title(role),
        "create_url": reverse(
            "exchange:destination_create"
            if role == ConnectionRole.DESTINATION
            else "exchange:connection_create"
        ),
    }
    if role == ConnectionRole.DESTINATION:
        folders = DropFolder.objects.restrict(request.user, "view").select_related("department")
        context["folders"] = folders
        context["can_add_folder"] = can(request.user, "add", DropFolder)
    return render(request, "exchange/connections/list.html", context)


@login_required
def connection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    connection = visible_connection(request, pk)
    mounts = TableMount.objects.filter(connection=connection).select_related("mount__resource")
    context = {
        "connection": connection,
        "mounts": mounts,
        "subscriptions": Subscription.objects.restrict(request.user, "view")
        .filter(destination=connection)
        .select_related("grant__request", "grant__resource"),
        "can_change": can(request.user, "change", connection),
        "crumbs": connection_crumbs(connection.role),
    }
    return render(request, "exchange/connections/detail.html", context)


def _render_form(
    request: HttpRequest,
    form: ConnectionForm,
    *,
    title: str,
    cancel_url: str,
    role: str = ConnectionRole.SOURCE,
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "cancel_url": cancel_url,
        "crumbs": connection_crumbs(role),
    }
    return render(request, "exchange/connections/form.html", context)


@login_required
def connection_create(request: HttpRequest, role: str = ConnectionRole.SOURCE) -> HttpResponse:
    departments = connection_departments(request.user)
    if not departments:
        raise PermissionDenied("add")
    active = getattr(request, "active_department_id", None)
    form = ConnectionForm(
        post_data(request),
        departments=departments,
        initial={"department": active if active in {d.pk for d in departments} else None},
    )

    def create(data: dict[str, Any]) -> Connection:
        return services.connection_create(
            actor=request.user, department=data["department"], data=form.service_data(), role=role
        )

    if request.method == "POST" and (connection := submit(form, create)):
        messages.success(request, _("Connection %(name)s was saved.") % {"name": connection.name})
        return redirect("exchange:connection_detail", pk=connection.pk)
    is_destination = role == ConnectionRole.DESTINATION
    return _render_form(
        request,
        form,
        title=_("New front-end database") if is_destination else _("New database connection"),
        cancel_url=reverse(ROLE_LISTS[role]),
        role=role,
    )


@login_required
def connection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    connection = visible_connection(request, pk)
    require(request.user, "change", connection)
    initial = {name: getattr(connection, name) for name in services.CONNECTION_FIELDS}
    form = ConnectionForm(
        post_data(request), initial=initial, has_password=bool(connection.password_encrypted)
    )

    def save(data: dict[str, Any]) -> Connection:
        return services.connection_update(
            actor=request.user, connection=connection, data=form.service_data()
        )

    if request.method == "POST" and submit(form, save) is not None:
        messages.success(request, _("Connection %(name)s was saved.") % {"name": connection.name})
        return redirect("exchange:connection_detail", pk=connection.pk)
    return _render_form(
        request,
        form,
        title=_("Edit connection %(name)s") % {"name": connection.name},
        cancel_url=reverse("exchange:connection_detail", args=[connection.pk]),
        role=connection.role,
    )


@login_required
@action_view("exchange:connection_detail")
def connection_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Connect and run SELECT 1 (测试连接)."""
    connection = visible_connection(request, pk)
    result = services.connection_test(actor=request.user, connection=connection)
    (messages.success if result.ok else messages.error)(request, result.message)
    return redirect("exchange:connection_detail", pk=connection.pk)


urlpatterns: list[URLPattern] = [
    path("connections/", connection_list, name="connection_list"),
    path("connections/new/", connection_create, name="connection_create"),
    path("connections/<int:pk>/", connection_detail, name="connection_detail"),
    path("connections/<int:pk>/edit/", connection_edit, name="connection_edit"),
    path("connections/<int:pk>/test/", connection_test, name="connection_test"),
    # A consumer's front-end databases (前置库): the same views, for the destination role.
    path(
        "destinations/",
        connection_list,
        {"role": ConnectionRole.DESTINATION},
        name="destination_list",
    ),
    path(
        "destinations/new/",
        connection_create,
        {"role": ConnectionRole.DESTINATION},
        name="destination_create",
    ),
]
