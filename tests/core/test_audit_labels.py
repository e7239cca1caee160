"""Audit actions have readable names: every code the code base records, on every audit page."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse

import govshare
from govshare.catalog.choices import MountKind
from govshare.core.evidence import audit
from govshare.core.evidence.audit import action_label, known_action_labels
from govshare.inventory.choices import CENSUS_TRANSITIONS
from govshare.sharing.choices import TRANSITIONS

SOURCE = Path(govshare.__file__).parent

# The values each f-string action code is built from. A new f-string code fails the test below
# until its values are listed here and each resulting code has a label.
EXPANSIONS: dict[str, set[str]] = {
    "catalog.resource.{}": {"approve", "return"},
    "exchange.mount.{}.set": set(MountKind.values),
    "inventory.census.{}": {
        target for targets in CENSUS_TRANSITIONS.values() for target in targets
    },
    "sharing.request.{}": {action for _state, action in TRANSITIONS},
}


def _record_calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "record" and getattr(node.func.value, "id", "") == "audit":
                yield node


def _codes_of(value: ast.expr, tree: ast.AST, where: str) -> set[str]:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return {value.value}
    if isinstance(value, ast.IfExp):
        return _codes_of(value.body, tree, where) | _codes_of(value.orelse, tree, where)
    if isinstance(value, ast.JoinedStr):
        template = "".join(
            part.value if isinstance(part, ast.Constant) else "{}" for part in value.values
        )
        assert template in EXPANSIONS, f"{where}: list the values of {template!r} in EXPANSIONS"
        return {template.format(part) for part in EXPANSIONS[template]}
    if isinstance(value, ast.Name):
        return _passed_to_parameter(value.id, tree, where)
    raise AssertionError(f"{where}: cannot tell which action codes {ast.dump(value)} records")


def _passed_to_parameter(name: str, tree: ast.AST, where: str) -> set[str]:
    """The string literals passed for parameter ``name`` of the module's functions that take it,
    e.g. ``_save_department(actor, department, values, "orgs.department.update")``."""
    codes: set[str] = set()
    functions = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and name in [arg.arg for arg in node.args.args]
    ]
    for function in functions:
        position = [arg.arg for arg in function.args.args].index(name)
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and getattr(call.func, "id", "") == function.name:
                passed = [kw.value for kw in call.keywords if kw.arg == name]
                passed += call.args[position : position + 1]
                for value in passed:
                    codes |= _codes_of(value, tree, where)
    assert codes, f"{where}: cannot tell which action codes {name!r} holds"
    return codes


def recorded_action_codes() -> dict[str, str]:
    """Every action code passed to ``audit.record`` in src/, with where it is recorded."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _record_calls(tree):
            where = f"{path.relative_to(SOURCE)}:{call.lineno}"
            for keyword in call.keywords:
                if keyword.arg == "action":
                    found.update(dict.fromkeys(_codes_of(keyword.value, tree, where), where))
    return found


def test_the_scan_finds_the_codes_of_every_kind_of_call():
    codes = recorded_action_codes()
    assert len(codes) > 80
    assert {
        "identity.login",  # a literal
        "sharing.calendar_day.update",  # one branch of a conditional
        "sharing.request.decide",  # an f-string over sharing's transitions
        "orgs.department.update_contact",  # passed to a helper's ``action`` parameter
    } <= set(codes)


def test_every_action_code_recorded_in_the_code_base_has_a_label():
    recorded = recorded_action_codes()
    missing = {code: where for code, where in recorded.items() if code not in known_action_labels()}
    assert not missing, f"add these to their package's audit_labels.AUDIT_LABELS: {missing}"


def test_an_unknown_code_is_shown_as_itself():
    assert action_label("retired.action") == "retired.action"


# --- the pages ------------------------------------------------------------------------------


@pytest.fixture
def login_event(db, auditor):
    return audit.record(actor=auditor, action="identity.login", obj=auditor)


def _english_page(client, url: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("page", ["core:home", "core:audit_list", "core:audit_detail"])
def test_given_an_audited_sign_in_when_an_audit_page_is_opened_then_it_is_named_with_its_code(
    client_for, auditor, login_event, page
):
    url = reverse(page, args=[login_event.seq] if page == "core:audit_detail" else [])
    html = _english_page(client_for(auditor), url)
    assert re.search(r">\s*Sign in\s*<", html)
    assert "identity.login" in html  # still there for auditors, as secondary text or a title


def test_given_an_event_of_a_retired_code_when_listed_then_the_code_is_shown(
    db, client_for, auditor
):
    audit.record(actor=auditor, action="retired.action", obj=auditor)
    html = _english_page(client_for(auditor), reverse("core:audit_list"))
    assert re.search(r">\s*retired\.action\s*<", html)
