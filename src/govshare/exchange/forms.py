"""Forms of the exchange's pages: the mounts, the bulk exchange (destination folders, table
subscriptions, file packages), and the delivery log's filters. They parse input
only; exchange.services decides what is valid, and its errors land on the field they name
(``columns.XM`` is the XM mapping row).

Secrets are never rendered back: password inputs stay empty and say "(unchanged)".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from govshare.catalog.models import DataItem, Resource
from govshare.core.actors import Actor
from govshare.core.errors import ErrorCode
from govshare.core.forms import StyledForm
from govshare.exchange import selectors
from govshare.exchange.models import (
    CallMode,
    Connection,
    DeleteMode,
    DropFolder,
    Engine,
    HttpMethod,
    PackageFormat,
    SyncMode,
)
from govshare.exchange.selectors import Side, StatusClass
from govshare.inventory.models import InformationSystem
from govshare.orgs.models import Department
from govshare.sharing.models import Grant

UNCHANGED = _("(unchanged)")
CHECKBOXES = {"class": "form-check-input"}


def parse_pairs(text: str, field_label: str) -> dict[str, str]:
    """``name=value`` lines (blank lines skipped) as a dict; a malformed line is an error."""
    pairs: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, equals, value = line.partition("=")
        if not equals or not name.strip():
            raise forms.ValidationError(
                _("Line %(number)s is not %(label)s=value.")
                % {"number": number, "label": field_label},
                code=ErrorCode.INVALID,
            )
        pairs[name.strip()] = value.strip()
    return pairs


def format_pairs(pairs: Mapping[str, Any]) -> str:
    return "\n".join(f"{name}={value}" for name, value in pairs.items())


def item_label(item: DataItem) -> str:
    return f"{item.name} ({item.identifier})"


def secret_input(is_set: bool) -> forms.PasswordInput:
    attrs = {"autocomplete": "new-password"}
    if is_set:
        attrs["placeholder"] = str(UNCHANGED)
    return forms.PasswordInput(attrs=attrs, render_value=False)


# --- connections ----------------------------------------------------------------------------


class ConnectionForm(StyledForm):
    department = forms.ModelChoiceField(
        Department.objects.none(),
        label=_("Department"),
        help_text=_("Departments where you are the data officer."),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    engine = forms.ChoiceField(label=_("Database engine"), choices=Engine.choices)
    host = forms.CharField(label=_("Host"), max_length=255, required=False)
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, required=False)
    database = forms.CharField(
        label=_("Database"),
        max_length=255,
        help_text=_("For SQLite, a file name in the node's data-source directory."),
    )
    username = forms.CharField(label=_("User name"), max_length=100, required=False)
    password = forms.CharField(label=_("Password"), required=False, strip=False)

    def __init__(
        self,
        *args: Any,
        departments: QuerySet[Department] | None = None,
        has_password: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if departments is None:  # editing: the department never changes
            del self.fields["department"]
        else:
            self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["password"].widget = secret_input(has_password)
        self.fields["password"].widget.attrs["class"] = "form-control"
        if has_password:
            self.fields["password"].help_text = _("Leave empty to keep the stored password.")

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "department"}


# --- mount slots ----------------------------------------------------------------------------


class MappingForm(StyledForm):
    """A form with one row of inputs per data item (``<prefix>.<identifier>``)."""

    mapping_prefixes: tuple[str, ...] = ()
    mapping_headings: tuple[Any, ...] = ()

    def __init__(self, *args: Any, items: Mapping[str, DataItem], **kwargs: Any) -> None:
        self.items = items
        super().__init__(*args, **kwargs)
        for prefix in self.mapping_prefixes:
            for identifier, item in items.items():
                self.fields[f"{prefix}.{identifier}"] = forms.CharField(
                    label=item_label(item),
                    max_length=128,
                    required=False,
                    widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
                )

    def mapping(self, prefix: str) -> dict[str, str]:
        values = {i: self.cleaned_data.get(f"{prefix}.{i}") or "" for i in self.items}
        return {identifier: value for identifier, value in values.items() if value}

    def mapping_rows(self) -> list[tuple[DataItem, list[forms.BoundField]]]:
        """For the template: each item with its inputs, in the order of ``mapping_prefixes``."""
        return [
            (item, [self[f"{prefix}.{identifier}"] for prefix in self.mapping_prefixes])
            for identifier, item in self.items.items()
        ]

    @staticmethod
    def mapping_initial(prefix: str, mapping: Mapping[str, str]) -> dict[str, str]:
        return {f"{prefix}.{identifier}": value for identifier, value in mapping.items()}


class TableMountForm(MappingForm):
    mapping_prefixes = ("columns",)
    mapping_headings = (_("Column"),)

    connection = forms.ModelChoiceField(Connection.objects.none(), label=_("Connection"))
    table = forms.CharField(
        label=_("Table"), max_length=128, help_text=_("schema.table or table; a view will do.")
    )
    key_items = forms.MultipleChoiceField(
        label=_("Key items"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        help_text=_("Items a consumer may look rows up by (exact match; index these columns)."),
    )
    row_filter = forms.CharField(
        label=_("Row filter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One column=value per line; rows outside it are never served."),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(self, *args: Any, connections: QuerySet[Connection], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["connection"].queryset = connections  # type: ignore[attr-defined]
        self.fields["key_items"].choices = [  # type: ignore[attr-defined]
            (identifier, item_label(item)) for identifier, item in self.items.items()
        ]

    def clean_row_filter(self) -> dict[str, str]:
        return parse_pairs(self.cleaned_data["row_filter"], str(_("column")))

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "connection": data["connection"],
            "table": data["table"],
            "key_items": data["key_items"],
            "columns": self.mapping("columns"),
            "row_filter": data["row_filter"],
            "description": data["description"],
        }


class ApiMountForm(MappingForm):
    mapping_prefixes = ("key_params", "fields")
    mapping_headings = (_("Request parameter (if a caller may pass it)"), _("Response field"))

    base_url = forms.CharField(label=_("Upstream URL"), max_length=500)
    method = forms.ChoiceField(label=_("Method"), choices=HttpMethod.choices)
    auth_header = forms.CharField(
        label=_("Authentication header"),
        max_length=64,
        required=False,
        help_text=_("e.g. Authorization or X-Api-Key; empty removes the credential."),
    )
    auth_value = forms.CharField(label=_("Credential"), required=False, strip=False)
    timeout_ms = forms.IntegerField(label=_("Timeout (ms)"), initial=5000)
    records_path = forms.CharField(
        label=_("Records path"),
        max_length=100,
        required=False,
        help_text=_("Dotted path to the records in the answer, e.g. data.records."),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(self, *args: Any, has_auth_value: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["auth_value"].widget = secret_input(has_auth_value)
        self.fields["auth_value"].widget.attrs["class"] = "form-control"

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in ("base_url", "method", "auth_header", "auth_value")},
            **{name: data[name] for name in ("timeout_ms", "records_path", "description")},
            "key_params": self.mapping("key_params"),
            "fields": self.mapping("fields"),
        }


class FileSetForm(StyledForm):
    location = forms.CharField(
        label=_("Directory"),
        max_length=500,
        help_text=_("A directory inside the node's data-source directory."),
    )
    pattern = forms.CharField(label=_("File name pattern"), max_length=100, initial="*")
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class MountTestForm(StyledForm):
    params = forms.CharField(
        label=_("Sample parameters"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For an upstream that needs them: item=value, one per line."),
    )

    def clean_params(self) -> dict[str, str]:
        return parse_pairs(self.cleaned_data["params"], str(_("item")))


# --- bulk exchange --------------------------------------------------------------------------


class DropFolderForm(StyledForm):
    department = forms.ModelChoiceField(
        Department.objects.none(),
        label=_("Department"),
        help_text=_("Departments where you are the data officer."),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    directory = forms.CharField(
        label=_("Directory"),
        max_length=100,
        help_text=_("A directory name inside the node's destinations directory, e.g. renshe_in."),
    )

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class SubscriptionForm(StyledForm):
    """The consumer's configuration of a table subscription (库表订阅)."""

    destination = forms.ModelChoiceField(
        Connection.objects.none(),
        label=_("Destination database"),
        required=False,
        help_text=_("One of your department's front-end databases."),
    )
    mode = forms.ChoiceField(label=_("Sync mode"), choices=SyncMode.choices)
    watermark_column = forms.CharField(
        label=_("Watermark column"),
        max_length=128,
        required=False,
        help_text=_(
            "The source column holding an update time or an increasing id; setting it makes "
            "runs after the first incremental."
        ),
    )
    delete_mode = forms.ChoiceField(label=_("Deletions"), choices=DeleteMode.choices)
    soft_delete_column = forms.CharField(
        label=_("Soft-delete column"), max_length=128, required=False
    )
    soft_delete_value = forms.CharField(label=_("Soft-delete value"), max_length=64, required=False)
    schedule = forms.CharField(
        label=_("Schedule"),
        max_length=100,
        required=False,
        help_text=_(
            "Five fields: minute hour day month weekday, e.g. “0 2 * * *” (every day at 02:00); "
            "empty: the resource's update cycle."
        ),
    )

    def __init__(self, *args: Any, destinations: QuerySet[Connection], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["destination"].queryset = destinations  # type: ignore[attr-defined]


class PackageBuildForm(StyledForm):
    format = forms.ChoiceField(label=_("Format"), choices=PackageFormat.choices)
    folder = forms.ModelChoiceField(
        DropFolder.objects.none(),
        label=_("Destination folder"),
        required=False,
        help_text=_("Empty: download it from the platform."),
    )

    def __init__(
        self, *args: Any, folders: QuerySet[DropFolder], formats: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["folder"].queryset = folders  # type: ignore[attr-defined]
        self.fields["format"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in PackageFormat.choices if value in formats
        ]


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DAY_BOUNDS = [
    MinValueValidator(selectors.EARLIEST_DAY),
    MaxValueValidator(selectors.LATEST_DAY),
]


class DeliveryFilterForm(StyledForm):
    """The list's filters (GET). Choices of application and resource come from the grants the
    user may see: calls are made under grants."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=DATE_INPUT, validators=DAY_BOUNDS
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=DATE_INPUT, validators=DAY_BOUNDS
    )
    consumer = forms.ModelChoiceField(
        Department.objects.none(), label=_("Consumer department"), required=False
    )
    provider = forms.ModelChoiceField(
        Department.objects.none(), label=_("Provider department"), required=False
    )
    application = forms.ModelChoiceField(
        InformationSystem.objects.none(), label=_("Application"), required=False
    )
    resource = forms.ModelChoiceField(Resource.objects.none(), label=_("Resource"), required=False)
    mode = forms.ChoiceField(
        label=_("Mode"), required=False, choices=[("", "—"), *CallMode.choices]
    )
    status_class = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *StatusClass.choices]
    )
    end_user = forms.CharField(label=_("End user"), required=False, max_length=100)
    case_number = forms.CharField(label=_("Case number"), required=False, max_length=100)
    request_id = forms.CharField(label=_("Request id"), required=False, max_length=64)
    side = forms.ChoiceField(required=False, choices=Side.choices, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = Department.objects.order_by("name")
        grants = Grant.objects.restrict(user, "view")
        fields: dict[str, Any] = self.fields
        fields["consumer"].queryset = departments
        fields["provider"].queryset = departments
        fields["application"].queryset = InformationSystem.objects.filter(
            pk__in=grants.values("application_id")
        ).order_by("name")
        fields["resource"].queryset = Resource.objects.filter(
            pk__in=grants.values("resource_id")
        ).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
