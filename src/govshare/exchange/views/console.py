"""The API console (接口调试): a data officer picks one of the department's live grants and tries a
call through the gateway from the browser.

The app key and secret are typed into the page and sent by console.js to ``/gw/token`` only (same
origin); they never reach this Django server, which renders the page and a curl example with
placeholders. The gateway then logs the call in the delivery log like any other.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from govshare.core.roles import Role
from govshare.exchange import selectors
from govshare.exchange.selectors import CallParameter
from govshare.orgs.roles import principal_of
from govshare.sharing.choices import DeliveryMode
from govshare.sharing.models import Grant

GATEWAY_PATH = "/gw"
CONSOLE_SCRIPT = "exchange/console.js"
# Gateway endpoint and HTTP method of each delivery mode.
ENDPOINTS: dict[str, tuple[str, str]] = {
    DeliveryMode.QUERY: ("query", "GET"),
    DeliveryMode.VERIFY: ("verify", "POST"),
    DeliveryMode.PROXY: ("proxy", "GET"),
}


def console_departments(request: HttpRequest) -> set[int]:
    """Departments whose grants the user may try: where the user is data officer, narrowed to
    the active department when the user is its data officer."""
    officer_of = principal_of(request.user).departments(Role.DATA_OFFICER)
    active = getattr(request, "active_department_id", None)
    return {active} if active in officer_of else set(officer_of)


def _selected(request: HttpRequest, grants: list[Grant]) -> Grant | None:
    raw = request.GET.get("grant", "")
    if not raw:
        return grants[0] if len(grants) == 1 else None
    chosen = next((grant for grant in grants if str(grant.pk) == raw), None)
    if chosen is None:
        raise Http404("not one of your department's live grants")
    return chosen


def gateway_call(grant: Grant) -> dict[str, str]:
    endpoint, method = ENDPOINTS.get(grant.mode, ENDPOINTS[DeliveryMode.QUERY])
    return {
        "path": f"{GATEWAY_PATH}/resources/{grant.resource_id}/{endpoint}",
        "method": method,
    }


def curl_example(
    base_url: str, grant: Grant, parameters: list[CallParameter], items: list[str]
) -> str:
    """Two shell commands: get a token, then call (placeholders for the key, secret and values)."""
    call = gateway_call(grant)
    token_body = '{"app_key":"\'"$APP_KEY"\'","app_secret":"\'"$APP_SECRET"\'"}'
    lines = [
        "export APP_KEY='<app key>' APP_SECRET='<app secret>'",
        f"TOKEN=$(curl -s -X POST {shlex.quote(base_url + GATEWAY_PATH + '/token')} \\",
        "  -H 'Content-Type: application/json' \\",
        f"  -d '{token_body}' \\",
        "  | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')",
    ]
    url = shlex.quote(base_url + call["path"])
    names = [p.identifier for p in parameters] or ["<KEY_ITEM>"]
    if call["method"] == "POST":
        body = json.dumps(dict.fromkeys(names, "<value>"), ensure_ascii=False)
        lines += [
            f'curl -s -X POST {url} -H "Authorization: Bearer $TOKEN" \\',
            f"  -H 'Content-Type: application/json' -d {shlex.quote(body)}",
        ]
    else:
        query = [f"{name}=<value>" for name in names] + [f"items={','.join(items)}"]
        arguments = " ".join(f"--data-urlencode {shlex.quote(part)}" for part in query)
        lines += [f'curl -s -G {url} -H "Authorization: Bearer $TOKEN" \\', f"  {arguments}"]
    lines[-1] += " \\"
    lines.append("  -H 'X-End-User: <end user>' -H 'X-Case-Number: <case number>'")
    return "\n".join(lines)


def _console_config(grant: Grant, parameters: list[CallParameter], items: list[str]) -> dict:
    """What console.js needs to build the call (no secret, nothing it could not see anyway)."""
    return {
        "gateway": GATEWAY_PATH,
        "resource": grant.resource_id,
        "mode": grant.mode,
        **gateway_call(grant),
        "items": items,
        "parameters": [p.identifier for p in parameters],
    }


def _script() -> list[str]:
    try:
        return [static(CONSOLE_SCRIPT)]
    except ValueError:  # not collected yet: the page still shows the curl example
        return []


@login_required
def console(request: HttpRequest) -> HttpResponse:
    departments = console_departments(request)
    if not departments:
        raise PermissionDenied(_("The API console is for department data officers."))
    grants = list(selectors.console_grants(request.user, departments))
    grant = _selected(request, grants)
    context: dict[str, Any] = {"grants": grants, "grant": grant, "scripts": _script()}
    if grant is not None:
        granted = list(grant.items.all())
        items = [item.identifier for item in granted]
        parameters = selectors.call_parameters(grant)
        base_url = request.build_absolute_uri("/").rstrip("/")
        context.update(
            granted_items=granted,
            parameters=parameters,
            call=gateway_call(grant),
            config=_console_config(grant, parameters, items),
            curl=curl_example(base_url, grant, parameters, items),
        )
    return render(request, "exchange/console/console.html", context)


urlpatterns: list[URLPattern] = [
    path("console/", console, name="console"),
]
