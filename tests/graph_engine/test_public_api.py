"""The engine's public surface is pinned: a change here is a change for every caller."""

from __future__ import annotations

import pathlib

import graph_engine


def test_exported_members():
    assert graph_engine.__all__ == [
        "CallbackSink", "CompileOptions", "CompiledWorkflow", "Credential", "CredentialRef",
        "CredentialResolver", "DocumentError", "EventSink", "EventSinkError",
        "GraphEngineError", "InvalidRunInputs", "ListSink", "MappingCredentials", "Problem",
        "Registry", "RunEvent", "RunResult", "ValidationFailed", "WorkflowDocument",
        "catalogue", "compile_workflow", "default_registry", "events_json_schema",
        "export_bytes", "parse_document", "parse_event", "queued_event", "run", "validate",
    ]  # fmt: skip
    for name in graph_engine.__all__:
        assert hasattr(graph_engine, name), name


def test_only_compile_imports_langgraph():
    package = pathlib.Path(graph_engine.__file__).parent
    importers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if any(
            line.lstrip().startswith(("import langgraph", "from langgraph"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    )
    assert importers == ["compile.py"]


def test_no_submodule_shadows_an_exported_name():
    """Importing a submodule sets it as an attribute of the package: one named like an
    export (``graph_engine/validate.py`` once) turned ``graph_engine.validate`` into a
    module, depending on what had been imported before."""
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages(graph_engine.__path__, "graph_engine."):
        importlib.import_module(module.name)
    for name in graph_engine.__all__:
        exported = getattr(graph_engine, name)
        assert not isinstance(exported, type(pathlib)), name
    assert callable(graph_engine.validate)


def test_an_error_and_an_event_never_share_a_name():
    """``except RunCancelled`` and ``emit(RunCancelled, …)`` must not mean two classes."""
    import inspect

    from graph_engine import errors, events

    def classes(module: object) -> set[str]:
        return {name for name, value in vars(module).items() if inspect.isclass(value)}

    errors_defined = {
        n for n in classes(errors) if getattr(errors, n).__module__ == errors.__name__
    }
    events_defined = {
        n for n in classes(events) if getattr(events, n).__module__ == events.__name__
    }
    assert errors_defined & events_defined == set()
