"""Log lines: JSON with the run's ids when asked for, text otherwise, never a secret."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_support import document, node
from run_support import create_workflow, free_port, link, start_run, wait_for_run
from services.nodeloom import serve

from backend.observability.logging import JsonFormatter, TextFormatter, bind_run

CANARY = "canary-7f3a91-do-not-log"


@pytest.fixture
def capture() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("nodeloom.test.logging")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_a_json_line_carries_the_run_of_the_task_that_logged_it(capture):
    logger, stream = capture

    async def run_task() -> None:
        bind_run("run-1", "wf-1")
        logger.info("inside %s", "the run", extra={"node_id": "n1"})
        await asyncio.create_task(asyncio.sleep(0))  # a child task keeps the context
        logger.warning("still inside")

    await asyncio.create_task(run_task())
    logger.info("outside")
    inside, still, outside = lines(stream)
    assert inside["message"] == "inside the run" and inside["level"] == "info"
    assert inside["logger"] == "nodeloom.test.logging"
    assert (inside["run_id"], inside["workflow_id"], inside["node_id"]) == ("run-1", "wf-1", "n1")
    assert inside["time"].endswith("+00:00")
    assert still["run_id"] == "run-1" and "node_id" not in still
    assert "run_id" not in outside  # the binding stayed with the run's task


def test_an_exception_goes_into_the_error_field_of_one_line(capture):
    logger, stream = capture
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("it failed")
    (entry,) = lines(stream)
    assert entry["level"] == "error" and "ValueError: boom" in entry["error"]


def test_text_lines_name_the_run_at_the_end():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    record.run_id, record.node_id = "run-9", "n2"
    assert TextFormatter().format(record).endswith("INFO x: hello [run_id=run-9 node_id=n2]")


def _canary_workflow(base_url: str) -> dict:
    """A template and a model (which fails) whose params hold the canary."""
    return document(
        "Canary",
        [
            node("q", "io.input", name="question"),
            node("tpl", "prompt.template", template=f"{CANARY} {{q}}"),
            node(
                "llm",
                "model.chat",
                provider="openai_compatible",
                model="fail",
                base_url=base_url,
                system_prompt=f"system {CANARY}",
            ),
            node("out", "io.output", name="answer"),
        ],
        [
            link("e1", "q", "tpl", "value", "q"),
            link("e2", "tpl", "llm", "prompt", "prompt"),
            link("e3", "llm", "out", "text", "value"),
        ],
    )


async def test_serve_logs_json_lines_with_run_ids_and_never_the_canary(
    tmp_path: Path, openai_url: str
):
    env = {
        "NODELOOM_DATA_DIR": str(tmp_path / "data"),
        "NODELOOM_FRONTEND_DIR": str(tmp_path / "no-frontend"),
        "NODELOOM_LOG_FORMAT": "json",
        "NODELOOM_LOG_LEVEL": "debug",
        "NODELOOM_CREDENTIAL_OPENAI": f"sk-{CANARY}",
    }
    server = serve(free_port(), env, tmp_path)
    server.start()
    try:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as client:
            workflow_id = await create_workflow(client, _canary_workflow(openai_url))
            run_id = await start_run(client, workflow_id, question=f"input {CANARY}")
            run = await wait_for_run(client, run_id)
    finally:
        assert server.stop() == 0
    text = server.log_path.read_text()
    entries = [json.loads(line) for line in text.splitlines()]  # every line is one object
    assert run["status"] == "failed"
    assert CANARY not in text
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    failed_node = [e for e in entries if e["message"].startswith("node failed")]
    assert failed_node and failed_node[0]["node_id"] == "llm"
    assert failed_node[0]["run_id"] == run_id and failed_node[0]["workflow_id"] == workflow_id
    access = [e for e in entries if e["logger"] == "uvicorn.access"]
    assert any(e["method"] == "POST" and e["status"] == 202 for e in access)


def test_python_warnings_become_json_lines_too(capsys):
    """Libraries warn on import (through ``warnings``, not ``logging``): in a JSON log
    those lines must be JSON as well."""
    import warnings

    from backend.observability.logging import configure_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("json", "info")
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn("an optional extra is missing", UserWarning, stacklevel=1)
    finally:
        logging.captureWarnings(False)
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    lines = capsys.readouterr().err.splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one object
    assert any("an optional extra is missing" in entry["message"] for entry in entries)
    assert all(entry["logger"] == "py.warnings" for entry in entries)


def test_urllib3s_socks_notice_stays_out_of_the_log(capsys):
    """requests imports urllib3's SOCKS support, which warns that PySocks is missing; the
    engine imports requests on a warm-up thread, where requests' own filter can be lost."""
    import warnings

    from backend.observability.logging import configure_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        with warnings.catch_warnings():
            configure_logging("json", "info")
            for message, module in (
                ("SOCKS support in urllib3 requires PySocks", "urllib3.contrib.socks"),
                ("another notice", "urllib3.contrib.socks"),
            ):
                warnings.warn_explicit(message, UserWarning, "socks.py", 50, module=module)
    finally:
        logging.captureWarnings(False)
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    messages = [json.loads(line)["message"] for line in capsys.readouterr().err.splitlines()]
    assert not any("SOCKS" in message for message in messages)
    assert any("another notice" in message for message in messages)  # others still show
