"""Plugins from installed distributions: the entry-point group ``nodeloom.nodes``.

The distribution is made here, a ``dist-info`` with ``entry_points.txt`` beside its
module, and loaded in a subprocess: the test process's catalogue stays free of test nodes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.plugins import PluginError, load_plugins

REPO = Path(__file__).resolve().parents[2]

TINY_NODE = """
from graph_engine.nodes.base import NodeParams, NodeType, Port, PortType


class Shout(NodeType):
    type_id = "tiny.shout"
    title = "Shout"
    category = "Tiny"

    class Params(NodeParams):
        pass

    inputs = (Port("text", PortType.TEXT),)
    outputs = (Port("text", PortType.TEXT),)

    async def run(self, ctx, inputs, params):
        return {"text": inputs["text"].upper()}
"""

LIST_CATALOGUE = """
import json
from backend.plugins import load_plugins
from graph_engine import catalogue
load_plugins([])
print(json.dumps([item["type_id"] for item in catalogue()]))
"""


def make_distribution(site: Path, entry_point: str, module_source: str | None) -> None:
    """An installed distribution ``tiny-nodes`` as ``importlib.metadata`` finds one."""
    info = site / "tiny_nodes-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tiny-nodes\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[nodeloom.nodes]\n{entry_point}\n")
    if module_source is not None:
        (site / "tiny_nodes.py").write_text(module_source)


def test_a_node_type_from_the_entry_point_group_is_in_the_catalogue(tmp_path):
    make_distribution(tmp_path, "shout = tiny_nodes", TINY_NODE)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])}
    result = subprocess.run(
        [sys.executable, "-c", LIST_CATALOGUE],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    type_ids = json.loads(result.stdout.splitlines()[-1])
    assert "tiny.shout" in type_ids
    assert "tiny.shout" not in [item["type_id"] for item in _own_catalogue()]


def test_an_entry_point_that_does_not_load_is_named(tmp_path, monkeypatch):
    make_distribution(tmp_path, "broken = no_such_tiny_module", None)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError) as raised:
        load_plugins([])
    message = str(raised.value)
    assert "'broken = no_such_tiny_module'" in message
    assert "nodeloom.nodes" in message


def _own_catalogue() -> list[dict]:
    from graph_engine import catalogue

    return catalogue()
