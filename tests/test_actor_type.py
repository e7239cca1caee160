"""Who acts is typed: a parameter named ``actor`` or ``user`` is an Actor (core/actors.py), a
Person or another real type, never ``Any``, so mypy checks what each caller passes and what each
callee reads of it. ``Any`` in a union (``Any | None``, ``Optional[Any]``) counts too."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import govshare

SOURCE = Path(govshare.__file__).parent
WHO_ACTS = {"actor", "user"}


def mentions_any(annotation: ast.expr) -> bool:
    """Whether the annotation is ``Any`` or has it in a union or an Optional (string forms too)."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return mentions_any(ast.parse(annotation.value, mode="eval").body)
    if isinstance(annotation, ast.Name):
        return annotation.id == "Any"
    if isinstance(annotation, ast.Attribute):
        return annotation.attr == "Any"
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return mentions_any(annotation.left) or mentions_any(annotation.right)
    if isinstance(annotation, ast.Subscript) and _name(annotation.value) in {"Optional", "Union"}:
        inner = annotation.slice
        parts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
        return any(mentions_any(part) for part in parts)
    return False


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else ""


def untyped_actors(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        arguments = node.args
        for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
            if argument.arg in WHO_ACTS and argument.annotation is not None:
                if mentions_any(argument.annotation):
                    yield argument.lineno, f"{node.name}({argument.arg})"


def test_no_actor_or_user_parameter_is_typed_any() -> None:
    # Given every module of the package
    found = [
        f"{path.relative_to(SOURCE)}:{line} {where}"
        for path in sorted(SOURCE.rglob("*.py"))
        for line, where in untyped_actors(ast.parse(path.read_text(encoding="utf-8")))
    ]
    # Then none takes its actor or user as Any
    assert found == [], "type these with core.actors.Actor (or Person):\n" + "\n".join(found)


def test_the_check_sees_any_in_its_forms() -> None:
    # Given functions whose actor is Any, plainly, in a union, an Optional or a string
    source = """
def a(actor: Any): ...
def b(*, user: Any | None): ...
def c(user: Optional[Any]): ...
def d(actor: "typing.Any"): ...
def e(actor: Actor, user: Person | None, other: Any): ...
"""
    # When the check walks them
    found = [where for _line, where in untyped_actors(ast.parse(source))]
    # Then it names the four and passes the typed ones and other parameters
    assert found == ["a(actor)", "b(user)", "c(user)", "d(actor)"]
