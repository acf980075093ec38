"""Small helpers for the services the tests start: a free port, the end of a log."""

from __future__ import annotations

import random
import socket
from pathlib import Path

EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
# Where /proc is missing (macOS): the range IANA reserves for ephemeral ports.
DEFAULT_EPHEMERAL_RANGE = (49152, 65535)
FIRST_UNPRIVILEGED_PORT = 1024
PORT_ATTEMPTS = 200


def ephemeral_port_range(path: Path = EPHEMERAL_RANGE_FILE) -> tuple[int, int]:
    """The ports the kernel hands to outgoing sockets, first and last included."""
    try:
        first, last = (int(number) for number in path.read_text().split())
    except (OSError, ValueError):
        return DEFAULT_EPHEMERAL_RANGE
    return first, last


def free_port(ephemeral: tuple[int, int] | None = None) -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now, outside the ephemeral range.

    Port 0 would be picked from the ephemeral range, where any client's outgoing socket
    may take it while a server is down: a broker or database restarted on its port then
    fails with "address in use". Ports outside that range are only ever taken on purpose.
    """
    first, last = ephemeral if ephemeral is not None else ephemeral_port_range()
    candidates = [
        *range(FIRST_UNPRIVILEGED_PORT, first),
        *range(last + 1, 65536),
    ]
    for port in random.sample(candidates, min(PORT_ATTEMPTS, len(candidates))):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue  # someone listens (or just did): try another
            return port
    raise RuntimeError(f"no free port of 127.0.0.1 outside the ephemeral range {first}-{last}")


def tail(path: Path, lines: int = 30) -> str:
    """The last ``lines`` lines of a service's log, for an error message."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
