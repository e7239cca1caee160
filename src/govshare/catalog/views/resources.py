"""Pages of a catalog resource: its page with tabs, the version diff, the form that drafts or
edits a version with its data items, and the provider's lifecycle actions (submit, start a
change, withdraw). Every write goes through catalog.services."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govshare.catalog import rules, selectors, services, withdrawal
from govshare.catalog.choices import EDITABLE_VERSIONS, ResourceStatus, VersionStatus
from govshare.catalog.forms import (
    ITEMS_PREFIX,
    ItemFormSet,
    NoteForm,
    ResourceEditor,
    ResourceForm,
    WithdrawForm,
    item_initial,
)
from govshare.catalog.models import Category, DataElement, Resource, ResourceVersion
from govshare.catalog.resource_page import resource_page_context
from govshare.core.actors import Actor
from govshare.core.forms import submit
from govshare.core.permissions import can, require
from govshare.core.text import join_sentences
from govshare.core.web.action_views import action_view
from govshare.core.web.pages import Crumb, post_data, render_form_page
from govshare.inventory.choices import LIVE_LIFECYCLES
from govshare.inventory.models import InformationSystem
from govshare.orgs.models import Department

# The basics tab, grouped as the 编制指南 lists the core metadata (§1.2).
BASICS_GROUPS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (gettext_lazy("Description"), ("name", "summary", "keywords", "related_codes")),
    (gettext_lazy("Format"), ("format_class", "format_type")),
    (
        gettext_lazy("Sharing"),
        ("share_type", "share_condition", "share_basis", "share_mode_class", "share_mode_type"),
    ),
    (gettext_lazy("Opening to the public"), ("is_open", "open_condition")),
    (
        gettext_lazy("Update, grade and lists"),
        ("update_cycle", "publish_date", "grade", "is_key_supervision", "is_government_service"),
    ),
    (
        gettext_lazy("This version"),
        ("number", "status", "author_name", "created", "submitted", "reviewed", "review_note"),
    ),
)
# ResourceEvent.action → what the timeline says.
EVENT_LABELS = {
    "create": gettext_lazy("Drafted"),
    "submit": gettext_lazy("Submitted for review"),
    "return": gettext_lazy("Returned with comments"),
    "approve": gettext_lazy("Approved and published"),
    "change": gettext_lazy("Change started"),
    "withdraw": gettext_lazy("Withdrawn"),
}


def catalog_crumbs() -> list[Crumb]:
    return [Crumb(_("Resource catalog"), reverse("catalog:resource_list"))]


def visible_resource(request: HttpRequest, pk: int) -> Resource:
    return get_object_or_404(selectors.visible_resources(request.user), pk=pk)


# --- the resource page ----------------------------------------------------------------------


@login_required
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = visible_resource(request, pk)
    user = request.user
    versions = list(selectors.resource_versions(user, resource))
    version = _requested_version(request, resource, versions)
    items = list(version.items.all())
    context = {
        "resource": resource,
        "version": version,
        "versions": versions,
        "working": _visible_working(resource, versions),
        "classification": selectors.classification_path(version.category),
        "basics_groups": _basics_groups(version),
        "systems": _systems_shown(user, version),
        "item_rows": _item_rows(items),
        "mount_slots": selectors.mount_slots(user, resource),
        "events": [
            (event, EVENT_LABELS.get(event.action, event.action))
            for event in selectors.resource_events(user, resource)
        ],
        "history": selectors.resource_history(user, resource),
        "withdraw_form": WithdrawForm(),
        "live_grants": withdrawal.live_grants(resource),
        **resource_actions(user, resource),
        **resource_page_context(request, resource),
    }
    return render(request, "catalog/resources/detail.html", context)


def _requested_version(
    request: HttpRequest, resource: Resource, versions: list[ResourceVersion]
) -> ResourceVersion:
    """``?version=N`` when ``user`` may read it, else the version in force (or the draft)."""
    numbers = {version.number for version in versions}
    wanted = request.GET.get("version", "")
    if wanted:
        if not wanted.isdigit() or int(wanted) not in numbers:
            raise Http404
        number = int(wanted)
    elif resource.shown_version is not None and resource.shown_version.number in numbers:
        number = resource.shown_version.number
    elif versions:
        number = versions[0].number
    else:
        raise Http404
    version = selectors.version_for_display(request.user, resource, number)
    if version is None:
        raise Http404
    return version


def _visible_working(resource: Resource, versions: list[ResourceVersion]) -> Any:
    """The version being edited or reviewed, when ``user`` may read it and it is not in force."""
    if resource.working_version_id is None:
        return None
    return next((v for v in versions if v.pk == resource.working_version_id), None)


def resource_actions(user: Actor, resource: Resource) -> dict[str, bool]:
    """Which lifecycle buttons ``user`` sees; the services check the same again."""
    may_change = can(user, "change", resource)
    working = resource.working_version
    editable = (
        working is not None
        and working.status in EDITABLE_VERSIONS
        and resource.status != ResourceStatus.WITHDRAWN
    )
    return {
        "can_edit": may_change and editable,
        "can_submit": may_change and editable,
        "can_start_change": may_change
        and resource.status == ResourceStatus.PUBLISHED
        and working is None,
        "can_withdraw": may_change and resource.status != ResourceStatus.WITHDRAWN,
        "can_review": can(user, "review", resource)
        and working is not None
        and working.status == VersionStatus.SUBMITTED,
    }


def _basics_groups(version: ResourceVersion) -> list[tuple[Any, list[tuple[str, str]]]]:
    fields = {f.name: f for f in ResourceVersion._meta.concrete_fields}
    return [
        (
            title,
            [
                (str(fields[name].verbose_name), selectors.display_value(version, name))
                for name in names
            ],
        )
        for title, names in BASICS_GROUPS
    ]


def _systems_shown(user: Actor, version: ResourceVersion) -> list[tuple[InformationSystem, bool]]:
    """The source systems, each with whether ``user`` may open its census page."""
    systems = list(version.source_systems.all())
    readable = set(
        InformationSystem.objects.restrict(user, "view")
        .filter(pk__in=[s.pk for s in systems])
        .values_list("pk", flat=True)
    )
    return [(system, system.pk in readable) for system in systems]


def _item_rows(items: list[Any]) -> list[tuple[Any, list[str]]]:
    """Each item with its disagreements with its data element (flagged, not refused)."""
    flagged: dict[int, list[str]] = defaultdict(list)
    for mismatch in rules.element_mismatches(items):
        flagged[mismatch.position].append(mismatch.message)
    return [(item, flagged.get(number, [])) for number, item in enumerate(items, start=1)]


# --- version diff ---------------------------------------------------------------------------


@login_required
def version_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed from version ``a`` to version ``b`` (numbers; by default the newest and
    the one before it, or ``b`` and the one before it)."""
    resource = visible_resource(request, pk)
    versions = {v.number: v for v in selectors.diff_queryset(request.user, resource)}
    newest = sorted(versions, reverse=True)
    b = _version_number(request, "b", newest[0] if newest else None)
    earlier = [number for number in newest if b is not None and number < b]
    a = _version_number(request, "a", earlier[0] if earlier else b)
    if a not in versions or b not in versions:
        raise Http404
    context = {
        "resource": resource,
        "diff": selectors.diff_versions(versions[a], versions[b]),
        "numbers": newest,
    }
    return render(request, "catalog/resources/diff.html", context)


def _version_number(request: HttpRequest, key: str, default: int | None) -> int | None:
    value = request.GET.get(key, "")
    if not value:
        return default
    if not value.isdigit():
        raise Http404
    return int(value)


# --- drafting and editing -------------------------------------------------------------------


def provider_departments(user: Actor) -> QuerySet[Department]:
    """Departments for which ``user`` may draft a resource (the policy decides, per department)."""
    active = Department.objects.filter(is_active=True).order_by("name")
    allowed = [d.pk for d in active if can(user, "add", Resource(provider=d))]
    return active.filter(pk__in=allowed)


def _categories(user: Actor) -> QuerySet[Category]:
    return Category.objects.restrict(user, "view").filter(level__gte=2).order_by("code")


def _systems(
    user: Actor, department_ids: list[int], linked: list[int]
) -> QuerySet[InformationSystem]:
    """Live census systems of the providers, and those the version already names."""
    systems = InformationSystem.objects.restrict(user, "view").filter(
        department_id__in=department_ids
    )
    systems = systems.filter(Q(lifecycle__in=LIVE_LIFECYCLES) | Q(pk__in=linked))
    return systems.order_by("department__name", "name")


def _editor(
    request: HttpRequest,
    *,
    providers: QuerySet[Department] | None,
    department_ids: list[int],
    version: ResourceVersion | None = None,
) -> ResourceEditor:
    user = request.user
    data = post_data(request)
    linked = list(version.source_systems.values_list("pk", flat=True)) if version else []
    if version is not None:
        initial = {name: getattr(version, name) for name in services.VERSION_FIELDS}
        initial["source_systems"] = linked
        items = [item_initial(item) for item in version.items.order_by("position")]
    else:
        initial = {"provider": _default_provider(request, providers)}
        items = []
    form = ResourceForm(
        data,
        initial=initial,
        providers=providers,
        categories=_categories(user),
        systems=_systems(user, department_ids, linked),
    )
    if providers is not None and len(providers) == 1:
        form.fields["provider"].widget = form.fields["provider"].hidden_widget()
    elements = list(DataElement.objects.restrict(user, "view"))
    formset = ItemFormSet(
        data,
        initial=items,
        prefix=ITEMS_PREFIX,
        form_kwargs={"elements": elements},
    )
    if version is None and data is None:
        formset.extra = 1  # a first empty row to start from; left blank, it is not sent
    return ResourceEditor(form, formset)


def _default_provider(request: HttpRequest, providers: QuerySet[Department] | None) -> Any:
    active = getattr(request, "active_department_id", None)
    ids = [d.pk for d in providers or ()]
    return active if active in ids else (ids[0] if ids else None)


def _save(editor: ResourceEditor, call: Callable[[dict[str, Any], list[dict]], Any]) -> Any:
    """Parse the editor, call the service; on its refusal, place each error and return None."""
    if not editor.is_valid():
        return None
    items = editor.items()
    try:
        return call(editor.form.cleaned_data, items)
    except ValidationError as error:
        editor.attach(error)
        return None


def _render_editor(
    request: HttpRequest, editor: ResourceEditor, *, title: str, cancel_url: str, **extra: Any
) -> HttpResponse:
    context = {
        "editor": editor,
        "form": editor.form,
        "formset": editor.formset,
        "title": title,
        "cancel_url": cancel_url,
        **extra,
    }
    return render(request, "catalog/resources/form.html", context)


@login_required
def resource_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "add", Resource)
    providers = provider_departments(request.user)
    if not providers:
        raise PermissionDenied("add")
    editor = _editor(request, providers=providers, department_ids=[d.pk for d in providers])

    def create(data: dict[str, Any], items: list[dict]) -> Resource:
        return services.resource_create(
            actor=request.user,
            provider=data["provider"],
            data=editor.form.version_data(),
            items=items,
            source_systems=data["source_systems"],
        )

    if request.method == "POST" and (resource := _save(editor, create)):
        messages.success(request, _("Resource %(name)s was drafted.") % {"name": resource.name})
        return redirect("catalog:resource_detail", pk=resource.pk)
    return _render_editor(
        request,
        editor,
        title=_("Draft a resource"),
        cancel_url=reverse("catalog:resource_list"),
    )


@login_required
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = visible_resource(request, pk)
    require(request.user, "change", resource)
    version = resource.working_version
    detail_url = reverse("catalog:resource_detail", args=[resource.pk])
    if not resource_actions(request.user, resource)["can_edit"] or version is None:
        messages.error(
            request,
            _("Only a draft or a returned version can be edited; start a change first."),
        )
        return redirect(detail_url)
    editor = _editor(
        request, providers=None, department_ids=[resource.provider_id], version=version
    )

    def save(data: dict[str, Any], items: list[dict]) -> ResourceVersion:
        return services.version_update(
            actor=request.user,
            resource=resource,
            data=editor.form.version_data(),
            items=items,
            source_systems=data["source_systems"],
        )

    if request.method == "POST" and (saved := _save(editor, save)):
        messages.success(request, _("Version %(number)s was saved.") % {"number": saved.number})
        return redirect(f"{detail_url}?version={saved.number}")
    return _render_editor(
        request,
        editor,
        title=_("Edit %(name)s, version %(number)s")
        % {"name": resource.name, "number": version.number},
        cancel_url=f"{detail_url}?version={version.number}",
        resource=resource,
        version=version,
    )


# --- lifecycle actions ----------------------------------------------------------------------


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, join_sentences(error.messages))


@login_required
@action_view("catalog:resource_detail")
def resource_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the working version to the authority (提交审核)."""
    resource = visible_resource(request, pk)
    require(request.user, "change", resource)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.resource_submit(actor=request.user, resource=resource, note=note)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The resource was submitted for review."))
    return redirect("catalog:resource_detail", pk=resource.pk)


@login_required
@action_view("catalog:resource_detail")
def resource_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a new version of a published resource (变更); the one in force stays until approved."""
    resource = visible_resource(request, pk)
    require(request.user, "change", resource)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.resource_start_change(actor=request.user, resource=resource, note=note)
    except ValidationError as error:
        _refused(request, error)
        return redirect("catalog:resource_detail", pk=resource.pk)
    messages.success(request, _("A new version was opened; edit it, then submit it."))
    return redirect("catalog:resource_edit", pk=resource.pk)


@login_required
@action_view("catalog:resource_detail")
def resource_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw the resource from the catalog (撤销), with the reason."""
    resource = visible_resource(request, pk)
    require(request.user, "change", resource)
    form = WithdrawForm(request.POST)

    def withdraw(data: dict[str, Any]) -> Resource:
        return services.resource_withdraw(
            actor=request.user, resource=resource, reason=data["reason"], grants=data["grants"]
        )

    if submit(form, withdraw):
        messages.success(request, _("The resource was withdrawn."))
        return redirect("catalog:resource_detail", pk=resource.pk)
    detail_url = reverse("catalog:resource_detail", args=[resource.pk])
    response = render_form_page(
        request,
        form,
        title=_("Withdraw %(name)s") % {"name": resource.name},
        crumbs=[*catalog_crumbs(), Crumb(resource.name, detail_url)],
        cancel_url=detail_url,
    )
    response.status_code = 400
    return response


urlpatterns: list[URLPattern] = [
    path("resources/new/", resource_create, name="resource_create"),
    path("resources/<int:pk>/", resource_detail, name="resource_detail"),
    path("resources/<int:pk>/edit/", resource_edit, name="resource_edit"),
    path("resources/<int:pk>/diff/", version_diff, name="version_diff"),
    path("resources/<int:pk>/submit/", resource_submit, name="resource_submit"),
    path("resources/<int:pk>/change/", resource_change, name="resource_change"),
    path("resources/<int:pk>/withdraw/", resource_withdraw, name="resource_withdraw"),
]
