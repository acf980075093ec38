"""``nodeloom remote-run WORKFLOW_ID -i NAME=VALUE …``: run a stored workflow on a server.

The run is started with ``POST /api/v1/workflows/{id}/runs`` and followed live over the
WebSocket ``/api/v1/runs/{run_id}/events``; each message is parsed back into the engine's
``RunEvent`` and fed to the same ``Progress`` and end-of-run report as ``nodeloom run``.
Ctrl+C asks the server to cancel (``POST /runs/{id}/cancel``) and waits for
``run.cancelled``; a second Ctrl+C stops following at once (the run goes on). A run
that ended otherwise all the same (it finished as the cancel was sent) is reported as
it ended, with a note saying the cancel came too late.

The server is ``--server``, else ``NODELOOM_SERVER_URL``, else http://127.0.0.1:8000. In
accounts mode ``NODELOOM_API_KEY`` (Settings → API keys) is sent as
``Authorization: Bearer …`` on every request and on the WebSocket handshake; the key is
never printed.

Exit status as ``nodeloom run``: 0 succeeded, 1 failed, 2 refused before it started
(server unreachable, key refused, no such workflow, inputs that do not match), 130
cancelled.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

from backend.commands.base import EXIT_FAILURE, EXIT_USAGE, CommandError
from backend.commands.progress import Progress, stderr_progress
from backend.commands.run import EXIT_BY_STATUS, live_progress, pair, read_inputs
from backend.commands.run_report import print_report
from backend.commands.workflow_file import problem_line

if TYPE_CHECKING:
    from graph_engine import RunEvent, RunResult

SERVER_VARIABLE = "NODELOOM_SERVER_URL"
KEY_VARIABLE = "NODELOOM_API_KEY"
DEFAULT_SERVER = "http://127.0.0.1:8000"
API = "/api/v1"
HTTP_TIMEOUT_S = 30.0
RECONNECTS = 3  # a dropped event stream is resumed after the last seq this many times
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_RUN_NOT_FOUND = 4404
KEY_HINT = f"set {KEY_VARIABLE} to a key from Settings → API keys"


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "remote-run",
        help="run a stored workflow on a Nodeloom server and follow it live",
        description="Start a run of a saved workflow on a server and follow its events: "
        "progress on stderr, the outputs on stdout, as `nodeloom run`. Ctrl+C cancels it.",
        epilog=f"The server is --server, else {SERVER_VARIABLE}, else {DEFAULT_SERVER}. "
        f"With accounts, {KEY_VARIABLE} holds a personal API key (never printed).",
    )
    parser.add_argument("workflow_id", metavar="WORKFLOW_ID", help="the workflow's id")
    parser.add_argument(
        "-i", "--input", action="append", default=[], type=pair, metavar="NAME=VALUE",
        help="a workflow input (io.input name); repeat for several",
    )  # fmt: skip
    parser.add_argument(
        "--input-file", action="append", default=[], type=pair, metavar="NAME=PATH",
        help="a workflow input read from a UTF-8 file (`-`: stdin)",
    )  # fmt: skip
    parser.add_argument(
        "--version", type=_version, metavar="N", help="run this saved version (default: current)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object at the end")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument("--server", metavar="URL", help=f"the server ({SERVER_VARIABLE})")
    parser.set_defaults(handler=remote_run_command)


def _version(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a version number of 1 or more, got {text!r}")
    return int(text)


def remote_run_command(args: argparse.Namespace) -> int:
    inputs = read_inputs(args.input, args.input_file)
    server = Server.from_environment(args.server)
    result, progress = asyncio.run(
        _run(server, args.workflow_id, args.version, inputs, quiet=args.quiet)
    )
    print_report(result, progress, None, None, as_json=args.json, quiet=args.quiet)
    return EXIT_BY_STATUS[result.status]


async def _run(
    server: Server, workflow_id: str, version: int | None, inputs: dict[str, str], *, quiet: bool
) -> tuple[RunResult, Progress]:
    path = f"{API}/workflows/{quote(workflow_id, safe='')}"
    start = f"{path}/runs" + (f"?version={version}" if version is not None else "")
    run = await server.call("POST", start, {"inputs": inputs}, subject=f"workflow {workflow_id}")
    # The saved document names each node's type, as `nodeloom run` shows them.
    saved = await server.call(
        "GET", f"{path}/versions/{run['workflow_version']}", subject=f"workflow {workflow_id}"
    )
    node_types = {node["id"]: node["type"] for node in saved["document"]["nodes"]}
    progress = stderr_progress(quiet=quiet, node_types=node_types)
    async with live_progress(progress) as cancel:
        cancelling = asyncio.create_task(_cancel_when_asked(server, run["id"], cancel, progress))
        try:
            terminal = await _follow(server, run["id"], progress)
        finally:
            cancelling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await cancelling
        if cancel.is_set() and terminal.type != "run.cancelled":
            progress.note("The run ended before the cancel reached it.")
    return result_of(terminal), progress


async def _cancel_when_asked(
    server: Server, run_id: str, cancel: asyncio.Event, progress: Progress
) -> None:
    await cancel.wait()
    try:
        await server.call("POST", f"{API}/runs/{run_id}/cancel", subject=f"run {run_id}")
    except CommandError as error:  # e.g. it finished meanwhile: its terminal event says so
        progress.note(f"The server did not cancel the run: {error}")


async def _follow(server: Server, run_id: str, progress: Progress) -> RunEvent:
    """Feed the run's events to ``progress`` until its terminal one, which is returned."""
    import websockets
    from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

    from graph_engine.events import TERMINAL_TYPES, parse_event

    after, dropped = -1, 0
    while True:
        url = server.websocket_url(f"{API}/runs/{run_id}/events?after={after}")
        code: int | None = None
        try:
            async with websockets.connect(
                url,
                additional_headers=server.headers(),
                compression=None,  # as the server (`ws_per_message_deflate` off)
                max_size=16 * 2**20,
                open_timeout=HTTP_TIMEOUT_S,
            ) as socket:
                async for message in socket:
                    event = parse_event(message)
                    after = event.seq
                    await progress.emit(event)
                    if event.type in TERMINAL_TYPES:
                        return event
                code = socket.close_code
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd is not None else None
        except InvalidStatus as refused:
            if refused.response.status_code == 401:
                raise server.refusal() from None
            code = refused.response.status_code
        except (OSError, TimeoutError, InvalidHandshake) as error:
            code = None
            reason = str(error) or type(error).__name__
            progress.note(f"Lost the event stream of run {run_id}: {reason}")
        if code == CLOSE_NOT_SIGNED_IN:
            raise server.refusal()
        if code == CLOSE_RUN_NOT_FOUND:
            raise CommandError(f"the server at {server.shown} has no run {run_id}")
        dropped += 1
        if dropped > RECONNECTS:
            raise CommandError(
                f"lost the event stream of run {run_id} from {server.shown} (close code "
                f"{code}); the run goes on there: GET {API}/runs/{run_id}",
                EXIT_FAILURE,
            )
        await asyncio.sleep(0.5 * dropped)


def result_of(terminal: RunEvent) -> RunResult:
    """The engine's ``RunResult`` from a run's terminal event."""
    from graph_engine import RunResult

    data: Any = terminal.data
    if terminal.type == "run.succeeded":
        return RunResult(
            terminal.run_id, "succeeded", dict(data.outputs), duration_ms=data.duration_ms
        )
    if terminal.type == "run.failed":
        return RunResult(
            terminal.run_id,
            "failed",
            error=data.error,
            node_id=data.node_id,
            duration_ms=data.duration_ms,
        )
    return RunResult(terminal.run_id, "cancelled", duration_ms=data.duration_ms)


@dataclass(frozen=True, slots=True)
class Server:
    """Where the API is and the key to show it; ``shown`` is the URL safe to print."""

    url: str
    api_key: str | None

    @classmethod
    def from_environment(cls, server: str | None) -> Server:
        url = (server or os.environ.get(SERVER_VARIABLE) or DEFAULT_SERVER).rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CommandError(
                f"the server URL must look like {DEFAULT_SERVER}, got {_without_userinfo(url)!r}",
                EXIT_USAGE,
            )
        return cls(url, _api_key())

    @property
    def shown(self) -> str:
        return _without_userinfo(self.url)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    def websocket_url(self, path: str) -> str:
        scheme = "wss" if self.url.startswith("https:") else "ws"
        return scheme + self.url.removeprefix("https").removeprefix("http") + path

    def refusal(self) -> CommandError:
        if self.api_key is None:
            return CommandError(
                f"the server at {self.shown} needs an API key: {KEY_HINT}", EXIT_USAGE
            )
        return CommandError(f"the server refused the API key: {KEY_HINT}", EXIT_USAGE)

    async def call(
        self, method: str, path: str, body: Any = None, *, subject: str
    ) -> dict[str, Any]:
        """The JSON answer of a 2xx, else the ``CommandError`` saying what went wrong;
        ``subject`` names the thing asked about ("workflow …") in those errors."""
        status, answer = await asyncio.to_thread(self._request, method, path, body)
        if 200 <= status < 300 and isinstance(answer, dict):
            return answer
        raise self._error(status, answer, subject)

    def _request(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in self.headers().items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
                return response.status, _json(response.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, _json(error.read())
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", None) or error
            raise CommandError(
                f"cannot reach the Nodeloom server at {self.shown}: {reason}", EXIT_USAGE
            ) from None

    def _error(self, status: int, answer: Any, subject: str) -> CommandError:
        problem = answer if isinstance(answer, dict) else {}
        detail = problem.get("detail") or f"HTTP {status}"
        if status == 401:
            return self.refusal()
        if status == 404:
            if problem.get("code") == "workflow_not_found":
                return CommandError(f"there is no {subject} on {self.shown}", EXIT_USAGE)
            return CommandError(f"{subject}: {detail}", EXIT_USAGE)
        if status == 422:
            for item in problem.get("errors") or []:
                print_problem(subject, item)
        if 400 <= status < 500:
            return CommandError(f"the server refused the run: {detail}", EXIT_USAGE)
        error_id = f" (error id {problem['error_id']})" if problem.get("error_id") else ""
        return CommandError(f"the server at {self.shown} answered {status}: {detail}{error_id}")


def print_problem(subject: str, item: dict[str, Any]) -> None:
    """One located fault of a ``422`` answer, printed as ``nodeloom validate`` prints one."""
    from graph_engine import Problem

    message = str(item.get("message", ""))
    if item.get("parameter"):
        message = f"(parameter {item['parameter']}) {message}"
    problem = Problem(
        str(item.get("pointer") or ""),
        str(item.get("code", "invalid")),
        message,
        node_id=item.get("node_id"),
    )
    print(problem_line(subject, problem), file=sys.stderr)


def _api_key() -> str | None:
    key = os.environ.get(KEY_VARIABLE, "").strip()
    if not key:
        return None
    # A header cannot carry these, and the HTTP client's error would quote the key.
    if not key.isascii() or not key.isprintable() or " " in key:
        raise CommandError(
            f"{KEY_VARIABLE} holds characters an API key never has; copy the key again "
            "from Settings → API keys",
            EXIT_USAGE,
        )
    return key


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None
