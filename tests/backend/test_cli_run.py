"""``nodeloom run``: progress as it happens, outputs at the end, exit codes, credentials
from the environment, Ctrl+C. Model runs talk to a fake OpenAI-compatible server."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import chat, greeting, looping, routed, write
from fakes.openai_server import fake_openai

from backend.cli import EXIT_FAILURE, EXIT_INVALID, EXIT_OK, EXIT_USAGE, main
from backend.credentials.environment import variable_for

SECRET = "sk-test-do-not-print-4711"
NODELOOM = [sys.executable, "-m", "backend.cli"]


@pytest.fixture(scope="module")
def openai_url() -> Iterator[str]:
    with fake_openai() as url:
        yield url


@pytest.fixture
def with_key(monkeypatch: pytest.MonkeyPatch, openai_url: str) -> None:
    monkeypatch.setenv("NODELOOM_CREDENTIAL_OPENAI", SECRET)
    monkeypatch.setenv("NODELOOM_CREDENTIAL_OPENAI_BASE_URL", openai_url)


def test_runs_a_workflow_showing_each_node(tmp_path: Path, capsys: pytest.CaptureFixture):
    path = write(tmp_path / "greeting.json", greeting())

    assert main(["run", str(path), "--input", "name=Ada"]) == EXIT_OK

    out, err = capsys.readouterr()
    assert out == "greeting: Hello, Ada!\n"
    assert re.sub(r" in [0-9.]+ m?s", " in T", err).splitlines() == [
        "Running 3 nodes",
        "[0/3] ▸ q (io.input) started",
        "[1/3] ✓ q (io.input) in T",
        "[1/3] ▸ tpl (prompt.template) started",
        "[2/3] ✓ tpl (prompt.template) in T",
        "[2/3] ▸ out (io.output) started",
        "[3/3] ✓ out (io.output) in T",
        "Run succeeded in T.",
    ]


def test_untaken_branches_are_shown_skipped(tmp_path: Path, capsys: pytest.CaptureFixture):
    path = write(tmp_path / "routed.json", routed())

    assert main(["run", str(path)]) == EXIT_OK

    out, err = capsys.readouterr()
    assert out == "urgent: Call me now\n"
    assert "[4/4] – cold (io.output) skipped: " in err


def test_json_prints_one_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = write(tmp_path / "greeting.json", greeting())

    assert main(["run", str(path), "-i", "name=Ada", "--json", "--quiet"]) == EXIT_OK

    out, err = capsys.readouterr()
    report = json.loads(out)
    assert set(report) == {"status", "run_id", "outputs", "events", "duration_ms", "problems"}
    assert (report["status"], report["outputs"], report["problems"]) == (
        "succeeded",
        {"greeting": "Hello, Ada!"},
        [],
    )
    # run.started, started + succeeded for each of 3 nodes, run.succeeded
    assert report["events"] == 8
    assert report["duration_ms"] > 0
    assert err == ""


def test_inputs_from_files_and_multiline_outputs(tmp_path: Path, capsys: pytest.CaptureFixture):
    path = write(tmp_path / "greeting.json", greeting())
    name = tmp_path / "name.txt"
    name.write_text("Ada\nLovelace", encoding="utf-8")

    assert main(["run", str(path), "--input-file", f"name={name}", "-q"]) == EXIT_OK

    assert capsys.readouterr().out == "greeting:\n  Hello, Ada\n  Lovelace!\n"


def test_an_invalid_workflow_is_not_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = write(tmp_path / "loop.json", looping())

    assert main(["run", str(path)]) == EXIT_INVALID
    out, err = capsys.readouterr()
    assert main(["run", str(path), "--json"]) == EXIT_INVALID
    report = json.loads(capsys.readouterr().out)

    assert out == ""
    assert f"{path}: error [cycle] node 'a' at /nodes/0: These nodes form a loop" in err
    assert "cannot run" in err and "Running" not in err
    assert (report["status"], report["events"]) == ("invalid", 0)
    assert [problem["code"] for problem in report["problems"]] == ["cycle"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([], "error [missing_input] at /inputs: The workflow needs input 'name'."),
        ([], "give inputs as --input NAME=VALUE; the workflow takes: name."),
        (["-i", "name=a", "-i", "mood=b"], "error [unknown_input] at /inputs/mood: The workflow"),
        (["-i", "name=a", "-i", "mood=b"], "has no input 'mood'; its inputs are: 'name'."),
        (["-i", "name=a", "-i", "name=b"], "input 'name' is given twice"),
        (["-i", "name=a", "--input-file", "x=/no/such/file"], "cannot read input 'x'"),
    ],
)
def test_input_mistakes_are_refused_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
):
    path = write(tmp_path / "greeting.json", greeting())

    assert main(["run", str(path), *arguments]) in (EXIT_INVALID, EXIT_FAILURE)

    err = capsys.readouterr().err
    assert message in err and "Running" not in err


def test_a_malformed_input_flag_is_a_usage_error(tmp_path: Path):
    with pytest.raises(SystemExit) as raised:
        main(["run", str(tmp_path / "x.json"), "--input", "no-equals-sign"])

    assert raised.value.code == EXIT_USAGE


def test_streams_tokens_and_never_prints_the_credential(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], openai_url: str, with_key: None
):
    # The fake provider echoes the API key back in its answer.
    path = write(tmp_path / "chat.json", chat("echo"))

    assert main(["run", str(path), "-i", "question=Hi?"]) == EXIT_OK
    out, err = capsys.readouterr()
    assert main(["run", str(path), "-i", "question=Hi?", "--json", "-q"]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)

    assert "    llm │ Hello,\n    llm │ world key=***\n" in err
    assert out == "answer:\n  Hello,\n  world key=***\n"
    assert report["outputs"] == {"answer": "Hello,\nworld key=***"}
    assert SECRET not in out + err + json.dumps(report)


def test_a_failing_node_fails_the_run_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], openai_url: str, with_key: None
):
    path = write(tmp_path / "chat.json", chat("fail"))

    assert main(["run", str(path), "-i", "question=Hi?"]) == EXIT_FAILURE
    out, err = capsys.readouterr()
    assert main(["run", str(path), "-i", "question=Hi?", "--json", "-q"]) == EXIT_FAILURE
    report = json.loads(capsys.readouterr().out)

    assert out == ""
    assert "[2/3] ✗ llm (model.chat) failed: " in err
    assert "Run failed at node 'llm' (model.chat) after " in err
    assert "not loaded" in err
    assert (report["status"], report["node_id"], report["outputs"]) == ("failed", "llm", {})
    assert "not loaded" in report["error"]["message"]


def test_credentials_come_from_the_environment(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    openai_url: str,
    monkeypatch: pytest.MonkeyPatch,
):
    path = write(tmp_path / "chat.json", chat("echo"))
    monkeypatch.delenv("NODELOOM_CREDENTIAL_OPENAI", raising=False)
    monkeypatch.setenv("TEAM_OPENAI_KEY", SECRET)
    monkeypatch.setenv("TEAM_OPENAI_KEY_BASE_URL", openai_url)  # where the key may go

    assert main(["run", str(path), "-i", "question=Hi?"]) == EXIT_USAGE
    unset = capsys.readouterr().err
    assert main(["run", str(path), "-i", "q=x", "-i", "question=Hi?"]) == EXIT_USAGE
    capsys.readouterr()
    mapped = ["--credential", "openai=TEAM_OPENAI_KEY", "-q"]
    assert main(["run", str(path), "-i", "question=Hi?", *mapped]) == EXIT_OK

    assert "NODELOOM_CREDENTIAL_OPENAI (credential 'openai')" in unset
    assert capsys.readouterr().out.endswith("world key=***\n")


def test_credential_variables_are_named_after_the_credential():
    assert variable_for("openai") == "NODELOOM_CREDENTIAL_OPENAI"
    assert variable_for("my-team key.2") == "NODELOOM_CREDENTIAL_MY_TEAM_KEY_2"


def _environment(tmp_path: Path, openai_url: str = "") -> dict[str, str]:
    return {
        **os.environ,
        "HOME": str(tmp_path),
        "NODELOOM_CREDENTIAL_OPENAI": SECRET,
        "NODELOOM_CREDENTIAL_OPENAI_BASE_URL": openai_url,
    }


def test_a_terminal_gets_a_live_status_line(tmp_path: Path):
    path = write(tmp_path / "greeting.json", greeting())
    controller, terminal = pty.openpty()
    command = [*NODELOOM, "run", str(path), "-i", "name=Ada"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=terminal, env=_environment(tmp_path)
    )
    os.close(terminal)
    shown = _read_all(controller, process)
    stdout = process.stdout.read().decode() if process.stdout else ""

    assert process.wait(timeout=30) == EXIT_OK
    assert "\r\x1b[2K[" in shown and "] 3/3" in shown  # the redrawn bar, full at the end
    assert "\x1b[32m✓\x1b[0m" in shown  # finished nodes in colour
    assert "Run succeeded in " in shown
    assert stdout == "greeting: Hello, Ada!\n"


def _read_all(controller: int, process: subprocess.Popen) -> str:
    chunks, deadline = [], time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.1)
        if ready:
            try:
                data = os.read(controller, 65536)
            except OSError:  # the terminal closed: the process is gone
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    os.close(controller)
    return b"".join(chunks).decode(errors="replace")


def test_ctrl_c_cancels_the_run_cleanly(tmp_path: Path, openai_url: str):
    path = write(tmp_path / "chat.json", chat("hang"))
    process = subprocess.Popen(
        [*NODELOOM, "run", str(path), "-i", "question=Hi?"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(tmp_path, openai_url),
    )
    seen = []
    assert process.stderr is not None
    for line in process.stderr:
        seen.append(line)
        if "llm (model.chat) started" in line:
            break
    time.sleep(0.3)  # let the model request start streaming
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)

    assert process.returncode == 130, "".join(seen) + err
    assert "Cancelling…" in err
    assert "Run cancelled after " in err and "(interrupted: llm)" in err
    assert "Traceback" not in err and out == ""


def test_a_template_listed_before_its_feeders_runs(tmp_path: Path, capsys: pytest.CaptureFixture):
    from repro_documents import template_before_its_feeders

    path = write(tmp_path / "repro.json", template_before_its_feeders())

    assert main(["validate", str(path)]) == EXIT_OK
    assert main(["run", str(path), "-i", "a=salt", "-i", "имя=pepper", "-q"]) == EXIT_OK

    out, err = capsys.readouterr()
    assert out == f"{path}: no problems\n結果: salt and pepper\n"
    assert "Traceback" not in err
