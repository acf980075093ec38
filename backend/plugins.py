"""``NODELOOM_PLUGINS``: Python modules imported at start-up by the server and the workers.

A plugin module adds node types by defining ``NodeType`` subclasses (registration is by
definition, see ``graph_engine.registry``). The server and every worker must load the
same plugins, or a workflow saved with a plugin node would not run on a worker without it.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)


class PluginError(Exception):
    """A plugin module could not be imported; the message names it and says why."""


def load_plugins(modules: Iterable[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as error:  # any import failure: name the module
            raise PluginError(
                f"cannot load plugin {name!r} (NODELOOM_PLUGINS): {error!r}"
            ) from error
        log.info("loaded plugin %s", name)
