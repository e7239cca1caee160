"""Pages of the data-element registry (数据元): the searchable list and one element with the
data items linked to it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path

from govshare.catalog import rules, selectors
from govshare.catalog.forms import ElementFilterForm
from govshare.catalog.models import DataElement
from govshare.core.web.pagination import paginate


@login_required
def element_list(request: HttpRequest) -> HttpResponse:
    form = ElementFilterForm(request.GET or None, formats=selectors.element_formats(request.user))
    elements = selectors.element_list(request.user, **form.selector_filters())
    return render(
        request, "catalog/elements/list.html", {"form": form, **paginate(request, elements)}
    )


@login_required
def element_detail(request: HttpRequest, pk: int) -> HttpResponse:
    element = get_object_or_404(DataElement.objects.restrict(request.user, "view"), pk=pk)
    page = paginate(request, selectors.element_items(request.user, element))
    # Each linked item with its disagreements with the element (type, length).
    rows = [
        (item, [m.message for m in rules.element_mismatches([item])])
        for item in page["object_list"]
    ]
    context = {
        "element": element,
        "max_length": rules.element_max_length(element),
        "item_rows": rows,
        **page,
    }
    return render(request, "catalog/elements/detail.html", context)


urlpatterns: list[URLPattern] = [
    path("elements/", element_list, name="element_list"),
    path("elements/<int:pk>/", element_detail, name="element_detail"),
]
