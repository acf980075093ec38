"""The core node catalogue: importing this package registers every node type in it.

Each module here is one node family (``io``, ``data``, ``prompt``, ``logic``…). A new
family is a new module: every module in this package whose name does not start with
``_`` (and is not ``base``) is imported here, so defining a class is the only
registration step.
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name):
    if not _module.name.startswith("_") and _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")
