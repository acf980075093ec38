"""The rooms of ``backend/`` and which way imports may run between them.

The command line sits on top: nothing the API or the worker runs may import
``backend.commands``. Route modules sit on top of the API: a helper two routes share
lives in a module without routes, so only ``backend.api.router`` imports route modules,
and only the app and the command line import the API. The engine imports nothing of the
backend. Every import counts, lazy ones included.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "api_route"}
# The one module that includes every route module's router into the API.
ROUTE_ASSEMBLY = "backend.api.router"
COMMAND_LINE = ("backend.commands", "backend.cli")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _parse(package: str) -> dict[str, ast.Module]:
    return {
        _module_name(path): ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def _imports(module: str, tree: ast.Module, is_package: bool) -> Iterator[tuple[int, str]]:
    """``(line, imported module)`` for every import; ``from a import b`` is ``a.b`` when
    ``b`` is a submodule, ``a`` otherwise."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield node.lineno, submodule if submodule in MODULES else base


def _is_under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _declares_routes(tree: ast.Module) -> bool:
    """A module that creates an ``APIRouter`` and puts a route on it (``@router.get``)."""
    creates = any(
        isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) == "APIRouter"
        for node in ast.walk(tree)
    )
    decorates = any(
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in HTTP_METHODS
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for decorator in node.decorator_list
    )
    return creates and decorates


BACKEND = _parse("backend")
ENGINE = _parse("graph_engine")
MODULES = {*BACKEND, *ENGINE}
PACKAGES = {_module_name(path) for path in ROOT.glob("*/**/__init__.py")}
ROUTE_MODULES = sorted(
    name
    for name, tree in BACKEND.items()
    if name.startswith("backend.api.") and name.count(".") == 2 and _declares_routes(tree)
)


def _edges(modules: dict[str, ast.Module]) -> list[tuple[str, int, str]]:
    return [
        (module, line, imported)
        for module, tree in modules.items()
        for line, imported in _imports(module, tree, module in PACKAGES)
    ]


def _assert_none(rule: str, edges: list[tuple[str, int, str]]) -> None:
    breaches = sorted({f"{module}:{line} imports {imported}" for module, line, imported in edges})
    assert not breaches, f"Breaks the rule '{rule}':\n" + "\n".join(breaches)


def test_the_route_modules_are_found() -> None:
    # The rule below is only as good as this list: the API's busiest routes are in it.
    busiest = {"backend.api.runs", "backend.api.workflows", "backend.api.link_visits"}
    assert busiest <= set(ROUTE_MODULES)
    assert ROUTE_ASSEMBLY not in ROUTE_MODULES


def test_nothing_outside_the_command_line_imports_its_commands() -> None:
    edges = [
        edge
        for edge in _edges(BACKEND)
        if not any(_is_under(edge[0], room) for room in COMMAND_LINE)
        and _is_under(edge[2], "backend.commands")
    ]
    _assert_none("only backend.commands and backend.cli import backend.commands", edges)


def test_only_the_api_router_imports_route_modules() -> None:
    edges = [
        edge
        for edge in _edges(BACKEND)
        if edge[0] != ROUTE_ASSEMBLY and any(_is_under(edge[2], route) for route in ROUTE_MODULES)
    ]
    _assert_none(f"only {ROUTE_ASSEMBLY} imports a route module", edges)


def test_the_engine_imports_nothing_of_the_backend() -> None:
    edges = [edge for edge in _edges(ENGINE) if _is_under(edge[2], "backend")]
    _assert_none("graph_engine never imports backend", edges)


def test_only_the_app_and_the_command_line_import_the_http_layer() -> None:
    """The store, the bus, the worker and the runs' own code never reach up into
    ``backend.api``: ``backend.app`` assembles it, the command line asks it for documents."""
    importers = ("backend.api", "backend.app", *COMMAND_LINE)
    edges = [
        edge
        for edge in _edges(BACKEND)
        if _is_under(edge[2], "backend.api")
        and not any(_is_under(edge[0], importer) for importer in importers)
    ]
    _assert_none(f"only {', '.join(importers)} import backend.api", edges)
