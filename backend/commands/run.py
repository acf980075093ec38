"""``nodeloom run WORKFLOW.json --input NAME=VALUE …``: run a workflow here, no server.

The document and the inputs are checked first, as the run API checks them (an invalid
one prints one line per problem and exits 2, never a traceback), then run by
``graph_engine.run``: progress goes to stderr as it happens, the outputs to stdout at
the end (or one JSON object with ``--json``). Ctrl+C cancels the run cleanly (the
engine's ``cancel`` event); a second Ctrl+C stops at once.

Exit status: 0 succeeded, 1 failed run (naming the node), 2 invalid workflow, inputs
that do not match it, unset credentials or other usage errors, 130 cancelled.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backend.commands.base import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
)
from backend.commands.progress import Progress, stderr_progress
from backend.commands.run_report import print_invalid, print_report
from backend.commands.workflow_file import check_workflow_file, problem_line
from backend.credentials.environment import (
    EnvironmentCredentials,
    referenced_credentials,
    variable_for,
)

if TYPE_CHECKING:
    from graph_engine import Problem, RunResult, WorkflowDocument

EXIT_BY_STATUS = {"succeeded": EXIT_OK, "failed": EXIT_FAILURE, "cancelled": EXIT_INTERRUPTED}
TICK_SECONDS = 0.1


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "run",
        help="run a workflow file here, without a server",
        description="Run a workflow document in this process: progress on stderr, the "
        "outputs on stdout. Ctrl+C cancels the run.",
        epilog=f'A param {{"$credential": "NAME"}} reads the environment variable '
        f"{variable_for('NAME')} (the name upper-cased, other characters as _); "
        "--credential NAME=VARIABLE reads another. Values are never printed.",
    )
    parser.add_argument("workflow", type=Path, metavar="WORKFLOW.json", help="`-` reads stdin")
    parser.add_argument(
        "-i", "--input", action="append", default=[], type=pair, metavar="NAME=VALUE",
        help="a workflow input (io.input name); repeat for several",
    )  # fmt: skip
    parser.add_argument(
        "--input-file", action="append", default=[], type=pair, metavar="NAME=PATH",
        help="a workflow input read from a UTF-8 file (`-`: stdin)",
    )  # fmt: skip
    parser.add_argument(
        "--credential", action="append", default=[], type=pair, metavar="NAME=VARIABLE",
        help="read credential NAME from environment variable VARIABLE",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print one JSON object at the end")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.set_defaults(handler=run_command)


def pair(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def run_command(args: argparse.Namespace) -> int:
    if str(args.workflow) == "-" and any(path == "-" for _, path in args.input_file):
        raise CommandError("the workflow and an input cannot both come from stdin", EXIT_USAGE)
    inputs = read_inputs(args.input, args.input_file)
    checked = check_workflow_file(args.workflow)
    if checked.document is None or checked.errors:
        print_invalid(checked, args.json)
        return EXIT_INVALID
    if input_problems := _input_problems(checked.document, inputs):
        checked.problems = input_problems
        print_invalid(checked, args.json, _inputs_hint(checked.document))
        return EXIT_INVALID
    document = checked.document
    credentials = EnvironmentCredentials(os.environ, dict(args.credential))
    _check_credentials(document, credentials)
    node_types = {node.id: node.type for node in document.nodes}
    progress = stderr_progress(quiet=args.quiet, node_types=node_types)
    for problem in checked.problems:  # warnings only, by now
        progress.note(problem_line(checked.path, problem))
    from graph_engine import GraphEngineError

    try:
        result = asyncio.run(execute(document, inputs, progress, credentials))
    except GraphEngineError as error:  # refused before it started; checked above, so rare
        raise CommandError(f"the run could not start: {error}") from None
    print_report(result, progress, credentials, checked, as_json=args.json, quiet=args.quiet)
    return EXIT_BY_STATUS[result.status]


def read_inputs(values: list[tuple[str, str]], files: list[tuple[str, str]]) -> dict[str, str]:
    inputs: dict[str, str] = {}
    for name, path in files:
        try:
            text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read input {name!r} from {path}: {error}") from None
        values = [*values, (name, text)]
    for name, value in values:
        if name in inputs:
            raise CommandError(f"input {name!r} is given twice", EXIT_USAGE)
        inputs[name] = value
    return inputs


def _input_problems(document: WorkflowDocument, inputs: dict[str, str]) -> list[Problem]:
    from graph_engine.run_inputs import declared_inputs, input_problems

    return input_problems(declared_inputs(document.nodes), inputs)


def _inputs_hint(document: WorkflowDocument) -> str:
    from graph_engine.run_inputs import declared_inputs

    takes = [
        f"{item.name}" + ("" if item.required else " (optional)")
        for item in declared_inputs(document.nodes)
    ]
    if not takes:
        return "the workflow takes no inputs."
    return f"give inputs as --input NAME=VALUE; the workflow takes: {', '.join(takes)}."


def _check_credentials(document: WorkflowDocument, credentials: EnvironmentCredentials) -> None:
    names = referenced_credentials([node.params for node in document.nodes])
    if missing := credentials.missing(names):
        unset = ", ".join(f"{variable} (credential {name!r})" for name, variable in missing)
        raise CommandError(f"set the environment variable(s) {unset}", EXIT_USAGE)


async def execute(
    document: WorkflowDocument,
    inputs: dict[str, str],
    progress: Progress,
    credentials: EnvironmentCredentials,
) -> RunResult:
    """Run ``document`` with live progress; SIGINT sets the engine's ``cancel`` event."""
    from graph_engine import run

    async with live_progress(progress) as cancel:
        return await run(document, inputs, progress, cancel=cancel, credentials=credentials)


@contextlib.asynccontextmanager
async def live_progress(progress: Progress) -> AsyncIterator[asyncio.Event]:
    """Redraw ``progress`` while the block runs; the event it yields is set by the first
    Ctrl+C (a second one raises ``KeyboardInterrupt`` at once). Shared with ``remote-run``."""
    cancel = asyncio.Event()
    loop = asyncio.get_running_loop()

    def interrupt() -> None:
        if cancel.is_set():  # a second Ctrl+C: stop at once
            loop.remove_signal_handler(signal.SIGINT)
            raise KeyboardInterrupt
        cancel.set()
        progress.note("Cancelling… (Ctrl+C again to stop at once)")

    # No signal handlers on Windows or off the main thread: Ctrl+C then just stops.
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, interrupt)
    ticker = asyncio.create_task(_tick(progress))
    try:
        yield cancel
    finally:
        ticker.cancel()
        progress.close()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)


async def _tick(progress: Progress) -> None:
    while True:
        await asyncio.sleep(TICK_SECONDS)
        progress.refresh()
