"""Import an optional dependency, or fail the node with the install command that fixes it."""

from __future__ import annotations

import importlib
from types import ModuleType

from graph_engine.errors import NodeError

LOCAL_MODELS = "local-models"
"""The extra with the heavy, offline models: llama-cpp-python, MiniLM, Gemma and torch."""


class MissingDependency(NodeError):
    """A node needs a package that is not installed; the message names what to install."""

    code = "missing_dependency"
    retryable = False


def require(module: str, *, feature: str, package: str, extra: str | None = None) -> ModuleType:
    """``import module``, or raise ``MissingDependency`` naming the package and extra."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        if extra is not None:
            how = f"install the extra: pip install 'nodeloom[{extra}]'"
        else:
            how = f"reinstall Nodeloom or run: pip install {package}"
        raise MissingDependency(
            f"{feature} needs the Python package {package!r}, which is not installed "
            f"({error.name or module} is missing); {how}."
        ) from None
