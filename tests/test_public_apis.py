"""``backend/`` and ``graph_engine/`` use only the public surface of the libraries they
build on (SQLAlchemy, aiokafka, FastAPI, Starlette, LangGraph), so an upgrade of one
breaks nothing it did not announce.

What counts as reaching in, read from each module's syntax tree (lazy imports too):

- importing a private name or module: any dotted segment that starts with ``_``
  (``from sqlalchemy.util import _collections``, ``import starlette._utils``);
- importing a module the project documents as internal (``INTERNAL_MODULES``), or one
  of the driver adapters SQLAlchemy builds its own dialects from (``INTERNAL_NAMES``);
- reading a private attribute of a library object. A syntax tree has no types, so the
  rule is this: in a module that imports one of the libraries, ``x._name`` is reaching
  in unless ``x`` is ``self`` or ``cls`` (the module's own objects keep their own
  privates) or ``_name`` is one of the underscore names a library documents as public
  (``Row._mapping``, namedtuple's ``_make``). The rule may flag an access to a private
  attribute of another of the project's own objects in such a module; that is a smell
  as well, and the fix is the same (a public name). It cannot miss a direct one.
- reading the compiler's internal bookkeeping (``compiled.positiontup``, ``.binds``:
  SQLAlchemy lists them under "Core Internals"), in a module that imports SQLAlchemy;
- the same through a string: ``getattr(x, "_client")``, ``hasattr``, ``setattr``,
  ``operator.attrgetter`` with a name that starts with ``_``, in any module;
- FastAPI's own corner of the ASGI scope (``scope["fastapi"]``), which it documents
  nowhere and reshapes between releases.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("backend", "graph_engine")
LIBRARIES = ("sqlalchemy", "aiokafka", "fastapi", "starlette", "langgraph")
# Modules that are no part of the documented API (SQLAlchemy's "Core Internals" and its
# asyncio driver glue, aiokafka's connection and client layer).
INTERNAL_MODULES = (
    "sqlalchemy.util",
    "sqlalchemy.connectors",
    "sqlalchemy.engine.default",
    "sqlalchemy.sql.compiler",
    "sqlalchemy.testing",
    "aiokafka.conn",
    "aiokafka.client",
)
# Class-name prefixes of SQLAlchemy's driver adapters, wherever they are imported from.
INTERNAL_NAMES = ("AsyncAdapt_",)
# Underscore names that are public API: SQLAlchemy's Row and Python's namedtuple use the
# underscore so that a column or field may be called anything.
PUBLIC_UNDERSCORE_NAMES = frozenset(
    {"_mapping", "_asdict", "_fields", "_make", "_replace", "_t", "_tuple", "_field_defaults"}
)
# The compiled statement's bookkeeping, listed among SQLAlchemy's "Core Internals".
INTERNAL_ATTRIBUTES = frozenset(
    {"positiontup", "binds", "bind_names", "literal_execute_params", "post_compile_params"}
)
STRING_LOOKUPS = frozenset({"getattr", "hasattr", "setattr", "delattr", "attrgetter"})
PRIVATE_SCOPE_KEYS = frozenset({"fastapi"})


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _library(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in LIBRARIES else None


def _is_under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _import_problems(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            imported = [(node.module, alias.name) for alias in node.names]
        else:
            continue
        for module, name in imported:
            if _library(module) is None:
                continue
            full = module if name is None else f"{module}.{name}"
            if any(_is_private(part) for part in full.split(".")):
                yield node.lineno, f"imports the private {full}"
            elif any(_is_under(full, internal) for internal in INTERNAL_MODULES):
                yield node.lineno, f"imports {full}, which its project documents as internal"
            elif name is not None and name.startswith(INTERNAL_NAMES):
                yield node.lineno, f"imports {full}, a driver adapter internal to SQLAlchemy"


def _imports_a_library(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(_library(a.name) for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and not node.level and _library(node.module or ""):
            return True
    return False


def _attribute_problems(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        if node.attr in INTERNAL_ATTRIBUTES:
            yield node.lineno, f"reads .{node.attr}, internal to SQLAlchemy's compiler"
        if not _is_private(node.attr):
            continue
        if node.attr in PUBLIC_UNDERSCORE_NAMES:
            continue
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            continue
        yield node.lineno, f"reads the private attribute .{node.attr} of {ast.unparse(node.value)}"


def _string_problems(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func
            called = function.id if isinstance(function, ast.Name) else None
            if isinstance(function, ast.Attribute):
                called = function.attr
            if called in STRING_LOOKUPS:
                for argument in node.args:
                    if _private_string(argument):
                        yield node.lineno, f"looks up {argument.value!r} by name ({called})"
            if called == "get" and node.args and _scope_key(node.args[0]):
                yield node.lineno, "reads FastAPI's private part of the ASGI scope"
        elif isinstance(node, ast.Subscript) and _scope_key(node.slice):
            yield node.lineno, "reads FastAPI's private part of the ASGI scope"


def _private_string(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Constant) and isinstance(node.value, str) and _is_private(node.value)
    )


def _scope_key(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value in PRIVATE_SCOPE_KEYS


def _problems() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            checks = [_import_problems(tree), _string_problems(tree)]
            if _imports_a_library(tree):
                checks.append(_attribute_problems(tree))
            where = path.relative_to(ROOT)
            for check in checks:
                found += [f"{where}:{line}: {what}" for line, what in check]
    return sorted(found)


def test_backend_and_engine_use_only_public_apis_of_their_libraries():
    problems = _problems()
    assert not problems, "private API of a dependency in use:\n" + "\n".join(problems)


def _flagged(source: str) -> list[str]:
    tree = ast.parse(source)
    found = [*_import_problems(tree), *_string_problems(tree)]
    if _imports_a_library(tree):
        found += _attribute_problems(tree)
    return [what for _, what in found]


def test_the_check_sees_each_way_of_reaching_in():
    assert _flagged("from sqlalchemy.util.concurrency import await_")
    assert _flagged("from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_cursor")
    assert _flagged("from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_cursor")
    assert _flagged("import starlette._utils")
    assert _flagged("from fastapi.routing import _IncludedRouter")
    assert _flagged("def f():\n    from langgraph.pregel._loop import x")
    assert _flagged("import aiokafka\ndef f(c):\n    return c._client._conns")
    assert _flagged("def f(c):\n    return getattr(getattr(c, '_client', None), '_conns')")
    assert _flagged("def f(scope):\n    return scope.get('fastapi', {})")
    assert _flagged("import sqlalchemy\ndef f(compiled):\n    return compiled.positiontup")


def test_the_check_leaves_public_use_alone():
    assert not _flagged("from sqlalchemy.ext.asyncio import AsyncConnection")
    assert not _flagged("import sqlalchemy\nclass A:\n    def f(self):\n        return self._x")
    assert not _flagged("import sqlalchemy\ndef f(row):\n    return row._mapping")
    assert not _flagged("def f(other):\n    return other._x")  # no library in the module
    assert not _flagged("def f(scope):\n    return scope['route']")
