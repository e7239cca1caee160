"""Every service authorizes (CONVENTIONS rules 1 and 3, issue 12 item 9), in the spirit of CKAN's
auth audit: each public function of a services module checks access — ``require``, ``can``,
``restrict`` or a ``PermissionDenied`` of its own, itself or through a function of the services
it calls — or is declared ``@internal(reason)`` (only services, tasks or restricted reads call
it) or ``@open_to_anyone(reason)`` (signing in and the like), core/permissions.py. A new public
service that does neither fails here."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import govshare

SOURCE = Path(govshare.__file__).parent
CHECKS = {"require", "can", "restrict"}
DECLARATIONS = {"internal", "open_to_anyone"}


@dataclass
class Function:
    module: str
    node: ast.FunctionDef
    calls: set[str] = field(default_factory=set)  # names called, resolved to "module.name"
    checks: bool = False  # calls an authorization helper or raises PermissionDenied itself


def _is_service_module(path: Path) -> bool:
    parts = path.relative_to(SOURCE).parts
    return path.name != "__init__.py" and ("services" in parts[:-1] or path.stem == "services")


def _module(path: Path) -> str:
    return ".".join(("govshare", *path.relative_to(SOURCE).with_suffix("").parts))


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """``from govshare.x.services import f`` → {"f": "govshare.x.services.f"}."""
    return {
        alias.asname or alias.name: f"{node.module}.{alias.name}"
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _raises_denial(node: ast.AST) -> bool:
    return any(
        isinstance(raised, ast.Raise)
        and raised.exc is not None
        and "PermissionDenied" in ast.unparse(raised.exc)
        for raised in ast.walk(node)
    )


def read_functions(modules: dict[str, ast.Module]) -> dict[str, Function]:
    """Every module-level function of the services, by "module.name"."""
    functions: dict[str, Function] = {}
    for module, tree in modules.items():
        imported = _imported_names(tree)
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            function = Function(module, node)
            for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
                name = _called_name(call)
                if name in CHECKS:
                    function.checks = True
                elif isinstance(call.func, ast.Name) and name:
                    function.calls.add(imported.get(name, f"{module}.{name}"))
            function.checks = function.checks or _raises_denial(node)
            functions[f"{module}.{node.name}"] = function
    return functions


def authorizing(functions: dict[str, Function]) -> set[str]:
    """The functions that check access, themselves or through a service function they call."""
    found = {name for name, function in functions.items() if function.checks}
    grew = True
    while grew:
        more = {
            name
            for name, function in functions.items()
            if name not in found and function.calls & found
        }
        found |= more
        grew = bool(more)
    return found


def declaration(node: ast.FunctionDef) -> str | None:
    """The reason of ``@internal("…")`` or ``@open_to_anyone("…")``, if the function has one."""
    for decorator in node.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and _called_name(decorator) in DECLARATIONS
            and decorator.args
            and isinstance(decorator.args[0], ast.Constant)
        ):
            return str(decorator.args[0].value)
    return None


def unchecked(modules: dict[str, ast.Module]) -> list[str]:
    functions = read_functions(modules)
    checked = authorizing(functions)
    return sorted(
        name
        for name, function in functions.items()
        if not function.node.name.startswith("_")
        and name not in checked
        and not (declaration(function.node) or "").strip()
    )


def _service_modules() -> dict[str, ast.Module]:
    return {
        _module(path): ast.parse(path.read_text(), str(path))
        for path in sorted(SOURCE.rglob("*.py"))
        if _is_service_module(path)
    }


def test_every_public_service_checks_access_or_says_why_not():
    # given every services module of the platform
    modules = _service_modules()
    assert len(modules) > 10

    # then each public function authorizes, or is declared internal or open with a reason
    missing = unchecked(modules)
    assert not missing, f"services that neither authorize nor say why not: {missing}"


def test_the_guard_finds_a_service_that_checks_nothing():
    # given a service module with one function that checks, one that delegates to it, one
    # declared internal, one behind a private helper that refuses, and one that checks nothing
    source = (
        "def grant(*, actor, obj):\n"
        "    require(actor, 'decide', obj)\n"
        "def answer(*, actor, obj):\n"
        "    return grant(actor=actor, obj=obj)\n"
        "@internal('the state machine: services call it after authorizing')\n"
        "def step(actor, obj):\n"
        "    obj.save()\n"
        "def report(*, actor, obj):\n"
        "    _only_officers(actor)\n"
        "def _only_officers(actor):\n"
        "    if not actor.is_officer:\n"
        "        raise PermissionDenied('report')\n"
        "def apply(actor, obj):\n"
        "    obj.save()\n"
    )

    # then only the last is named
    assert unchecked({"govshare.x.services": ast.parse(source)}) == ["govshare.x.services.apply"]


def test_a_declaration_needs_a_reason():
    source = "@internal('')\ndef step(actor, obj):\n    obj.save()\n"
    assert unchecked({"govshare.x.services": ast.parse(source)}) == ["govshare.x.services.step"]
