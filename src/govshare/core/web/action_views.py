"""Views that act (a form's POST target), and what they answer to a GET.

A view that changes state answers only POST. Browsers still send a GET to its address: a refused
form's page sits on the action's URL, and reloading it, following a link someone shared, or
signing in with ``?next=`` pointing at it asks for that address again. Django's ``require_POST``
answers with an empty 405, which the browser shows as a bare "HTTP ERROR 405" (issue 12).

``action_view`` replaces ``require_POST`` for every such view: a GET or HEAD leads back to the
page of the object the action belongs to, with a message that nothing was done; an action with
no page of its own answers a styled page that says what to do.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

View = Callable[..., HttpResponse]

READING_METHODS = frozenset({"GET", "HEAD"})


def action_view(
    back: str | None = None, *, keep: tuple[str, ...] = ("pk",)
) -> Callable[[View], View]:
    """Let ``view`` act on POST only; send a GET back to ``back`` (a URL name).

    ``back`` is reversed with those of the view's URL arguments named in ``keep`` (the object's
    key, by default ``pk``); without ``back`` a GET gets a page explaining the address."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def act(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if request.method in READING_METHODS and back is not None:
                messages.info(request, nothing_done())
                return redirect(reverse(back, kwargs={k: kwargs[k] for k in keep if k in kwargs}))
            return not_a_page(request)

        # What a GET leads to, for the test that walks the URL map (tests/core).
        act.answers_get_with = None if back is None else (back, keep)  # type: ignore[attr-defined]
        return act

    return decorate


def nothing_done() -> str:
    return _(
        "That address carries out an action when its form is sent, so nothing was done. "
        "Here is the page the action belongs to."
    )


def not_a_page(request: HttpRequest) -> HttpResponse:
    """405 with a page: the address takes a form's answer; the form is on another page."""
    context = {
        "status": 405,
        "title": _("This address is not a page"),
        "detail": _(
            "It carries out an action when a form is sent to it, so nothing was done. "
            "Go back to the page with the form and use its button."
        ),
    }
    response = render(request, "error.html", context, status=405)
    response["Allow"] = "POST"
    return response
