"""Forms of the catalog pages. They only parse input; the services in catalog/services and the
rules in catalog/rules.py decide what is valid, and their errors are placed back on the field
or the data-item row they name (``share_condition``, ``items.2.share_type``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.forms.forms import DeclarativeFieldsMetaclass
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govshare.catalog import workbook
from govshare.catalog.choices import DataType
from govshare.catalog.models import Category, DataElement, DataItem, ResourceVersion
from govshare.catalog.services import ITEM_FIELDS, VERSION_FIELDS
from govshare.catalog.withdrawal import GrantDecision
from govshare.core.errors import ErrorCode
from govshare.core.forms import ModelMultipleChoiceField, StyledForm
from govshare.core.web.downloads import XLSX
from govshare.inventory.models import InformationSystem
from govshare.orgs.models import Department

ANY: list[tuple[Any, Any]] = [("", "---------")]
ITEMS_PREFIX = "items"
# Controls inside the data-item table rows: as wide as their content, the table scrolls.
SMALL_SELECT = {"class": "form-select form-select-sm w-auto"}
SMALL_INPUT = {"class": "form-control form-control-sm w-auto"}
SMALL_CHECK = {"class": "form-check-input"}
# Visible width (characters) of the item row's text inputs.
# Input widths in characters. A Chinese character takes about two: a name of 8 to 10 of them
# (统一社会信用代码, 法定代表人身份证件号码) shows whole at 1366 px (issue 12).
ITEM_INPUT_SIZES = {"name": 20, "identifier": 18, "length": 4, "description": 20}


# --- a resource version and its data items --------------------------------------------------


class CategoryChoiceField(forms.ModelChoiceField):
    """The classification, below 类 (a resource sits in a 项, 目 or 细目)."""

    def label_from_instance(self, obj: Category) -> str:
        indent = "\u3000" * max(obj.level - 2, 0)  # ideographic space: 目 under 项
        return f"{indent}{obj.code} {obj.name}"


class SystemsField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: InformationSystem) -> str:
        return f"{obj.name}（{obj.department.name}）"


def _version_formfield(model_field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(model_field, models.TextField):
        kwargs["widget"] = forms.Textarea(attrs={"rows": 2})
    return model_field.formfield(**kwargs)


class ResourceFormBase(StyledForm):
    """The core metadata of a version (编制指南 §1.2), the provider and the source systems."""

    provider = forms.ModelChoiceField(
        Department.objects.none(),
        label=_("Provider"),
        help_text=_("Departments where you are the data officer."),
    )
    category = CategoryChoiceField(Category.objects.none(), label=_("Classification"))
    source_systems = SystemsField(
        InformationSystem.objects.none(),
        label=_("Source information systems"),
        required=False,
        help_text=_("Systems of the provider in the census (being built or in use)."),
    )

    def __init__(
        self,
        *args: Any,
        categories: QuerySet[Category],
        systems: QuerySet[InformationSystem],
        providers: QuerySet[Department] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        self.fields["source_systems"].queryset = systems.select_related(  # type: ignore[attr-defined]
            "department"
        )
        self.fields["source_systems"].widget.attrs["size"] = 6
        if providers is None:  # editing: the provider never changes
            del self.fields["provider"]
        else:
            self.fields["provider"].queryset = providers  # type: ignore[attr-defined]
        self.order_fields(["provider", "category", *VERSION_FIELDS, "source_systems"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        provider = data.get("provider")
        foreign = [
            s for s in data.get("source_systems", ()) if provider and s.department_id != provider.pk
        ]
        if foreign:
            self.add_error(
                "source_systems",
                _("Choose systems of the provider only: %(names)s is not.")
                % {"names": "、".join(s.name for s in foreign)},
            )
        return data

    def version_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in VERSION_FIELDS}


ResourceForm = cast(
    type[ResourceFormBase],
    DeclarativeFieldsMetaclass(
        "ResourceForm",
        (ResourceFormBase,),
        fields_for_model(
            ResourceVersion,
            fields=[name for name in VERSION_FIELDS if name != "category"],
            formfield_callback=_version_formfield,
        ),
    ),
)


class ElementChoiceField(forms.ChoiceField):
    """A data element among those loaded once for the page (a ModelChoiceField would query the
    registry again for every item row)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.elements: dict[str, DataElement] = {}

    def offer(self, elements: Iterable[DataElement]) -> None:
        self.elements = {str(element.pk): element for element in elements}
        self.choices = ANY + [(pk, str(element)) for pk, element in self.elements.items()]

    def clean(self, value: Any) -> DataElement | None:
        value = super().clean(value)
        return self.elements.get(value) if value else None

    def has_changed(self, initial: Any, data: Any) -> bool:
        initial_pk = getattr(initial, "pk", initial)
        return str(initial_pk or "") != str(data or "")


def _item_formfield(model_field: models.Field, **kwargs: Any) -> forms.Field | None:
    if model_field.name == "element":
        # Full width of its cell: element names are long, the list opens wide enough.
        return ElementChoiceField(
            label=model_field.verbose_name,
            required=False,
            widget=forms.Select({"class": "form-select form-select-sm"}),
        )
    field = model_field.formfield(**kwargs)
    if field is None:
        return None
    if isinstance(field.widget, forms.CheckboxInput):
        field.widget.attrs.update(SMALL_CHECK)
    elif isinstance(field.widget, forms.Select):
        field.widget.attrs.update(SMALL_SELECT)
    else:
        field.widget.attrs.update(SMALL_INPUT)
        field.widget.attrs["size"] = ITEM_INPUT_SIZES.get(model_field.name, 10)
    if model_field.name == "length":
        field.widget = forms.TextInput(attrs={**field.widget.attrs, "inputmode": "numeric"})
    return field


class ItemFormBase(forms.Form):
    """One data item (信息项) row of the items table."""

    def __init__(self, *args: Any, elements: Iterable[DataElement] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["element"].offer(elements)  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("aria-label", str(field.label))
            field.widget.attrs["data-item-field"] = name
        self.fields["description"].widget.attrs["placeholder"] = _("Description")

    def item_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ITEM_FIELDS}


ItemForm = cast(
    type[ItemFormBase],
    DeclarativeFieldsMetaclass(
        "ItemForm",
        (ItemFormBase,),
        fields_for_model(DataItem, fields=ITEM_FIELDS, formfield_callback=_item_formfield),
    ),
)
ItemFormSet = forms.formset_factory(ItemForm, extra=0, can_delete=True)


def item_initial(item: DataItem) -> dict[str, Any]:
    """A saved item as the row's initial values (the element by its key, as the select posts it)."""
    initial = {name: getattr(item, name) for name in ITEM_FIELDS if name != "element"}
    return {**initial, "element": item.element_id}


class ResourceEditor:
    """The version form and its data-item formset, filled in and checked as one.

    Service errors name fields (``share_condition``), rows (``items.2.share_type``, counted
    from 1 over the items sent) or the item list as a whole (``items``).
    """

    def __init__(self, form: ResourceFormBase, formset: forms.BaseFormSet[ItemFormBase]) -> None:
        self.form = form
        self.formset = formset
        self.items_errors: list[str] = []
        self.sent_forms: list[ItemFormBase] = []

    def is_valid(self) -> bool:
        return all([self.form.is_valid(), self.formset.is_valid()])

    def items(self) -> list[dict[str, Any]]:
        """The rows to save, in table order: neither removed nor added and left blank."""
        self.sent_forms = [
            form
            for form in self.formset.forms
            if not form.cleaned_data.get(DELETION_FIELD_NAME, False)
            and not (form.empty_permitted and not form.has_changed())
        ]
        return [form.item_data() for form in self.sent_forms]

    def attach(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.form.add_error(None, error)
            return
        for key, errors in error.error_dict.items():
            if key == ITEMS_PREFIX:
                self.items_errors.extend(m for e in errors for m in e.messages)
            elif key.startswith(f"{ITEMS_PREFIX}."):
                self._attach_item(key, errors)
            else:
                self.form.add_error(key if key in self.form.fields else None, errors)

    def _attach_item(self, key: str, errors: list[ValidationError]) -> None:
        _prefix, number, name = (key.split(".", 2) + ["", ""])[:3]
        index = int(number) - 1 if number.isdigit() else -1
        if not 0 <= index < len(self.sent_forms):
            self.items_errors.extend(m for e in errors for m in e.messages)
            return
        form = self.sent_forms[index]
        form.add_error(name if name in form.fields else None, errors)

    @property
    def has_item_errors(self) -> bool:
        return bool(self.items_errors or self.formset.non_form_errors()) or any(
            form.errors for form in self.formset.forms
        )


# --- lifecycle actions ----------------------------------------------------------------------


class NoteForm(StyledForm):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class WithdrawForm(StyledForm):
    """Withdraw a resource (撤销): the reason is kept with the event."""

    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        required=False,  # the service names the missing reason, in one place
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    grants = forms.ChoiceField(
        label=_("Live grants on this resource"),
        required=False,  # needed only when grants are live; the service says so
        choices=[("", "—"), *GrantDecision.choices],
    )


class ReviewForm(StyledForm):
    """The authority's decision on a submitted version: approve, or return with comments."""

    APPROVE = "approve"
    RETURN = "return"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (RETURN, _("Return with comments"))],
    )
    comments = forms.CharField(
        label=_("Comments"),
        required=False,  # required for a return; the service says so
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class InboxFilterForm(StyledForm):
    """The review inbox's search and filters; the longest-waiting come first unless asked."""

    KINDS = [("", _("All")), ("new", _("New resource")), ("change", _("Change"))]
    ORDERS = [("oldest", _("Longest waiting first")), ("newest", _("Newest first"))]

    query = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Resource name"), "type": "search"}),
    )
    provider = forms.ModelChoiceField(
        Department.objects.none(), label=_("Provider"), required=False
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("new resource or change", "Kind"), required=False, choices=KINDS
    )
    order = forms.ChoiceField(label=_("Order"), required=False, choices=ORDERS)

    def __init__(self, *args: Any, providers: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]

    def selector_filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "provider_id": data["provider"].pk if data["provider"] else None,
            "query": data["query"],
            "kind": data["kind"],
            "newest_first": data["order"] == "newest",
        }


# --- data elements --------------------------------------------------------------------------


class ElementFilterForm(StyledForm):
    query = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, identifier or definition"), "type": "search"}
        ),
    )
    data_type = forms.ChoiceField(
        label=_("Data type"), required=False, choices=ANY + DataType.choices
    )
    format = forms.ChoiceField(label=_("Format"), required=False)
    code_table = forms.ChoiceField(
        label=_("Code table"),
        required=False,
        choices=ANY + [("yes", _("With a code table")), ("no", _("Without"))],
    )

    def __init__(self, *args: Any, formats: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = ANY + [(f, f) for f in formats]  # type: ignore[attr-defined]

    def selector_filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "query": data["query"],
            "data_type": data["data_type"],
            "format": data["format"],
            "has_code_table": {"yes": True, "no": False}.get(data["code_table"]),
        }


class ImportForm(StyledForm):
    file = forms.FileField(
        label=_("Catalog workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > workbook.MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 20 MB."), code=ErrorCode.TOO_LARGE)
        return upload
