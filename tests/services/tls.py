"""Test certificates, and a TLS front for the test broker.

Tansu, the test broker, serves plain TCP only. ``TlsFront`` listens with TLS on a port of
127.0.0.1 and relays each connection's bytes to a plain port, so the Kafka clients' TLS
code runs against a real TLS server: handshake, certificate and host name checks, and
client certificates when the front asks for them.

``make_certificates(directory)`` writes PEM files: a CA, a server certificate for
127.0.0.1 and localhost, and a client certificate, both signed by the CA.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Certificates:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def make_certificates(directory: Path, name: str = "test") -> Certificates:
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"Nodeloom {name} CA")
    ca = _sign(
        _builder(ca_name, ca_name, ca_key).add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True
        ),
        ca_key,
    )
    files = {"ca": _write(directory / f"{name}-ca.pem", ca)}
    for role, names in (
        ("server", [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
        ("client", [x509.DNSName("nodeloom-client")]),
    ):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = _builder(_name(f"{name} {role}"), ca_name, key).add_extension(
            x509.SubjectAlternativeName(names), critical=False
        )
        files[f"{role}_cert"] = _write(directory / f"{name}-{role}.pem", _sign(builder, ca_key))
        files[f"{role}_key"] = directory / f"{name}-{role}-key.pem"
        files[f"{role}_key"].write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return Certificates(**files)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(
    subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePrivateKey
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
    )


def _sign(builder: x509.CertificateBuilder, key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    return builder.sign(key, hashes.SHA256())


def _write(path: Path, certificate: x509.Certificate) -> Path:
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


class TlsFront:
    """TLS on ``port``, relayed in the clear to ``upstream_port``; runs in its own thread
    (its own event loop), so it outlives each test's loop."""

    def __init__(self, port: int, upstream_port: int, certificates: Certificates) -> None:
        self.port = port
        self.upstream_port = upstream_port
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(certificates.server_cert, certificates.server_key)
        self.context.load_verify_locations(certificates.ca)
        self.handshakes = 0
        """Connections that completed a TLS handshake."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None

    def require_client_certificate(self, required: bool) -> None:
        """Ask new connections for a certificate signed by the CA (mutual TLS), or not."""
        self.context.verify_mode = ssl.CERT_REQUIRED if required else ssl.CERT_NONE

    def start(self) -> None:
        self._thread.start()
        serve = asyncio.start_server(self._relay, "127.0.0.1", self.port, ssl=self.context)
        self._server = asyncio.run_coroutine_threadsafe(serve, self._loop).result(10)

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            for task in asyncio.all_tasks() - {asyncio.current_task()}:
                task.cancel()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.handshakes += 1  # the server hands over a connection after its handshake
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        try:
            await asyncio.gather(_pump(reader, up_writer), _pump(up_reader, writer))
        finally:
            for side in (writer, up_writer):
                side.close()


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()
