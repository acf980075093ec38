"""One judge: the problems a save stores (what the canvas lists), ``POST
/workflows/validate``, ``nodeloom validate --json`` and the run API's answer agree on every
generated workflow; a workflow they accept runs to the reference's outputs, one they
refuse is refused by the run API with ``422`` and the same problems. ``nodeloom run`` and
``nodeloom validate`` print no traceback for any of them, and exit 2 when they refuse."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_support import API, make_settings
from generated_workflows import (
    Broken,
    Generated,
    describe,
    invalid_workflows,
    reference_run,
    valid_workflows,
)
from hypothesis import given, note, settings

from backend.app import create_app
from backend.cli import EXIT_INVALID, EXIT_OK, main
from graph_engine.preview import preview
from graph_engine.runner import RUN_OUTPUT_LIMIT

# Each example saves, validates, runs and waits through the whole app: fewer than the
# engine's 300, which cover the shapes themselves.
EXAMPLES = max(100, settings().max_examples // 3)
FIELDS = ("code", "severity", "pointer", "node_id", "edge_id", "message")


class App:
    """The app on a SQLite database of its own, driven from synchronous hypothesis tests."""

    def __init__(self, runner: asyncio.Runner, client: httpx.AsyncClient) -> None:
        self.runner = runner
        self.client = client

    def call(self, method: str, url: str, **request: Any) -> httpx.Response:
        return self.runner.run(self.client.request(method, url, **request))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[App]:
    folder = tmp_path_factory.mktemp("agreement")
    shutil.copyfile(sqlite_template, folder / "nodeloom.db")
    application = create_app(make_settings(folder, f"sqlite+aiosqlite:///{folder / 'nodeloom.db'}"))
    with asyncio.Runner() as runner:
        stack = contextlib.AsyncExitStack()
        runner.run(stack.enter_async_context(application.router.lifespan_context(application)))
        transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
        client = httpx.AsyncClient(transport=transport, base_url="http://nodeloom.test")
        try:
            yield App(runner, client)
        finally:
            runner.run(client.aclose())
            runner.run(stack.aclose())


def cli(*arguments: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(arguments))
    return status, out.getvalue(), err.getvalue()


def comparable(problems: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [tuple(problem.get(key) for key in FIELDS) for problem in problems]


def check_agreement(app: App, generated: Generated, folder: Path) -> tuple[bool, Any]:
    """The four answers for ``generated``, checked equal; returns whether it is runnable
    and the finished run, or the problems that stop it."""
    created = app.call("POST", f"{API}/workflows", json={"name": generated.data["name"]})
    assert created.status_code == 201, created.text
    workflow_id = created.json()["id"]
    saved = app.call(
        "PUT", f"{API}/workflows/{workflow_id}", json=generated.data, headers={"If-Match": "1"}
    )
    assert saved.status_code == 200, saved.text
    stored = comparable(saved.json()["problems"])

    checked = app.call("POST", f"{API}/workflows/validate", json=generated.data).json()
    assert comparable(checked["problems"]) == stored

    path = folder / "workflow.json"
    path.write_text(json.dumps(generated.data, ensure_ascii=False), encoding="utf-8")
    status, out, err = cli("validate", str(path), "--json")
    report = json.loads(out)
    assert comparable(report["problems"]) == stored and "Traceback" not in err
    runnable = saved.json()["runnable"]
    assert report["runnable"] is runnable and checked["runnable"] is runnable
    assert status == (EXIT_OK if runnable else EXIT_INVALID)

    started = app.call(
        "POST",
        f"{API}/workflows/{workflow_id}/runs",
        params={"wait": 30},
        json={"inputs": generated.inputs},
    )
    problems = saved.json()["problems"]
    errors = [problem for problem in problems if problem["severity"] == "error"]
    if runnable:
        assert started.status_code == 200, started.text
        return True, started.json()
    assert started.status_code == 422, started.text
    refused = started.json()
    assert refused["code"] == "workflow_not_runnable"
    assert [(e["code"], e["pointer"], e["message"]) for e in refused["errors"]] == [
        (e["code"], e["pointer"], e["message"]) for e in errors
    ]
    return False, problems


@settings(max_examples=EXAMPLES)
@given(valid_workflows(max_nodes=10))
def test_a_workflow_all_four_accept_runs_to_the_reference_outputs(
    app: App, tmp_path_factory: pytest.TempPathFactory, generated: Generated
):
    note(describe(generated))
    runnable, run = check_agreement(app, generated, tmp_path_factory.mktemp("valid"))
    expected = asyncio.run(reference_run(generated))
    assert runnable
    assert run["status"] == "succeeded", run
    assert run["outputs"] == preview(expected.outputs, RUN_OUTPUT_LIMIT)[0]


@settings(max_examples=EXAMPLES)
@given(invalid_workflows())
def test_a_workflow_all_four_refuse_is_refused_alike(
    app: App, tmp_path_factory: pytest.TempPathFactory, broken: Broken
):
    note(describe(broken.generated))
    folder = tmp_path_factory.mktemp("invalid")
    runnable, problems = check_agreement(app, broken.generated, folder)
    assert not runnable and broken.code in {problem["code"] for problem in problems}

    path = folder / "workflow.json"
    inputs = [f"--input={name}={value}" for name, value in broken.generated.inputs.items()]
    status, out, err = cli("run", str(path), *inputs)
    assert status == EXIT_INVALID and out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == len(problems) + 1  # a line per problem, then what to do
    for line, problem in zip(lines, problems, strict=False):
        assert f"{problem['severity']} [{problem['code']}]" in line
        assert line.endswith(problem["message"])


@pytest.mark.parametrize("command", ["validate", "run"])
def test_the_installed_command_prints_no_traceback(tmp_path: Path, command: str):
    """The real process, not main(): what a person sees in a terminal."""
    broken = [
        '{"format": "nodeloom.workflow", "version": 1, "name": " padded ", "nodes": [}',
        json.dumps(
            {
                "format": "nodeloom.workflow",
                "version": 1,
                "name": "Broken",
                "nodes": [
                    {"id": "t", "type": "prompt.template", "position": {"x": 0, "y": 0},
                     "params": {"template": "{a} and {b"}},
                    {"id": "i", "type": "io.input", "position": {"x": 1e400, "y": 0},
                     "params": {"name": ""}},
                ],
                "edges": [],
            }
        ).replace("Infinity", "1e400"),
    ]  # fmt: skip
    for index, text in enumerate(broken):
        path = tmp_path / f"broken-{index}.json"
        path.write_text(text, encoding="utf-8")
        finished = subprocess.run(
            [Path(sys.executable).with_name("nodeloom"), command, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert finished.returncode == EXIT_INVALID, finished.stderr
        assert "Traceback" not in finished.stderr
        assert all(line.startswith(str(path)) for line in finished.stderr.splitlines() if line)


def test_generated_corpus_is_not_trivial():
    """The strategies reach the shapes the issue names (a guard against a strategy that
    quietly stopped drawing routers or fan-in)."""
    seen: dict[str, int] = {"router": 0, "fan_in": 0, "multiple_outputs": 0}

    @settings(max_examples=100, database=None)
    @given(valid_workflows())
    def count(generated: Generated) -> None:
        types = [node["type"] for node in generated.data["nodes"]]
        seen["router"] += "logic.router" in types
        seen["multiple_outputs"] += types.count("io.output") > 1
        targets = [edge["target"] for edge in generated.data["edges"]]
        seen["fan_in"] += len(targets) != len(set(targets))

    count()
    assert all(value >= 10 for value in seen.values()), seen
