"""``nodeloom validate``: every problem, one per line or as JSON; exit 2 on any error."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from api_support import document, node
from cli_support import greeting, link, looping, write

from backend.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, main


def test_a_clean_workflow_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = write(tmp_path / "greeting.json", greeting())

    assert main(["validate", str(path)]) == EXIT_OK

    assert capsys.readouterr().out == f"{path}: no problems\n"


def test_warnings_are_printed_but_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    doc = greeting()
    doc["nodes"].append(node("spare", text="unused"))
    path = write(tmp_path / "flow.json", doc)

    assert main(["validate", str(path)]) == EXIT_OK

    assert capsys.readouterr().out.splitlines() == [
        f"{path}: warning [output_unused] node 'spare' at /nodes/3: "
        "Text: nothing uses its output, so it runs for nothing.",
        f"{path}: 1 warning — can run",
    ]


def test_a_cycle_is_an_error_naming_its_nodes(tmp_path: Path, capsys: pytest.CaptureFixture):
    path = write(tmp_path / "loop.json", looping())

    assert main(["validate", str(path)]) == EXIT_INVALID

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        f"{path}: error [cycle] node 'a' at /nodes/0: These nodes form a loop: "
        "Prompt template 1 → Prompt template 2 → Prompt template 1. Workflows must not loop."
    )
    assert lines[-1] == f"{path}: 1 error — cannot run"


def test_errors_come_first_and_edges_are_named(tmp_path: Path, capsys: pytest.CaptureFixture):
    doc = document("Wires", [node("t", text="x"), node("j", "data.join")])
    doc["edges"] = [link("tj", "t", "j", "documents")]
    path = write(tmp_path / "wires.json", doc)

    assert main(["validate", str(path)]) == EXIT_INVALID

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{path}: error [incompatible_ports] edge 'tj' at /edges/0: ")
    assert "warning [output_unused] node 'j'" in lines[1]
    assert lines[-1] == f"{path}: 1 error, 1 warning — cannot run"


def test_json_lists_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    doc = looping()
    doc["nodes"].append(node("spare", text="unused"))
    path = write(tmp_path / "loop.json", doc)

    assert main(["validate", str(path), "--json"]) == EXIT_INVALID

    report = json.loads(capsys.readouterr().out)
    assert {key: report[key] for key in ("file", "runnable", "error_count", "warning_count")} == {
        "file": str(path),
        "runnable": False,
        "error_count": 1,
        "warning_count": 1,
    }
    assert [(p["severity"], p["code"], p["node_id"]) for p in report["problems"]] == [
        ("error", "cycle", "a"),
        ("warning", "output_unused", "spare"),
    ]
    assert set(report["problems"][0]) == {
        "code",
        "severity",
        "pointer",
        "node_id",
        "edge_id",
        "message",
    }


def test_structural_faults_are_reported_the_same_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    broken = write(tmp_path / "broken.json", document("B", [node("a"), node("a")]))
    malformed = write(tmp_path / "malformed.json", '{"nodes": [')

    assert main(["validate", str(broken)]) == EXIT_INVALID
    assert main(["validate", str(malformed), "--json"]) == EXIT_INVALID

    out = capsys.readouterr().out
    assert f"{broken}: error [duplicate_node_id] at /nodes/1/id:" in out
    report = json.loads(out[out.index("{") :])
    assert report["runnable"] is False
    assert report["problems"][0]["code"] == "malformed_json"
    assert "line 1" in report["problems"][0]["message"]


def test_reads_standard_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(looping())))

    assert main(["validate", "-"]) == EXIT_INVALID

    assert "-: error [cycle]" in capsys.readouterr().out


def test_a_missing_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["validate", str(tmp_path / "nope.json")]) == EXIT_USAGE

    assert "no such file" in capsys.readouterr().err
