"""docker-compose.yml: a valid Compose file (checked by a spec parser after the same
interpolation `docker compose` does with .env.example), whose references all resolve and
whose Nodeloom containers get valid settings."""

from __future__ import annotations

import base64
import re
import secrets
from functools import cache
from typing import Any

import pytest
import yaml
from compose_spec import PyOptions
from deploy_support import (
    KAFKA_IMAGE,
    REPO_ROOT,
    api_paths,
    check_settings,
    interpolate,
    read_env_file,
)
from pydantic import ValidationError

COMPOSE = REPO_ROOT / "docker-compose.yml"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
NODELOOM_SERVICES = ("migrate", "api", "worker")


@cache
def compose() -> dict[str, Any]:
    text = interpolate(COMPOSE.read_text(encoding="utf-8"), read_env_file(ENV_EXAMPLE))
    # The compose_spec parser refuses unknown keys and bad values; merge keys (<<) applied.
    parsed = PyOptions(apply_merge=True).from_yaml(text)
    parsed.validate()
    return yaml.safe_load(text)


def services() -> dict[str, Any]:
    return compose()["services"]


def is_one_shot(service: dict[str, Any]) -> bool:
    return service.get("restart") == "no"


def test_the_spec_parser_refuses_a_misspelt_key():
    broken = "services:\n  api:\n    image: x\n    helthcheck: {}\n"
    with pytest.raises(ValueError, match="helthcheck"):
        PyOptions(apply_merge=True).from_yaml(broken)


def test_env_example_gives_every_required_value():
    text = COMPOSE.read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{(\w+):\?", text))
    assert required <= set(read_env_file(ENV_EXAMPLE))
    with pytest.raises(AssertionError, match="POSTGRES_PASSWORD"):
        interpolate(text, {})


def test_the_stack_has_its_five_services():
    assert set(services()) == {"postgres", "kafka", "migrate", "api", "worker"}
    assert services()["postgres"]["image"].startswith("pgvector/pgvector:")
    assert services()["kafka"]["image"] == KAFKA_IMAGE


def test_depends_on_names_defined_services_with_fitting_conditions():
    for name, service in services().items():
        for dependency, rule in service.get("depends_on", {}).items():
            assert dependency in services(), f"{name} depends on unknown {dependency}"
            target = services()[dependency]
            if rule["condition"] == "service_healthy":
                assert not target["healthcheck"].get("disable"), f"{dependency} has no check"
            else:
                assert rule["condition"] == "service_completed_successfully"
                assert is_one_shot(target), f"{dependency} is not a one-shot"


def test_every_long_running_service_has_a_healthcheck():
    for name, service in services().items():
        check = service.get("healthcheck", {})
        assert is_one_shot(service) or (check.get("test") and not check.get("disable")), name


def test_volumes_are_named_volumes_or_files_of_the_repository():
    named = set(compose()["volumes"])
    used = set()
    for service in services().values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (REPO_ROOT / source).exists(), source
            else:
                assert source in named, source
                used.add(source)
    assert used == named


def test_env_files_exist_or_are_optional_with_an_example():
    for service in services().values():
        for env_file in service.get("env_file", []):
            path = REPO_ROOT / env_file["path"]
            assert path.exists() or (
                env_file["required"] is False and path.with_name(path.name + ".example").exists()
            )


def test_every_nodeloom_container_is_the_one_image_of_the_dockerfile():
    for name in NODELOOM_SERVICES:
        service = services()[name]
        assert service["build"] == {"context": ".", "dockerfile": "Dockerfile"}, name
        assert service["image"] == services()["api"]["image"]
    assert [services()[name]["command"] for name in NODELOOM_SERVICES] == [
        ["nodeloom", "db", "upgrade"],
        ["nodeloom", "serve"],
        ["nodeloom", "worker"],
    ]


def test_api_and_worker_start_after_the_migration():
    for name in ("api", "worker"):
        rule = services()[name]["depends_on"]["migrate"]
        assert rule == {"condition": "service_completed_successfully"}
    assert services()["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_api_answers_on_port_8000_and_its_check_asks_a_real_route():
    assert services()["api"]["ports"] == ["8000:8000"]
    check = " ".join(services()["api"]["healthcheck"]["test"])
    path = re.search(r"http://127\.0\.0\.1:8000(/[\w/]+)", check).group(1)
    assert path == "/api/v1/ready" and path in api_paths()


def test_worker_check_asks_its_metrics_port():
    worker = services()["worker"]
    port = worker["environment"]["NODELOOM_WORKER_METRICS_PORT"]
    assert f"http://127.0.0.1:{port}/metrics" in " ".join(worker["healthcheck"]["test"])


@pytest.mark.parametrize("name", NODELOOM_SERVICES)
def test_each_nodeloom_container_gets_valid_distributed_settings(name):
    example, service = read_env_file(ENV_EXAMPLE), services()[name]["environment"]
    assert service["NODELOOM_SECRET_KEY"] == example["NODELOOM_SECRET_KEY"]  # from .env
    with pytest.raises(ValidationError, match="still the example value"):  # copied unchanged
        check_settings({**example, **service})
    # .env filled in as it asks: a key of one's own
    settings = check_settings(
        {**example, **service, "NODELOOM_SECRET_KEY": secrets.token_urlsafe(32)}
    )
    assert settings.database_url.startswith("postgresql+asyncpg://nodeloom:")
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert settings.runs_embedded_worker is False
    assert settings.secret_key is not None


def test_kafka_is_one_kraft_broker_reachable_by_service_name():
    environment = services()["kafka"]["environment"]
    assert environment["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert environment["KAFKA_ADVERTISED_LISTENERS"] == "PLAINTEXT://kafka:9092"
    cluster_id = environment["CLUSTER_ID"]
    assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16
