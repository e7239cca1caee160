"""The layers of DESIGN.md, in the two ways import-linter does not check (it sees every import,
but not where it stands): no function-level import of another govshare package, which hides an
upward dependency or dodges a cycle; and no import of a domain package from core, whatever its
kind (a TYPE_CHECKING import included). The layers themselves are pyproject.toml's import-linter
contract, run by `lint-imports` in scripts/test.sh and `make lint`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import govshare

SOURCE = Path(govshare.__file__).parent

# Function-level imports of another package that stay, each with why. Nothing else may be added
# to dodge a cycle: an upward need goes through a registry (core/registry.py).
ALLOWED_FUNCTION_IMPORTS: dict[tuple[str, str], str] = {
    # The CLI starts before django.setup(); the module it needs there loads models.
    ("cli.py", "govshare.exchange.connectors.sql"): "runs before Django is set up",
}


@dataclass(frozen=True)
class Import:
    path: str  # relative to src/govshare
    line: int
    target: str  # the dotted module imported
    in_function: bool
    in_ready: bool  # inside an AppConfig's ready(), where Django wants the app's wiring


def package_of(path: str) -> str:
    """``catalog`` for ``catalog/views/x.py``; ``""`` for a top-level module (the root)."""
    parts = Path(path).parts
    return parts[0] if len(parts) > 1 else ""


def target_package(target: str) -> str:
    parts = target.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "govshare" else ""


def _module_of(path: Path) -> list[str]:
    parts = ["govshare", *path.relative_to(SOURCE).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def _targets(node: ast.Import | ast.ImportFrom, path: Path) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # a relative import, resolved against the importing module's package
        package = _module_of(path)
        if path.name != "__init__.py":
            package = package[:-1]
        base = package[: len(package) - node.level + 1]
        module = ".".join([*base, node.module] if node.module else base)
    else:
        module = node.module or ""
    if module == "govshare":  # ``from govshare import catalog`` names the package itself
        return [f"govshare.{alias.name}" for alias in node.names]
    return [module]


def imports_in(path: Path) -> Iterator[Import]:
    relative = path.relative_to(SOURCE).as_posix()

    def walk(node: ast.AST, in_function: bool, in_ready: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                for target in _targets(child, path):
                    yield Import(relative, child.lineno, target, in_function, in_ready)
            is_function = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            is_ready = is_function and child.name == "ready" and path.name == "apps.py"
            yield from walk(child, in_function or is_function, in_ready or is_ready)

    yield from walk(ast.parse(path.read_text(encoding="utf-8")), False, False)


def all_imports() -> list[Import]:
    return [found for path in sorted(SOURCE.rglob("*.py")) for found in imports_in(path)]


def function_level_imports_of_other_packages(imports: list[Import]) -> list[str]:
    return [
        f"{found.path}:{found.line} imports {found.target}"
        for found in imports
        if found.in_function
        and not found.in_ready
        and target_package(found.target)
        and target_package(found.target) != package_of(found.path)
        and (found.path, found.target) not in ALLOWED_FUNCTION_IMPORTS
    ]


def core_imports_of_other_packages(imports: list[Import]) -> list[str]:
    return [
        f"{found.path}:{found.line} imports {found.target}"
        for found in imports
        if package_of(found.path) == "core" and target_package(found.target) not in {"", "core"}
    ]


def test_no_function_level_import_of_another_govshare_package():
    # Given every module of govshare, when its imports are read, then none of another package
    # stands inside a function (only an AppConfig.ready() wires its app to those below).
    offending = function_level_imports_of_other_packages(all_imports())
    assert not offending, (
        "import at module level when the package is below; use a registry filled in the "
        f"higher package's AppConfig.ready() when it is above: {offending}"
    )


def test_core_names_no_domain_package():
    offending = core_imports_of_other_packages(all_imports())
    assert not offending, f"core knows no domain package (use core/registry.py): {offending}"


def test_the_allow_list_names_only_imports_that_exist():
    # An entry whose import is gone (the demo moved, say) must leave the list with it.
    present = {(found.path, found.target) for found in all_imports() if found.in_function}
    stale = set(ALLOWED_FUNCTION_IMPORTS) - present
    assert not stale, f"remove from ALLOWED_FUNCTION_IMPORTS: {sorted(stale)}"


def test_the_checks_see_what_they_must_refuse(tmp_path):
    # Given a module of core that imports orgs inside a function (a hidden upward import) and
    # one of catalog that imports sharing the same way, both are reported; ready() is not.
    imports = [
        Import("core/x.py", 3, "govshare.orgs.models", in_function=True, in_ready=False),
        Import("catalog/x.py", 5, "govshare.sharing.selectors", in_function=True, in_ready=False),
        Import("catalog/apps.py", 9, "govshare.inventory.funding", in_function=True, in_ready=True),
        Import("catalog/y.py", 7, "govshare.catalog.models", in_function=True, in_ready=False),
    ]
    assert function_level_imports_of_other_packages(imports) == [
        "core/x.py:3 imports govshare.orgs.models",
        "catalog/x.py:5 imports govshare.sharing.selectors",
    ]
    assert core_imports_of_other_packages(imports) == ["core/x.py:3 imports govshare.orgs.models"]


def test_relative_and_package_imports_are_resolved(tmp_path, monkeypatch):
    # Given a module written with a relative import and a ``from govshare import pkg``,
    # when read, then both name the package they reach.
    package = tmp_path / "core"
    package.mkdir()
    module = package / "m.py"
    module.write_text("def f():\n    from ..orgs import models\n    from govshare import sharing\n")
    monkeypatch.setattr("tests.test_layers.SOURCE", tmp_path)
    targets = [found.target for found in imports_in(module)]
    assert targets == ["govshare.orgs", "govshare.sharing"]
