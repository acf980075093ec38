"""Checked-in generated files stay equal to what the code generates.

If one fails, regenerate it:
    .venv/bin/nodeloom openapi --output frontend/src/api/openapi.json
    .venv/bin/nodeloom schema --output graph_engine/workflow.schema.json
"""

from __future__ import annotations

import json
from pathlib import Path

from backend.app import create_app
from backend.cli import render_json
from backend.config import Settings
from graph_engine.document import json_schema

REPO = Path(__file__).resolve().parents[2]
OPENAPI_FILE = REPO / "frontend" / "src" / "api" / "openapi.json"
SCHEMA_FILE = REPO / "graph_engine" / "workflow.schema.json"


def test_frontend_openapi_file_matches_the_live_schema(tmp_path: Path):
    live = create_app(Settings(data_dir=tmp_path)).openapi()

    checked_in = OPENAPI_FILE.read_text(encoding="utf-8")

    assert json.loads(checked_in) == live, "regenerate frontend/src/api/openapi.json"
    assert checked_in == render_json(live, sort_keys=True)


def test_workflow_schema_file_matches_the_document_model():
    checked_in = SCHEMA_FILE.read_text(encoding="utf-8")

    assert json.loads(checked_in) == json_schema(), "regenerate graph_engine/workflow.schema.json"
    assert checked_in == render_json(json_schema(), sort_keys=True)
