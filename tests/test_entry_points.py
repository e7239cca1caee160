"""Public entry points are written out (CONVENTIONS rule 9, issue 12 item 5): every API operation
is a function under its own route decorator, so a search for its path finds its handler — never
registered in a loop (``router.post(path)(handler)``) from a handler a factory built."""

from __future__ import annotations

import ast
from pathlib import Path

import govshare

SOURCE = Path(govshare.__file__).parent
ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "api_operation", "add_api_operation"}


def _route_call(node: ast.Call) -> bool:
    """``<router>.post(...)`` and its kin, whatever the router's name."""
    func = node.func
    return isinstance(func, ast.Attribute) and func.attr in ROUTE_METHODS and bool(node.args)


def _registrations_outside_decorators(tree: ast.AST) -> list[int]:
    decorators = {
        id(decorator)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for decorator in node.decorator_list
    }
    found = []
    for node in ast.walk(tree):
        # ``router.post(path, ...)(handler)``: a route call that is itself called.
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Call):
            inner = node.func
            if _route_call(inner) and id(inner) not in decorators:
                found.append(node.lineno)
    return found


def _api_modules() -> list[Path]:
    return sorted(
        path for path in SOURCE.rglob("*.py") if "api" in path.stem or "api" in path.parent.name
    )


def test_every_api_operation_is_a_decorated_function():
    # given every API module of the platform
    modules = _api_modules()
    assert modules, "no API module found"

    # when each is read for routes registered by calling a route on a ready-made handler
    loose = {
        f"{path.relative_to(SOURCE)}:{line}"
        for path in modules
        for line in _registrations_outside_decorators(ast.parse(path.read_text()))
    }

    # then there is none: each operation is written out under its own decorator
    assert not loose, f"API operations registered outside a decorator: {sorted(loose)}"


def test_the_guard_finds_a_loop_registration():
    # given a module that registers its endpoints in a loop, as sharing/api.py once did
    source = (
        "for path, handler in STEPS:\n"
        "    router.post(f'/requests/{{id}}/{path}', summary='x')(handler)\n"
    )

    # then the guard names its line
    assert _registrations_outside_decorators(ast.parse(source)) == [2]


def test_the_sharing_steps_are_found_by_their_path():
    # given the sharing API's source
    source = (SOURCE / "sharing" / "api.py").read_text()

    # then each step's path is written out beside its handler
    for path in ("submit", "withdraw", "close", "negotiate", "escalate"):
        assert f'"/requests/{{id}}/{path}"' in source
    for path in ("suspend", "resume", "revoke"):
        assert f'"/grants/{{id}}/{path}"' in source
