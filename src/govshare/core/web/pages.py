"""Helpers shared by the server-rendered pages of every package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class Crumb:
    """One breadcrumb between "Home" and the page itself."""

    label: Any
    url: str


def signed_in_user(request: HttpRequest) -> User:
    """The user of a page behind ``login_required``: never the anonymous user there."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied  # only a view without login_required gets here
    return user


def post_data(request: HttpRequest) -> QueryDict | None:
    """The data a form is bound to: the POST body on POST (even when empty), else nothing."""
    return request.POST if request.method == "POST" else None


def render_form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    title: Any,
    crumbs: list[Crumb],
    cancel_url: str,
    intro: Any = "",
) -> HttpResponse:
    """A page holding one form (templates/form_page.html)."""
    context = {
        "form": form,
        "title": title,
        "crumbs": crumbs,
        "cancel_url": cancel_url,
        "intro": intro,
    }
    return render(request, "form_page.html", context)
