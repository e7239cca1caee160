"""Error codes are enum members with words in both languages (CONVENTIONS rule 7, issue 12
item 6): the source is read (AST) for every code a service, form, import or API handler raises,
and each must be a member of an error-code enum registered with core.errors; every member has
its rule in words, an English msgid translated in the zh_Hans catalogue, so that no page shows
a code."""

from __future__ import annotations

import ast
import functools
import importlib
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import polib
import pytest
from django.utils import translation
from django.utils.functional import Promise

import govshare
from govshare.core.errors import ERROR_ENUMS, ERROR_MESSAGES, error_message

SOURCE = Path(govshare.__file__).parent
CATALOGUE = SOURCE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# call name → where its code is: the index of the positional argument, and the keyword.
CODE_ARGUMENTS: dict[str, tuple[int, str]] = {
    "field_error": (2, "code"),  # field_error(field, message, code)
    "add": (2, "code"),  # ErrorCollector.add(field, message, code); a set's add takes one
    "refuse": (2, "code"),  # an import row's refuse(column, message, code)
    "ValidationError": (1, "code"),  # ValidationError(message, code)
    "ApiError": (1, "code"),  # ApiError(status, code, message)
}


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def code_expressions(tree: ast.AST) -> Iterator[ast.expr]:
    """Every expression in ``tree`` that stands where a call takes an error code."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name not in CODE_ARGUMENTS:
            continue
        index, keyword = CODE_ARGUMENTS[name]
        if name == "add" and len(node.args) != 3:
            continue
        if len(node.args) > index:
            yield node.args[index]
        yield from (item.value for item in node.keywords if item.arg == keyword)


def _operands(expression: ast.expr) -> Iterator[ast.expr]:
    """``error.code or ErrorCode.INVALID``: each operand is a code in its own right."""
    if isinstance(expression, ast.BoolOp):
        for value in expression.values:
            yield from _operands(value)
    elif isinstance(expression, ast.IfExp):
        yield from _operands(expression.body)
        yield from _operands(expression.orelse)
    else:
        yield expression


def _root(expression: ast.expr) -> str | None:
    while isinstance(expression, ast.Attribute):
        expression = expression.value
    return expression.id if isinstance(expression, ast.Name) else None


def _module(path: Path) -> str:
    return ".".join(("govshare", *path.relative_to(SOURCE).with_suffix("").parts))


def problems_in(path: Path, tree: ast.AST) -> Iterator[str]:
    """A code written as text, or a module-level name that is no registered enum member. A
    name local to its function (a code passed along, ``error.code``) is checked where it is
    raised."""
    module: Any = None
    for expression in code_expressions(tree):
        for operand in _operands(expression):
            where = f"{path.relative_to(SOURCE)}:{operand.lineno}"
            if isinstance(operand, ast.Constant) and operand.value is None:
                continue  # no code: the caller's default applies
            if isinstance(operand, ast.Constant | ast.JoinedStr | ast.BinOp):
                yield f"{where}: {ast.unparse(operand)} is written as text"
                continue
            module = module or importlib.import_module(_module(path))
            root = _root(operand)
            if root is None or root not in vars(module):
                continue
            value = eval(compile(ast.Expression(operand), where, "eval"), vars(module))
            if not (isinstance(value, StrEnum) and type(value) in ERROR_ENUMS):
                yield f"{where}: {ast.unparse(operand)} is no registered error-code member"


def _sources() -> Iterator[Path]:
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def test_every_code_raised_is_a_member_of_a_registered_error_enum():
    # given every module of the platform, read for the codes its errors carry
    problems = [
        problem
        for path in _sources()
        for problem in problems_in(path, ast.parse(path.read_text(), str(path)))
    ]

    # then each is a member of an error-code enum registered with core.errors
    assert not problems, "\n".join(problems)


def test_the_scan_finds_a_code_written_as_text(tmp_path):
    # given a service that raises a code as a string literal, as the packages once did
    source = (
        "def check(errors):\n"
        "    errors.add('masking', 'Choose a masking.', 'invalid')\n"
        "    raise field_error('until', 'Enter a date.', code=f'bad_{1}')\n"
    )

    # then both are found, each on its line
    found = list(problems_in(SOURCE / "x.py", ast.parse(source)))
    assert [problem.split(":")[1] for problem in found] == ["2", "3"]


def test_every_error_enum_of_a_package_is_registered():
    # given the error-code enums the packages declare in their errors modules
    declared = {
        value
        for path in _sources()
        if path.name == "errors.py" and path.parent.name != "gateway"
        for value in vars(importlib.import_module(_module(path))).values()
        if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum
    }

    # then each is registered (the gateway's codes have their own table of statuses and words)
    assert declared and declared <= set(ERROR_ENUMS)


@functools.cache
def _translated() -> dict[str, str]:
    return {
        entry.msgid: entry.msgstr
        for entry in polib.pofile(str(CATALOGUE))
        if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags
    }


def _members() -> list[StrEnum]:
    return [member for codes in ERROR_ENUMS for member in codes]


@pytest.mark.parametrize("code", _members(), ids=str)
def test_every_code_has_its_rule_in_english_and_chinese(code):
    # given a registered code's words
    message = ERROR_MESSAGES[code]

    # then they are a translatable English msgid, translated in the zh_Hans catalogue (read from
    # the .po file, so a translation waiting to be merged is caught before it is compiled)
    assert isinstance(message, Promise), f"{code}: words not through gettext_lazy"
    msgid = message._args[0]  # type: ignore[attr-defined]
    has_translation = msgid in _translated()
    assert has_translation, f"{code}: {msgid!r} has no zh_Hans translation"
    with translation.override("en"):
        assert str(error_message(code)) == msgid != code


def test_a_code_nobody_registered_is_shown_in_words_never_as_itself():
    with translation.override("zh-hans"):
        assert str(error_message("some_new_rule")) != "some_new_rule"
