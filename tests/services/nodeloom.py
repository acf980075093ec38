"""``nodeloom serve`` and ``nodeloom worker`` as subprocesses, for multi-process tests.

``NodeloomProcess.start()`` returns once the process is ready: the server answers
``/api/v1/health``, the worker printed that it takes runs. Output goes to a log file in
the given directory, whose tail is shown when a process fails to start. ``kill()`` sends
SIGKILL (a crash), ``stop()`` SIGTERM (a graceful shutdown) and waits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

START_TIMEOUT_SECONDS = 60
NODELOOM = Path(sys.executable).parent / "nodeloom"
READY_LINE = "is taking runs"


class NodeloomUnavailable(RuntimeError):
    """A nodeloom process did not start; the message has the tail of its log."""


@dataclass
class NodeloomProcess:
    name: str
    args: list[str]
    env: dict[str, str]
    log_path: Path
    port: int | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    # Another installation's command (a wheel's venv), run from another directory.
    program: Path = NODELOOM
    cwd: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        environment = {**os.environ, **self.env}
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(self.program), *self.args],
                env=environment,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise NodeloomUnavailable(
                    f"{self.name} exited with {self.process.returncode}:\n{self.tail()}"
                )
            if self._ready(offset):
                return
            time.sleep(0.1)
        self.kill()
        raise NodeloomUnavailable(f"{self.name} did not get ready in time:\n{self.tail()}")

    def _ready(self, offset: int) -> bool:
        if self.port is None:
            return READY_LINE in self.log_path.read_bytes()[offset:].decode(errors="replace")
        try:
            with urllib.request.urlopen(f"{self.base_url}/api/v1/health", timeout=1) as answer:
                return answer.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def kill(self) -> None:
        if self.running:
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 30) -> int | None:
        if self.process is None:
            return None
        if self.running:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode

    def tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def with_deaf_plugin(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a process that also knows ``test.deaf`` (see ``fakes.deaf_plugin``)."""
    tests = Path(__file__).resolve().parents[1]
    # The checkout first: its packages must win over the namesake folders under tests.
    entries = [str(tests.parent), str(tests), os.environ.get("PYTHONPATH")]
    path = os.pathsep.join(filter(None, entries))
    return {**env, "NODELOOM_PLUGINS": "fakes.deaf_plugin", "PYTHONPATH": path}


def serve(port: int, env: dict[str, str], log_dir: Path, name: str = "serve") -> NodeloomProcess:
    """A ``nodeloom serve`` on ``port`` (not started yet)."""
    return NodeloomProcess(
        name, ["serve", "--port", str(port)], env, log_dir / f"{name}.log", port=port
    )


def worker(env: dict[str, str], log_dir: Path, name: str = "worker") -> NodeloomProcess:
    """A ``nodeloom worker`` (not started yet)."""
    return NodeloomProcess(name, ["worker"], env, log_dir / f"{name}.log")
