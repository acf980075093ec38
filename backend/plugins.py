"""Plugins: Python modules imported at start-up by the server and the workers.

They come from two places: the modules named in ``NODELOOM_PLUGINS``, and the entry
points of installed distributions in the group ``nodeloom.nodes`` (a package declares
``[project.entry-points."nodeloom.nodes"] name = "its_module"``, and installing it is
enough). A plugin module adds node types by defining ``NodeType`` subclasses
(registration is by definition, see ``graph_engine.registry``). The server and every
worker must load the same plugins, or a workflow saved with a plugin node would not run
on a worker without it.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from importlib.metadata import entry_points

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "nodeloom.nodes"


class PluginError(Exception):
    """A plugin module could not be imported; the message names it and says why."""


def load_plugins(modules: Iterable[str]) -> None:
    """Imports ``modules`` (from ``NODELOOM_PLUGINS``), then every ``nodeloom.nodes``
    entry point installed."""
    for name in modules:
        _load(f"{name!r} (NODELOOM_PLUGINS)", lambda name=name: importlib.import_module(name))
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        described = f"'{entry_point.name} = {entry_point.value}' (entry point {ENTRY_POINT_GROUP})"
        _load(described, entry_point.load)


def _load(described: str, load: Callable[[], object]) -> None:
    try:
        load()
    except Exception as error:  # any import failure: name the plugin
        raise PluginError(f"cannot load plugin {described}: {error!r}") from error
    log.info("loaded plugin %s", described)
