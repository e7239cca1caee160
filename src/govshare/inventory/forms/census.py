"""Forms of the census returns and the census workbook import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govshare.core.errors import ErrorCode
from govshare.core.forms import StyledForm
from govshare.core.web.downloads import XLSX
from govshare.inventory import workbook
from govshare.inventory.choices import CensusStatus
from govshare.inventory.forms.fields import ANY


class ReturnFilterForm(StyledForm):
    year = forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=2000)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=ANY + CensusStatus.choices
    )


class ReviewForm(StyledForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("confirm", gettext_lazy("Confirm")), ("return", gettext_lazy("Return"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when the census is returned: say what to fix."),
    )


class ImportForm(StyledForm):
    file = forms.FileField(
        label=gettext_lazy("Census workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > workbook.MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 10 MB."), code=ErrorCode.TOO_LARGE)
        return upload
