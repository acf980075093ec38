"""The Kafka security settings: refusing what would not do what it says, and the bus's
``KafkaSecurity`` built from them. ``backend.bus`` is imported only when they are used:
it pulls in aiokafka, which a process without Kafka never needs."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backend.bus import KafkaSecurity
    from backend.config import Settings


# Settings that only make sense with TLS or SASL, which the protocol must then have.
_KAFKA_SECRETS_AND_FILES = (
    "ssl_ca_file",
    "ssl_cert_file",
    "ssl_key_file",
    "sasl_username",
    "sasl_password",
)


def kafka_security_of(settings: Settings) -> KafkaSecurity:
    from backend.bus import KafkaSecurity

    password = settings.kafka_sasl_password
    return KafkaSecurity(
        protocol=settings.kafka_security_protocol,
        ca_file=_optional_str(settings.kafka_ssl_ca_file),
        cert_file=_optional_str(settings.kafka_ssl_cert_file),
        key_file=_optional_str(settings.kafka_ssl_key_file),
        sasl_mechanism=settings.kafka_sasl_mechanism,
        username=settings.kafka_sasl_username,
        password=password.get_secret_value() if password is not None else None,
    )


def _optional_str(path: Path | None) -> str | None:
    return None if path is None else str(path)


def check_kafka_security(settings: Settings) -> None:
    """Refuse a Kafka security setting that would not do what it says (TLS files without
    TLS, a user name without SASL, SASL without a user), and TLS files that do not load."""
    given = {name for name in _KAFKA_SECRETS_AND_FILES if getattr(settings, f"kafka_{name}")}
    if settings.kafka_security_protocol == "PLAINTEXT" and not given:
        return  # the default: nothing to check (and the bus's modules not to import)
    protocol = f"NODELOOM_KAFKA_SECURITY_PROTOCOL={settings.kafka_security_protocol}"
    security = kafka_security_of(settings)
    for name in sorted(given):
        if name.startswith("ssl_") and not security.tls:
            raise ValueError(f"NODELOOM_KAFKA_{name.upper()} is set but {protocol} has no TLS")
        if name.startswith("sasl_") and not security.sasl:
            raise ValueError(f"NODELOOM_KAFKA_{name.upper()} is set but {protocol} has no SASL")
    for name in ("sasl_username", "sasl_password"):
        if security.sasl and name not in given:
            raise ValueError(f"{protocol} needs NODELOOM_KAFKA_{name.upper()}")
    if ("ssl_cert_file" in given) != ("ssl_key_file" in given):
        raise ValueError(
            "NODELOOM_KAFKA_SSL_CERT_FILE and NODELOOM_KAFKA_SSL_KEY_FILE go together "
            "(a client certificate and its private key)"
        )
    if security.tls:
        try:
            security.ssl_context()
        except (ssl.SSLError, ValueError) as error:
            raise ValueError(
                "NODELOOM_KAFKA_SSL_CA_FILE, _CERT_FILE or _KEY_FILE do not load as PEM "
                f"(a CA bundle, a certificate and its unencrypted key): {error}"
            ) from None
