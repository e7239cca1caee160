"""The REST API does what its OpenAPI document says (issue #11 item 7): schemathesis runs every
check it has over /api/v1/openapi.json against the real application, as a platform admin and as
a department's data officer, in a world of its own.

The application is Django's WSGI app behind a2wsgi on uvicorn (as asgi.py serves it), in a
thread of this process, so it reads the test database; every write commits (transactional_db).
The run is bounded (examples per operation, steps per scenario) and derandomised with a fixed
seed, so CI sees the same requests every time.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from a2wsgi import WSGIMiddleware
from django.apps import apps
from django.core.wsgi import get_wsgi_application
from django.db import connections
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure
from schemathesis.engine import events, from_schema
from schemathesis.openapi.checks import RejectedPositiveData

from govshare.catalog import seed
from govshare.core.roles import Role
from govshare.identity.models import ApiToken
from govshare.identity.services import IssuedToken, token_create
from govshare.inventory.models import Project, WorkTask
from govshare.sharing.services.credentials import credential_create
from govshare.sharing.services.requests import conformity_review, request_submit
from tests.browser.servers import AsgiServer
from tests.exchange.delivery_factories import delivery, log
from tests.factories import DepartmentFactory, member
from tests.sharing.factories import application_of, draft_request, published_resource

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = 15  # per operation and phase: ~2 minutes a role on a busy machine
SEED = 11

# Rules the document states in words only — two fields compared, a check character, a field
# required by another field's value or by the kind of credential — per operation and field. JSON
# Schema cannot state them, so a request the schema allows may break one and is answered 422; such
# a 422 (and only one whose every field is listed here) is not a "valid request refused". The
# document says each rule in the field's or operation's description.
RULES_IN_WORDS: dict[str, set[str]] = {
    "POST /api/v1/departments": {"uscc"},  # GB 32100 / GB 11714 check characters
    "PATCH /api/v1/departments/{id}": {"uscc"},
    "POST /api/v1/inventory/systems": {
        "department_id",  # unless the caller is data officer of one department only
        "go_live_date",
        "protection_filing_number",
        "sharing_status",
    },
    "PATCH /api/v1/inventory/systems/{id}": {
        "go_live_date",
        "protection_filing_number",
        "sharing_status",
    },
    "POST /api/v1/inventory/systems/{id}/lifecycle": {"merged_into"},  # when merging
    "POST /api/v1/inventory/usage-reports": {"system"},  # with a personal token
    # done means 100 percent; the unit, unless the caller reports for one unit only; the month
    # window (409 alone) is listed beside percent_done when both fail
    "POST /api/v1/inventory/tasks/{id}/reports": {"percent_done", "unit", "month"},
    "GET /api/v1/exchange/deliveries": {"date_to"},  # not before date_from
    "GET /api/v1/exchange/deliveries/stats": {"date_to"},
    "POST /api/v1/sharing/requests": {"period_end"},  # not before period_start
    "PATCH /api/v1/sharing/requests/{id}": {"period_end"},
    "POST /api/v1/sharing/requests/{id}/conformity": {"note"},  # unless the outcome is pass
    "POST /api/v1/sharing/requests/{id}/answer": {"answers", "terms"},
    "POST /api/v1/sharing/grants/{id}/extension/decide": {"note"},  # when refusing
    # row filters and masking name items of the grant's resource
    "POST /api/v1/sharing/grants/{id}/change": {"row_filter", "masking"},
    "POST /api/v1/catalog/resources/{id}/review": {"note"},  # when returning
    # a server's host for PostgreSQL and MySQL; for SQLite a file name of the sources directory
    "POST /api/v1/exchange/destinations": {"host", "database"},
    "POST /api/v1/exchange/folders": {"directory"},  # never "..", the parent's name
    # a 文件 grant whose resource has the mount the format needs; the consumer's folder
    "POST /api/v1/exchange/packages": {"grant_id", "format", "folder_id"},
    # a subscription runs once it has a destination (the runner names it)
    "POST /api/v1/exchange/subscriptions/{id}/run": {"destination"},
    "POST /api/v1/exchange/subscriptions/{id}/reconcile": {"destination"},
    # the schedule's fields in their ranges, a watermark or soft-delete column as the mode
    # needs, a front-end database of the consumer department
    "PATCH /api/v1/exchange/subscriptions/{id}": {
        "schedule",
        "watermark_column",
        "soft_delete_column",
        "soft_delete_value",
        "destination_id",
    },
    # 编制指南 rules between a resource's fields and its items (catalog.rules)
    **dict.fromkeys(
        ("POST /api/v1/catalog/resources", "PATCH /api/v1/catalog/resources/{id}"),
        {
            "provider_id",
            "share_condition",
            "share_basis",
            "share_type",
            "open_condition",
            "format_type",
            "share_mode_type",
            "items",
        },
    ),
}


def config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "workers": 1,
            "continue-on-failure": True,
            "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
            "checks": {"enabled": True},  # every check ("all"); max_response_time needs a limit
            "phases": {
                "stateful": {"max-steps": 6},
                # Error feedback reads a 4xx body's names as properties to send: it reads our
                # error body's "fields" map so, and sends it as a field that
                # additionalProperties: false forbids while calling the request valid.
                "fuzzing": {"error-feedback": {"enabled": False}},
            },
        }
    )


@pytest.fixture
def world(transactional_db, settings, tmp_path) -> dict[str, Any]:
    """Two departments, the authority, a published resource of each, an active grant, a draft
    request, a credential, a project, a work task and delivery records. The node's files (the
    destination folders the run adds) go to a directory of the test's own."""
    settings.VAR_DIR = tmp_path
    seed.load(apps, None)
    authority = DepartmentFactory(name="大数据局", is_sharing_authority=True)
    dept_a, dept_b = DepartmentFactory(name="公安局"), DepartmentFactory(name="人社局")
    admin = member(authority, Role.PLATFORM_ADMIN, username="admin")
    reviewer = member(authority, Role.REVIEWER, username="reviewer")
    officer_a = member(dept_a, Role.DATA_OFFICER, username="officer_a")
    officer_b = member(dept_b, Role.DATA_OFFICER, username="officer_b")
    resource_a = published_resource(officer_a, reviewer, dept_a)
    resource_b = published_resource(officer_b, reviewer, dept_b, name="社保参保信息")
    granted = draft_request(officer_b, dept_b, resource_a, items=("XBDM",))
    request_submit(actor=officer_b, share_request=granted)
    conformity_review(actor=reviewer, share_request=granted, outcome="pass")
    draft_request(officer_a, dept_a, resource_b, items=("XBDM",))
    credential_create(actor=officer_a, application=application_of(dept_a), name="凭证")
    Project.objects.create(department=dept_a, name="政务云迁移", funding_channel="fiscal")
    task = WorkTask.objects.create(
        code="1.1", category="电子政务云建设", title="迁移上云", lead_unit=authority,
        deadline=dt.date(2027, 6, 30),
    )  # fmt: skip
    task.responsible_units.set([dept_a])
    log(*(delivery(dept_b, dept_a) for _ in range(3)))
    return {"admin": admin, "officer": officer_a}


class SignedIn:
    """The caller's personal token. The run may revoke it (DELETE /me/tokens/{id} with its id):
    then the next request gets a new one, as a person would issue themselves."""

    user: Any = None

    def __init__(self) -> None:
        self.issued: IssuedToken | None = None

    def get(self, case: Any, context: Any) -> str:
        try:
            usable = ApiToken.objects.filter(revoked__isnull=True)
            if self.issued is None or not usable.filter(pk=self.issued.token.pk).exists():
                self.issued = token_create(actor=self.user, name="schemathesis")
            return self.issued.plaintext
        finally:
            # schemathesis may ask from a thread of its own, whose connection nothing else
            # would close (a ResourceWarning later, in whichever test runs then)
            if threading.current_thread() is not threading.main_thread():
                connections.close_all()

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def path_parameters_fit(case: Any) -> bool:
    """Whether every path parameter the case sends fits its schema in the document."""
    sent = case.path_parameters or {}
    return all(
        jsonschema_rs.is_valid(parameter.definition.get("schema", {}), sent.get(parameter.name))
        for parameter in case.operation.path_parameters
    )


def refused_for_a_rule_in_words(context: Any, failure: Failure, case: Any, response: Any) -> bool:
    """False (drop the failure) for a request refused only by a rule of RULES_IN_WORDS, or
    one that schemathesis wrongly calls valid."""
    if not isinstance(failure, RejectedPositiveData) or response.status_code != 422:
        return True
    # The stateful phase links a response's field to a path parameter by its name alone
    # (grant_id → /grants/{id}, a delivery's request_id → /sharing/requests/{id}): from a record
    # whose field is null, or a call's hex request id, it sends /grants/None/... — a request
    # the document itself calls invalid, refused as the document says.
    if not path_parameters_fit(case):
        return False
    fields = set(response.json().get("fields", {}))
    listed = RULES_IN_WORDS.get(f"{case.method} {case.path}", set())
    # "items.0.share_type": a rule between an item and its resource, listed as "items". Other
    # fields may be named beside it: every error is reported together (a duplicate name, 409).
    return not any(name.split(".")[0] in listed for name in fields)


def run(url: str, user: Any) -> list[str]:
    schema = schemathesis.openapi.from_url(f"{url}/api/v1/openapi.json", config=config())
    provider = type("Provider", (SignedIn,), {"user": user})
    schema.auth(refresh_interval=None, retry_on=[])(provider)
    schema.hook("filter_failure")(refused_for_a_rule_in_words)
    return list(failures(from_schema(schema).execute()))


def failures(stream: Any) -> Iterator[str]:
    for event in stream:
        if isinstance(event, events.ScenarioFinished):
            yield from _scenario_failures(event.recorder)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            yield f"error: {event!r}"
        elif isinstance(event, events.EngineFinished):
            yield from (f"{failure.title}: {failure.message}" for failure in event.failures)


def _scenario_failures(recorder: Any) -> Iterator[str]:
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.failure_info is None:
                continue
            interaction = recorder.interactions.get(case_id)
            response = interaction.response if interaction else None
            answer = response.content[:300] if response is not None else b""
            yield (
                f"{check.name}: {check.failure_info.failure.title}\n"
                f"{check.failure_info.code_sample}\n-> {answer.decode(errors='replace')}"
            )


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_every_schemathesis_check_passes(world, role, connections_closed_after_each_request):
    # given the application serving the test database, and a caller of each role
    with AsgiServer(WSGIMiddleware(get_wsgi_application(), workers=1)) as url:  # type: ignore[arg-type]
        # when schemathesis runs its every phase and check over the document
        found = run(url, world[role])

    # then the server does what the document says, every time
    assert not found, f"{len(found)} failures:\n\n" + "\n\n".join(found[:30])
