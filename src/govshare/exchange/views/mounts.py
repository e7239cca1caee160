"""Pages of a resource's mount slots (挂接): the overview with status and last error, the
configuration of a table, an upstream interface or a file set, and the test button."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from govshare.catalog import selectors
from govshare.catalog.choices import MountKind, MountStatus
from govshare.catalog.models import Mount, Resource
from govshare.core.forms import submit
from govshare.core.permissions import can, require
from govshare.core.text import join_sentences
from govshare.core.web.action_views import action_view
from govshare.core.web.pages import Crumb, post_data
from govshare.exchange import services
from govshare.exchange.forms import (
    ApiMountForm,
    FileSetForm,
    MappingForm,
    MountTestForm,
    TableMountForm,
    format_pairs,
)
from govshare.exchange.models import ApiMount, Connection, ConnectionRole, FileSet, TableMount

CONFIG_MODELS: dict[str, type[Any]] = {
    MountKind.TABLE: TableMount,
    MountKind.API: ApiMount,
    MountKind.FILES: FileSet,
}


@dataclass(frozen=True)
class SlotView:
    """One mount slot on the overview: the catalog's mount and its exchange configuration."""

    kind: str
    label: str
    mount: Mount
    config: Any

    @property
    def status(self) -> str:
        return self.mount.status if self.mount.pk else MountStatus.UNMOUNTED

    @property
    def status_label(self) -> str:
        return str(MountStatus(self.status).label)


def visible_resource(request: HttpRequest, pk: int) -> Resource:
    resources = selectors.visible_resources(request.user).select_related("provider")
    return get_object_or_404(resources, pk=pk)


def mount_crumbs(resource: Resource) -> list[Crumb]:
    return [
        Crumb(_("Resource catalog"), reverse("catalog:resource_list")),
        Crumb(resource.name, reverse("catalog:resource_detail", args=[resource.pk])),
        Crumb(_("Mounts"), reverse("exchange:mounts", args=[resource.pk])),
    ]


def _config_of(mount: Mount) -> Any:
    model = CONFIG_MODELS[mount.kind]
    return model.objects.filter(mount=mount).first() if mount.pk else None


@login_required
def mount_overview(request: HttpRequest, pk: int) -> HttpResponse:
    resource = visible_resource(request, pk)
    require(request.user, "view", Mount(resource=resource))
    slots = []
    for kind, label in MountKind.choices:
        mount = services.mount_slot(resource, kind)
        slots.append(SlotView(kind, str(label), mount, _config_of(mount)))
    context = {
        "resource": resource,
        "slots": slots,
        "can_change": can(request.user, "change", Mount(resource=resource)),
        "test_form": MountTestForm(),
        "crumbs": mount_crumbs(resource)[:2],
    }
    return render(request, "exchange/mounts/overview.html", context)


def _configure(
    request: HttpRequest,
    resource: Resource,
    kind: str,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
) -> HttpResponse:
    """Shared by the three slots: call the service, report the status, or show the errors."""
    if request.method == "POST" and submit(form, save):
        mount = services.mount_slot(resource, kind)
        if mount.status == MountStatus.FAILING:
            messages.warning(
                request,
                _("Saved, but the source could not be checked: %(error)s")
                % {"error": mount.last_error},
            )
        else:
            messages.success(request, _("The mount was saved."))
        return redirect("exchange:mounts", pk=resource.pk)
    mount = services.mount_slot(resource, kind)
    context = {
        "resource": resource,
        "form": form,
        "mount": mount,
        "kind_label": MountKind(kind).label,
        "is_mapping": isinstance(form, MappingForm),
        "crumbs": mount_crumbs(resource),
        "cancel_url": reverse("exchange:mounts", args=[resource.pk]),
    }
    return render(request, f"exchange/mounts/{kind}.html", context)


def _editable(request: HttpRequest, pk: int) -> Resource:
    """The resource, when ``user`` may configure its mounts (the provider's data officer)."""
    resource = visible_resource(request, pk)
    require(request.user, "change", Mount(resource=resource))
    return resource


@login_required
def mount_table(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _editable(request, pk)
    config = _config_of(services.mount_slot(resource, MountKind.TABLE))
    initial: dict[str, Any] = {}
    if config is not None:
        initial = {
            "connection": config.connection_id,
            "table": config.table,
            "key_items": config.key_items,
            "row_filter": format_pairs(config.row_filter),
            "description": config.mount.description,
            **MappingForm.mapping_initial("columns", config.columns),
        }
    connections = Connection.objects.filter(
        department_id=resource.provider_id, role=ConnectionRole.SOURCE
    ).order_by("name")
    form = TableMountForm(
        post_data(request),
        initial=initial,
        items=services.mountable_items(resource),
        connections=connections,
    )

    def save(data: dict[str, Any]) -> TableMount:
        return services.table_mount_set(
            actor=request.user, resource=resource, data=form.service_data()
        )

    return _configure(request, resource, MountKind.TABLE, form, save)


@login_required
def mount_api(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _editable(request, pk)
    config = _config_of(services.mount_slot(resource, MountKind.API))
    initial: dict[str, Any] = {"method": "GET", "timeout_ms": 5000}
    if config is not None:
        names = ("base_url", "method", "auth_header", "timeout_ms", "records_path")
        initial = {name: getattr(config, name) for name in names}
        initial["description"] = config.mount.description
        initial.update(MappingForm.mapping_initial("key_params", config.key_params))
        initial.update(MappingForm.mapping_initial("fields", config.fields))
    form = ApiMountForm(
        post_data(request),
        initial=initial,
        items=services.mountable_items(resource),
        has_auth_value=bool(config and config.auth_value_encrypted),
    )

    def save(data: dict[str, Any]) -> ApiMount:
        return services.api_mount_set(
            actor=request.user, resource=resource, data=form.service_data()
        )

    return _configure(request, resource, MountKind.API, form, save)


@login_required
def mount_files(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _editable(request, pk)
    config = _config_of(services.mount_slot(resource, MountKind.FILES))
    initial: dict[str, Any] = {"pattern": "*"}
    if config is not None:
        initial = {
            "location": config.location,
            "pattern": config.pattern,
            "description": config.mount.description,
        }
    form = FileSetForm(post_data(request), initial=initial)

    def save(data: dict[str, Any]) -> FileSet:
        return services.fileset_set(actor=request.user, resource=resource, data=data)

    return _configure(request, resource, MountKind.FILES, form, save)


@login_required
@action_view("exchange:mounts")
def mount_test(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Fetch a row, call the upstream or list the files; record the status (测试挂接)."""
    resource = visible_resource(request, pk)
    if kind not in MountKind.values:
        raise Http404
    mount = get_object_or_404(Mount, resource=resource, kind=kind)
    require(request.user, "change", mount)
    form = MountTestForm(request.POST)
    if not form.is_valid():
        messages.error(request, join_sentences(str(e) for e in form.errors.get("params", [])))
        return redirect("exchange:mounts", pk=resource.pk)
    params = form.cleaned_data["params"] if kind == MountKind.API else {}
    result = services.mount_test(actor=request.user, mount=mount, params=params)
    (messages.success if result.ok else messages.error)(request, result.message)
    return redirect("exchange:mounts", pk=resource.pk)


urlpatterns: list[URLPattern] = [
    path("resources/<int:pk>/mounts/", mount_overview, name="mounts"),
    path("resources/<int:pk>/mounts/table/", mount_table, name="mount_table"),
    path("resources/<int:pk>/mounts/api/", mount_api, name="mount_api"),
    path("resources/<int:pk>/mounts/files/", mount_files, name="mount_files"),
    path("resources/<int:pk>/mounts/<str:kind>/test/", mount_test, name="mount_test"),
]
