"""deploy/k8s: every kustomization renders (kubectl's built-in kustomize), every rendered
object validates against the Kubernetes schemas of the oldest and newest supported
versions, and the objects fit together: probes on real routes, references that resolve,
settings that Nodeloom accepts."""

from __future__ import annotations

from functools import cache
from typing import Any

import kubernetes_validate
import pytest
from deploy_support import (
    DEPLOY,
    KAFKA_IMAGE,
    SECRET_PLACEHOLDERS,
    api_paths,
    check_settings,
    load_yaml_documents,
    run_tool,
    topic_names,
)

KUSTOMIZATIONS = ("base", "overlays/dev", "overlays/production")
# 1.30: the oldest with the preStop `sleep` action on by default; 1.37: the newest schemas.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
# How long joining the consumer group nodeloom-workers can take once Kafka answers.
GROUP_JOIN_SECONDS = 15
EXTERNAL_SECRETS = {"overlays/production": {"nodeloom-secrets"}, "base": {"nodeloom-secrets"}}


@cache
def render(kustomization: str) -> tuple[dict[str, Any], ...]:
    result = run_tool("kubectl", "kustomize", str(DEPLOY / "k8s" / kustomization))
    assert result.returncode == 0, result.stderr
    return tuple(load_yaml_documents(result.stdout))


def objects(kustomization: str, kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in render(kustomization) if o["kind"] == kind}


def pod_specs(kustomization: str) -> dict[str, dict[str, Any]]:
    specs = {}
    for kind in ("Deployment", "StatefulSet", "Job"):
        for name, workload in objects(kustomization, kind).items():
            specs[name] = workload["spec"]["template"]["spec"]
    return specs


def nodeloom_containers(kustomization: str) -> dict[str, dict[str, Any]]:
    return {
        f"{pod}/{container['name']}": container
        for pod, spec in pod_specs(kustomization).items()
        for container in spec["containers"]
        if container["image"].split(":")[0].endswith("nodeloom")
    }


def container_environment(kustomization: str, container: dict[str, Any]) -> dict[str, str]:
    config_maps = objects(kustomization, "ConfigMap")
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        environment.update(config_maps[source["configMapRef"]["name"]]["data"])
    for variable in container.get("env", []):
        if "value" in variable:
            environment[variable["name"]] = variable["value"]
        else:
            environment[variable["name"]] = SECRET_PLACEHOLDERS[variable["name"]]
    return environment


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_rendered_objects_validate_against_the_kubernetes_schemas(kustomization, version):
    for obj in render(kustomization):
        kubernetes_validate.validate(obj, version, strict=True)


def test_the_validator_rejects_a_misspelt_field():
    deployment = dict(objects("base", "Deployment")["nodeloom-api"])
    deployment["spec"] = {**deployment["spec"], "replicaz": 2}
    with pytest.raises(kubernetes_validate.ValidationError, match="replicaz"):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_the_app_pieces_are_all_there(kustomization):
    kinds = {(o["kind"], o["metadata"]["name"]) for o in render(kustomization)}
    assert {
        ("Deployment", "nodeloom-api"),
        ("Deployment", "nodeloom-worker"),
        ("Service", "nodeloom-api"),
        ("Ingress", "nodeloom"),
        ("Job", "nodeloom-migrate"),
        ("HorizontalPodAutoscaler", "nodeloom-api"),
        ("HorizontalPodAutoscaler", "nodeloom-worker"),
        ("PodDisruptionBudget", "nodeloom-api"),
        ("PodDisruptionBudget", "nodeloom-worker"),
    } <= kinds


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_api_probes_ask_real_routes_and_drain_before_stopping(kustomization):
    pod = objects(kustomization, "Deployment")["nodeloom-api"]["spec"]["template"]["spec"]
    (api,) = pod["containers"]
    assert api["readinessProbe"]["httpGet"]["path"] == "/api/v1/ready"
    assert api["livenessProbe"]["httpGet"]["path"] == "/api/v1/health"
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert api[probe]["httpGet"]["path"] in api_paths()
        assert api[probe]["httpGet"]["port"] in {port["name"] for port in api["ports"]}
    drain = api["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert drain >= 5 and pod["terminationGracePeriodSeconds"] > drain + 15


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_worker_probe_asks_its_metrics_port_and_outlives_its_drain(kustomization):
    pod = objects(kustomization, "Deployment")["nodeloom-worker"]["spec"]["template"]["spec"]
    (worker,) = pod["containers"]
    environment = container_environment(kustomization, worker)
    (port,) = worker["ports"]
    assert port["containerPort"] == int(environment["NODELOOM_WORKER_METRICS_PORT"])
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert worker[probe]["httpGet"] == {"path": "/metrics", "port": port["name"]}, probe
    grace = float(environment["NODELOOM_SHUTDOWN_GRACE_SECONDS"])
    assert pod["terminationGracePeriodSeconds"] >= grace + 15


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_a_new_worker_counts_only_once_it_can_have_joined_its_group(kustomization):
    deployment = objects(kustomization, "Deployment")["nodeloom-worker"]
    (worker,) = deployment["spec"]["template"]["spec"]["containers"]
    environment = container_environment(kustomization, worker)
    kafka_wait = float(environment.get("NODELOOM_KAFKA_START_TIMEOUT_SECONDS", 15))
    startup = worker["startupProbe"]
    budget = (
        startup.get("initialDelaySeconds", 0)
        + startup["periodSeconds"] * startup["failureThreshold"]
    )
    # Its endpoint answers before the worker reaches Kafka and joins nodeloom-workers.
    assert budget >= kafka_wait + GROUP_JOIN_SECONDS
    # A rollout stops an old worker only after the new one had time to join.
    assert deployment["spec"]["minReadySeconds"] >= GROUP_JOIN_SECONDS
    assert "initialDelaySeconds" not in worker["livenessProbe"]  # the startup probe gates it


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_no_deployment_an_autoscaler_owns_sets_its_replicas(kustomization):
    scaled = {
        hpa["spec"]["scaleTargetRef"]["name"]
        for hpa in objects(kustomization, "HorizontalPodAutoscaler").values()
    }
    assert scaled == {"nodeloom-api", "nodeloom-worker"}
    for name in scaled:
        assert "replicas" not in objects(kustomization, "Deployment")[name]["spec"], name


def test_production_keeps_three_of_each_at_rest():
    autoscalers = objects("overlays/production", "HorizontalPodAutoscaler")
    assert {name: hpa["spec"]["minReplicas"] for name, hpa in autoscalers.items()} == {
        "nodeloom-api": 3,
        "nodeloom-worker": 3,
    }


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_every_nodeloom_container_gets_valid_distributed_settings(kustomization):
    containers = nodeloom_containers(kustomization)
    assert set(containers) == {
        "nodeloom-api/api",
        "nodeloom-worker/worker",
        "nodeloom-migrate/migrate",
    }
    for name, container in containers.items():
        settings = check_settings(container_environment(kustomization, container))
        assert settings.kafka_bootstrap_servers and not settings.runs_embedded_worker, name
        assert settings.database_url.startswith("postgresql+asyncpg://"), name
    commands = {name: container["command"] for name, container in containers.items()}
    assert commands["nodeloom-api/api"] == ["nodeloom", "serve"]
    assert commands["nodeloom-worker/worker"] == ["nodeloom", "worker"]
    assert commands["nodeloom-migrate/migrate"] == ["nodeloom", "db", "upgrade"]


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_config_and_secret_references_resolve(kustomization):
    config_maps = set(objects(kustomization, "ConfigMap"))
    secrets = set(objects(kustomization, "Secret")) | EXTERNAL_SECRETS.get(kustomization, set())
    for pod, spec in pod_specs(kustomization).items():
        for container in spec["containers"] + spec.get("initContainers", []):
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] in config_maps, pod
            for variable in container.get("env", []):
                if "valueFrom" in variable:
                    assert variable["valueFrom"]["secretKeyRef"]["name"] in secrets, pod
        for volume in spec.get("volumes", []):
            if "configMap" in volume:
                assert volume["configMap"]["name"] in config_maps, pod


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_every_container_has_requests_and_limits(kustomization):
    for pod, spec in pod_specs(kustomization).items():
        for container in spec["containers"] + spec.get("initContainers", []):
            resources = container["resources"]
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources[bound]), f"{pod}/{container['name']}"


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_autoscalers_budgets_services_and_ingress_point_at_real_objects(kustomization):
    deployments = objects(kustomization, "Deployment")
    pod_labels = [d["spec"]["template"]["metadata"]["labels"] for d in deployments.values()]
    for hpa in objects(kustomization, "HorizontalPodAutoscaler").values():
        assert hpa["spec"]["scaleTargetRef"]["name"] in deployments
        assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    for pdb in objects(kustomization, "PodDisruptionBudget").values():
        selector = pdb["spec"]["selector"]["matchLabels"]
        assert any(selector.items() <= labels.items() for labels in pod_labels)
    services = objects(kustomization, "Service")
    api_pod = deployments["nodeloom-api"]["spec"]["template"]
    api_service = services["nodeloom-api"]["spec"]
    assert api_service["selector"].items() <= api_pod["metadata"]["labels"].items()
    assert "sessionAffinity" not in api_service or api_service["sessionAffinity"] == "None"
    port_names = {port["name"] for port in api_pod["spec"]["containers"][0]["ports"]}
    assert api_service["ports"][0]["targetPort"] in port_names
    for rule in objects(kustomization, "Ingress")["nodeloom"]["spec"]["rules"]:
        backend = rule["http"]["paths"][0]["backend"]["service"]
        assert backend["name"] in services
        assert backend["port"]["name"] in {port["name"] for port in api_service["ports"]}


def test_ingress_keeps_websockets_open():
    annotations = objects("base", "Ingress")["nodeloom"]["metadata"]["annotations"]
    for timeout in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(annotations[f"nginx.ingress.kubernetes.io/{timeout}"]) >= 3600


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_topics_are_created_before_nodeloom_starts(kustomization):
    config_maps = objects(kustomization, "ConfigMap")
    (topics,) = [data for name, data in config_maps.items() if name.startswith("nodeloom-kafka")]
    script = topics["data"]["kafka-topics.sh"]
    assert f"for topic in {' '.join(topic_names())}; do" in script
    partitions = int(topics["data"]["KAFKA_TOPIC_PARTITIONS"])
    assert (
        objects(kustomization, "HorizontalPodAutoscaler")["nodeloom-worker"]["spec"]["maxReplicas"]
        <= partitions
    )
    for name in ("nodeloom-api", "nodeloom-worker"):
        spec = objects(kustomization, "Deployment")[name]["spec"]["template"]["spec"]
        (init,) = spec["initContainers"]
        assert init["image"] == KAFKA_IMAGE and init["command"][-1].endswith("kafka-topics.sh")


def test_production_uses_three_replicas_per_topic_and_secure_cookies():
    config_maps = objects("overlays/production", "ConfigMap")
    data = {k: v for cm in config_maps.values() for k, v in cm["data"].items()}
    assert data["KAFKA_TOPIC_REPLICATION_FACTOR"] == "3"
    assert data["NODELOOM_COOKIE_SECURE"] == "true" and data["NODELOOM_AUTH"] == "on"
    assert not objects("overlays/production", "Secret"), "production secrets stay out of git"


def test_production_pods_meet_the_restricted_pod_security_standard():
    namespace = objects("overlays/production", "Namespace")["nodeloom"]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for pod, spec in pod_specs("overlays/production").items():
        assert spec["securityContext"]["runAsNonRoot"] is True, pod
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", pod
        for container in spec["containers"] + spec.get("initContainers", []):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, pod
            assert context["capabilities"]["drop"] == ["ALL"], pod
            assert context["readOnlyRootFilesystem"] is True, pod
