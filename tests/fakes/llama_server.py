"""Start llama-cpp-python's own OpenAI-compatible server on a free loopback port.

``python -m llama_cpp.server --model FILE.gguf --chat_format gemma`` serves
``/v1/chat/completions`` (with streaming) and ``/v1/models`` — the real wire format the
``openai_compatible`` provider speaks. Not a fake: a real server with a real model.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from services.processes import free_port, tail

START_TIMEOUT_SECONDS = 90


class LlamaServerUnavailable(RuntimeError):
    """The server could not be started; the message says why (with its log)."""


@dataclass
class LlamaServer:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_path.unlink(missing_ok=True)


def start_llama_server(
    model_path: str, *, chat_format: str = "gemma", context_size: int = 2048
) -> LlamaServer:
    """Start the server on ``model_path`` and wait until it answers ``/v1/models``."""
    port = free_port()
    log_path = Path(tempfile.mkstemp(prefix="llama-server-", suffix=".log")[1])
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", model_path,
        "--chat_format", chat_format,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", str(context_size),
        "--n_threads", str(max(1, (os.cpu_count() or 1) // 2)),
        "--verbose", "False",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    server = LlamaServer(process=process, port=port, log_path=log_path)
    try:
        _wait_until_ready(server)
    except BaseException:
        log = tail(log_path, lines=40)
        server.stop()
        raise LlamaServerUnavailable(f"llama_cpp.server did not start:\n{log}") from None
    return server


def _wait_until_ready(server: LlamaServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise LlamaServerUnavailable(f"exited with {server.process.returncode}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/models", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise LlamaServerUnavailable(f"no answer within {START_TIMEOUT_SECONDS} s")
