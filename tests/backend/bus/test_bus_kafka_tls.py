"""The Kafka bus over TLS: a broker reached through a real TLS server (``services.tls``).

Every client of the bus (admin, producer, group members, followers) connects with the
settings' security: the run path works over TLS, a broker whose certificate the CA does
not vouch for is refused, and a broker that asks for a client certificate gets one.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bus_support import TEST_KAFKA_SETTINGS, event, request, take
from services.kafka import KafkaServer, KafkaUnavailable
from services.processes import free_port
from services.tls import Certificates, TlsFront, make_certificates

from backend.bus import BusUnavailable, KafkaBus, KafkaSecurity, KafkaSettings


@dataclass
class TlsBroker:
    front: TlsFront
    certificates: Certificates
    stranger: Certificates
    """Certificates of another CA, which the front's certificate is not signed by."""

    def settings(self, security: KafkaSecurity, start_timeout_s: float = 10.0) -> KafkaSettings:
        options = {**TEST_KAFKA_SETTINGS, "start_timeout_s": start_timeout_s}
        return KafkaSettings(
            bootstrap_servers=f"localhost:{self.front.port}",  # the name is checked too
            client_id="nodeloom-tls-test",
            namespace=f"t{uuid.uuid4().hex[:10]}.",
            security=security,
            **options,  # type: ignore[arg-type]
        )


@pytest.fixture(scope="module")
def tls_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsBroker]:
    directory: Path = tmp_path_factory.mktemp("kafka-tls")
    certificates = make_certificates(directory)
    front_port = free_port()
    server = KafkaServer(free_port(), directory / "tansu.log", advertised_port=front_port)
    try:
        server.start()
    except KafkaUnavailable as error:
        pytest.fail(f"the Kafka TLS tests need Tansu, which did not start: {error}")
    front = TlsFront(front_port, server.port, certificates)
    front.start()
    try:
        yield TlsBroker(front, certificates, make_certificates(directory, "stranger"))
    finally:
        front.stop()
        server.stop()


@pytest.fixture
async def started() -> AsyncIterator[list[KafkaBus]]:
    buses: list[KafkaBus] = []
    yield buses
    for bus in buses:
        await bus.close()


async def start(buses: list[KafkaBus], settings: KafkaSettings) -> KafkaBus:
    bus = KafkaBus(settings)
    buses.append(bus)
    await bus.start()
    return bus


async def test_runs_and_events_travel_over_tls(
    tls_broker: TlsBroker, started: list[KafkaBus]
) -> None:
    tls_broker.front.require_client_certificate(False)
    handshakes = tls_broker.front.handshakes
    security = KafkaSecurity(protocol="SSL", ca_file=str(tls_broker.certificates.ca))
    bus = await start(started, tls_broker.settings(security))
    async with bus.requests() as requests, bus.follow_events() as follower:
        await bus.publish_request(request("run-tls"))
        assert [r.run_id for r in await take(requests, 1)] == ["run-tls"]
        for seq in range(3):
            await bus.publish_event(event("run-tls", seq))
        assert [e.seq for e in await take(follower, 3)] == [0, 1, 2]
    # admin, producer, group member, follower (and their metadata connections)
    assert tls_broker.front.handshakes - handshakes >= 4


async def test_a_broker_the_ca_does_not_vouch_for_is_refused(
    tls_broker: TlsBroker, started: list[KafkaBus]
) -> None:
    tls_broker.front.require_client_certificate(False)
    security = KafkaSecurity(protocol="SSL", ca_file=str(tls_broker.stranger.ca))
    with pytest.raises(BusUnavailable) as refused:
        await start(started, tls_broker.settings(security, start_timeout_s=1.0))
    assert "certificate verify failed" in str(refused.value)


async def test_a_broker_that_asks_for_a_client_certificate_gets_one(
    tls_broker: TlsBroker, started: list[KafkaBus]
) -> None:
    tls_broker.front.require_client_certificate(True)
    try:
        certificates = tls_broker.certificates
        without = KafkaSecurity(protocol="SSL", ca_file=str(certificates.ca))
        with pytest.raises(BusUnavailable):
            await start(started, tls_broker.settings(without, start_timeout_s=1.0))

        with_certificate = KafkaSecurity(
            protocol="SSL",
            ca_file=str(certificates.ca),
            cert_file=str(certificates.client_cert),
            key_file=str(certificates.client_key),
        )
        bus = await start(started, tls_broker.settings(with_certificate))
        async with bus.follow_events() as follower:
            await bus.publish_event(event("run-mtls", 0))
            assert [e.run_id for e in await take(follower, 1)] == ["run-mtls"]
    finally:
        tls_broker.front.require_client_certificate(False)
