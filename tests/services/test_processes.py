"""The test services' free port: outside the kernel's ephemeral range, so a server
restarted on it cannot find it taken by a client's outgoing socket."""

from __future__ import annotations

import socket

import pytest

from services.processes import DEFAULT_EPHEMERAL_RANGE, ephemeral_port_range, free_port


def test_the_range_is_read_from_the_kernel_file(tmp_path):
    range_file = tmp_path / "ip_local_port_range"
    range_file.write_text("20000\t40000\n")
    assert ephemeral_port_range(range_file) == (20000, 40000)


@pytest.mark.parametrize("content", [None, "", "not numbers\n"])
def test_an_unreadable_range_falls_back_to_the_iana_one(tmp_path, content):
    range_file = tmp_path / "ip_local_port_range"
    if content is not None:
        range_file.write_text(content)
    assert ephemeral_port_range(range_file) == DEFAULT_EPHEMERAL_RANGE


def test_free_ports_lie_outside_this_machines_ephemeral_range_and_can_be_bound():
    first, last = ephemeral_port_range()
    for _ in range(50):
        port = free_port()
        assert not first <= port <= last, f"{port} is in the ephemeral range {first}-{last}"
        with socket.socket() as server:
            server.bind(("127.0.0.1", port))


def test_a_port_that_is_listened_on_is_never_given():
    # A range that leaves one candidate, 65535: taken, there is no port to give.
    ephemeral = (1024, 65534)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 65535))
        taken.listen()
        with pytest.raises(RuntimeError, match="outside the ephemeral range 1024-65534"):
            free_port(ephemeral)
    assert free_port(ephemeral) == 65535
