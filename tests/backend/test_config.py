"""The settings: defaults, environment, and refusals with clear messages."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from pydantic import ValidationError
from services.tls import Certificates, make_certificates

from backend.bus import KafkaBus, KafkaSecurity
from backend.config import PLACEHOLDER_SECRET_KEY, Settings
from backend.database_url import normalize_database_url, sqlite_path
from backend.runtime import bus_from_settings

REPO = Path(__file__).resolve().parents[2]
KAFKA_PASSWORD = "kafka-password-7f3a"
SHARED_KEY = "test-secret-key-shared-by-every-process-0123"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "DATABASE_URL",
        "HOST",
        "PORT",
        "DATA_DIR",
        "FRONTEND_DIR",
        "MAX_BODY_BYTES",
        "LOG_LEVEL",
    ):
        monkeypatch.delenv(f"NODELOOM_{name}", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))


def test_defaults(tmp_path: Path):
    settings = Settings()

    assert settings.data_dir == tmp_path / ".nodeloom"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/.nodeloom/nodeloom.db"
    assert (settings.host, settings.port, settings.log_level) == ("127.0.0.1", 8000, "info")
    assert settings.max_body_bytes == 10 * 1024 * 1024
    # A checkout (or its editable install) serves its own build.
    assert settings.frontend_dir == REPO / "frontend" / "dist"
    assert settings.is_loopback


def test_environment_variables_use_the_nodeloom_prefix(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NODELOOM_PORT", "9001")
    monkeypatch.setenv("NODELOOM_HOST", "0.0.0.0")
    monkeypatch.setenv("NODELOOM_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("NODELOOM_DATA_DIR", "~/elsewhere")
    monkeypatch.setenv("NODELOOM_DATABASE_URL", "postgres://u:p%40ss@db:5432/nodeloom")

    settings = Settings()

    assert (settings.port, settings.host, settings.log_level) == (9001, "0.0.0.0", "debug")
    assert not settings.is_loopback
    assert settings.data_dir == Path.home() / "elsewhere"
    assert settings.database_url == "postgresql+asyncpg://u:p%40ss@db:5432/nodeloom"


@pytest.mark.parametrize(
    ("host", "auth", "open_to_everyone"),
    [
        ("0.0.0.0", "off", True),
        ("192.0.2.7", "off", True),
        ("127.0.0.1", "off", False),
        ("::1", "off", False),
        ("0.0.0.0", "on", False),
    ],
)
def test_only_single_person_mode_off_loopback_is_open_to_everyone(
    host: str, auth: str, open_to_everyone: bool
):
    settings = Settings(host=host, auth=auth, secret_key=SHARED_KEY)

    assert settings.open_to_everyone is open_to_everyone


def test_default_database_follows_the_data_dir(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "d")

    assert sqlite_path(settings.database_url) == tmp_path / "d" / "nodeloom.db"
    assert not (tmp_path / "d").exists()  # created when the database is first opened


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("sqlite+aiosqlite:////abs/x.db", "sqlite+aiosqlite:////abs/x.db"),
        ("postgresql://h/db", "postgresql+asyncpg://h/db"),
        ("postgresql+asyncpg://u@h:1/db", "postgresql+asyncpg://u@h:1/db"),
    ],
)
def test_database_urls_get_their_async_driver(raw: str, expected: str):
    assert normalize_database_url(raw) == expected


@pytest.mark.parametrize(
    ("options", "field", "words"),
    [
        ({"database_url": "mysql://h/db"}, "database_url", "supports SQLite"),
        ({"database_url": "postgresql+psycopg2://h/db"}, "database_url", "supports SQLite"),
        ({"database_url": "sqlite://"}, "database_url", "in-memory"),
        ({"database_url": "sqlite:///:memory:"}, "database_url", "in-memory"),
        ({"database_url": "postgresql://h"}, "database_url", "must name a database"),
        ({"database_url": "not a url"}, "database_url", "not a database URL"),
        ({"port": 0}, "port", "greater than or equal to 1"),
        ({"port": 70000}, "port", "less than or equal to 65535"),
        ({"host": "my host"}, "host", "without spaces"),
        ({"host": ""}, "host", "at least 1"),
        ({"max_body_bytes": 10}, "max_body_bytes", "greater than or equal to 1024"),
        ({"log_level": "loud"}, "log_level", "'critical', 'error'"),
    ],
)
def test_unsafe_or_invalid_values_are_refused(options: dict, field: str, words: str):
    with pytest.raises(ValidationError) as raised:
        Settings(**options)

    errors = raised.value.errors()
    assert [error["loc"] for error in errors] == [(field,)]
    assert words in errors[0]["msg"]


def test_every_setting_is_documented():
    for name, field in Settings.model_fields.items():
        assert field.description and len(field.description) > 20, name


def test_settings_are_immutable():
    settings = Settings()

    with pytest.raises(ValidationError):
        settings.port = 1  # type: ignore[misc]


@pytest.fixture
def certificates(tmp_path: Path) -> Certificates:
    return make_certificates(tmp_path / "certs")


def test_kafka_security_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, certificates: Certificates, tmp_path: Path
):
    for name, value in {
        "KAFKA_BOOTSTRAP_SERVERS": "kafka-1:9093",
        "SECRET_KEY": SHARED_KEY,
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_SSL_CA_FILE": str(certificates.ca),
        "KAFKA_SSL_CERT_FILE": str(certificates.client_cert),
        "KAFKA_SSL_KEY_FILE": str(certificates.client_key),
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "KAFKA_SASL_USERNAME": "nodeloom",
        "KAFKA_SASL_PASSWORD": KAFKA_PASSWORD,
        "DATABASE_URL": "postgresql://db/nodeloom",
    }.items():
        monkeypatch.setenv(f"NODELOOM_{name}", value)

    settings = Settings()
    bus = bus_from_settings(settings, "api")

    assert isinstance(bus, KafkaBus)
    assert bus.settings.security == KafkaSecurity(
        protocol="SASL_SSL",
        ca_file=str(certificates.ca),
        cert_file=str(certificates.client_cert),
        key_file=str(certificates.client_key),
        sasl_mechanism="SCRAM-SHA-512",
        username="nodeloom",
        password=KAFKA_PASSWORD,
    )
    options = bus.settings.client_options()
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == (
        "nodeloom",
        KAFKA_PASSWORD,
    )
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.check_hostname and context.verify_mode == ssl.CERT_REQUIRED
    for shown in (repr(settings), str(settings), repr(bus.settings)):
        assert KAFKA_PASSWORD not in shown


def test_plain_kafka_needs_no_security_settings():
    settings = Settings(
        kafka_bootstrap_servers="kafka:9092",
        database_url="postgresql://h/db",
        secret_key=SHARED_KEY,
    )

    assert settings.kafka_security == KafkaSecurity()
    assert settings.kafka_security.client_options() == {"security_protocol": "PLAINTEXT"}


def _encrypted_key(certificates: Certificates) -> Path:
    key = serialization.load_pem_private_key(certificates.client_key.read_bytes(), None)
    path = certificates.client_key.with_name("encrypted-key.pem")
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"key password"),
        )
    )
    return path


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"kafka_security_protocol": "SASL_SSL"}, "needs NODELOOM_KAFKA_SASL_USERNAME"),
        (
            {"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_sasl_username": "u"},
            "needs NODELOOM_KAFKA_SASL_PASSWORD",
        ),
        (
            {"kafka_sasl_username": "u", "kafka_sasl_password": KAFKA_PASSWORD},
            "NODELOOM_KAFKA_SASL_PASSWORD is set but NODELOOM_KAFKA_SECURITY_PROTOCOL=PLAINTEXT "
            "has no SASL",
        ),
        (
            {"kafka_security_protocol": "SASL_PLAINTEXT", "kafka_ssl_ca_file": "{ca}"},
            "NODELOOM_KAFKA_SSL_CA_FILE is set but NODELOOM_KAFKA_SECURITY_PROTOCOL="
            "SASL_PLAINTEXT has no TLS",
        ),
        (
            {"kafka_security_protocol": "SSL", "kafka_ssl_cert_file": "{client_cert}"},
            "go together",
        ),
        ({"kafka_security_protocol": "SSL", "kafka_ssl_ca_file": "{client_key}"}, "load as PEM"),
        (
            {
                "kafka_security_protocol": "SSL",
                "kafka_ssl_cert_file": "{client_cert}",
                "kafka_ssl_key_file": "{encrypted_key}",
            },
            "the private key is encrypted",
        ),
    ],
)
def test_kafka_security_that_would_not_do_what_it_says_is_refused(
    options: dict, words: str, certificates: Certificates
):
    files = {"encrypted_key": _encrypted_key(certificates), **vars(certificates)}
    options = {name: value.format(**files) for name, value in options.items()}

    with pytest.raises(ValidationError) as raised:
        Settings(**options)

    assert words in str(raised.value)
    assert KAFKA_PASSWORD not in str(raised.value)


def test_blank_kafka_security_variables_are_unset(monkeypatch: pytest.MonkeyPatch):
    for name in ("SSL_CA_FILE", "SSL_CERT_FILE", "SSL_KEY_FILE", "SASL_USERNAME", "SASL_PASSWORD"):
        monkeypatch.setenv(f"NODELOOM_KAFKA_{name}", "")

    assert Settings().kafka_security == KafkaSecurity()


def test_a_missing_tls_file_is_named(tmp_path: Path):
    with pytest.raises(ValidationError) as raised:
        Settings(kafka_security_protocol="SSL", kafka_ssl_ca_file=tmp_path / "nowhere.pem")

    [error] = raised.value.errors()
    assert error["loc"] == ("kafka_ssl_ca_file",)
    assert f"{tmp_path / 'nowhere.pem'} is not a file" in error["msg"]


def test_errors_never_echo_a_secret():
    with pytest.raises(ValidationError) as raised:
        Settings(secret_key="too-short-secret")

    assert "at least 32 characters" in str(raised.value)
    assert "too-short-secret" not in str(raised.value)


def test_the_example_secret_key_is_refused():
    example = Path(__file__).resolve().parents[2] / ".env.example"
    (line,) = [
        line for line in example.read_text().splitlines() if line.startswith("NODELOOM_SECRET_KEY=")
    ]
    placeholder = line.partition("=")[2]
    assert placeholder == PLACEHOLDER_SECRET_KEY  # .env.example and the check agree
    for options in ({"secret_key": placeholder}, {"secret_key": SHARED_KEY,
                                                  "secret_key_previous": placeholder}):  # fmt: skip
        with pytest.raises(ValidationError, match=r"still the example value from \.env\.example"):
            Settings(**options)


def test_kafka_needs_a_shared_secret_key():
    with pytest.raises(ValidationError, match="the same in every server and worker"):
        Settings(kafka_bootstrap_servers="kafka:9092", database_url="postgresql://h/db")


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"secret_key": SHARED_KEY, "secret_key_previous": "short"}, "at least 32 characters"),
        ({"secret_key": SHARED_KEY, "secret_key_previous": f"{SHARED_KEY},x"}, "at least 32"),
        ({"secret_key_previous": SHARED_KEY}, "NODELOOM_SECRET_KEY_PREVIOUS needs"),
    ],
)
def test_previous_keys_follow_the_same_rules(options: dict, words: str):
    with pytest.raises(ValidationError, match=words) as raised:
        Settings(**options)
    assert SHARED_KEY not in str(raised.value)
