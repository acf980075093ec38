"""deploy/ecs: the CloudFormation templates pass cfn-lint with no finding at all, and the
task definitions fit the app: health checks on real routes, secrets from Secrets Manager,
settings that Nodeloom accepts, autoscaling and logs for every service."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest
from deploy_support import (
    DEPLOY,
    KAFKA_IMAGE,
    SECRET_PLACEHOLDERS,
    api_paths,
    check_settings,
    load_cloudformation,
    run_tool,
    topic_names,
)

TEMPLATES = sorted((DEPLOY / "ecs").glob("*.yaml"))
MAIN = DEPLOY / "ecs" / "nodeloom.yaml"
FARGATE_MAX_STOP_TIMEOUT = 120
# What a person passes for the parameters that have no default (deploy/README.md).
EXAMPLE_PARAMETERS = {"KafkaBootstrapServers": "b-1.msk.internal:9092,b-2.msk.internal:9092"}


@cache
def main() -> dict[str, Any]:
    return load_cloudformation(MAIN)


def resources(kind: str) -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in main()["Resources"].items()
        if resource["Type"] == kind
    }


def containers(task: str) -> dict[str, dict[str, Any]]:
    definition = resources("AWS::ECS::TaskDefinition")[task]
    return {container["Name"]: container for container in definition["ContainerDefinitions"]}


def resolve(value: Any) -> str:
    """A container variable's value with the template's defaults (`!If`: the first branch)."""
    if isinstance(value, dict) and "Ref" in value:
        parameter = main()["Parameters"][value["Ref"]]
        return str(parameter.get("Default", EXAMPLE_PARAMETERS.get(value["Ref"])))
    if isinstance(value, dict) and "Fn::If" in value:
        return resolve(value["Fn::If"][1])
    return str(value)


def test_templates_are_found():
    assert [path.name for path in TEMPLATES] == ["database.yaml", "kafka.yaml", "nodeloom.yaml"]


def test_cfn_lint_finds_nothing():
    result = run_tool("cfn-lint", "--format", "json", *map(str, TEMPLATES))
    assert json.loads(result.stdout or "[]") == [], result.stdout + result.stderr
    assert result.returncode == 0


def test_cfn_lint_is_a_real_check(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        MAIN.read_text(encoding="utf-8").replace("HealthCheckPath:", "HealthCheckPat:"),
        encoding="utf-8",
    )
    result = run_tool("cfn-lint", "--format", "json", str(broken))
    assert "E3002" in {finding["Rule"]["Id"] for finding in json.loads(result.stdout)}


def test_load_balancer_checks_a_real_route_and_keeps_websockets_open():
    (group,) = resources("AWS::ElasticLoadBalancingV2::TargetGroup").values()
    assert group["HealthCheckPath"] == "/api/v1/health" and group["HealthCheckPath"] in api_paths()
    assert group["Port"] == 8000 and group["TargetType"] == "ip"
    assert "stickiness.enabled" not in {a["Key"] for a in group["TargetGroupAttributes"]}
    (balancer,) = resources("AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    attributes = {a["Key"]: resolve(a["Value"]) for a in balancer["LoadBalancerAttributes"]}
    assert int(attributes["idle_timeout.timeout_seconds"]) >= 300


@pytest.mark.parametrize(
    ("task", "container", "command"),
    [
        ("ApiTaskDefinition", "api", ["nodeloom", "serve"]),
        ("WorkerTaskDefinition", "worker", ["nodeloom", "worker"]),
        ("MigrateTaskDefinition", "migrate", ["nodeloom", "db", "upgrade"]),
    ],
)
def test_each_nodeloom_container_gets_valid_settings_and_secrets(task, container, command):
    definition = containers(task)[container]
    assert definition["Command"] == command
    assert definition["Image"] == {"Ref": "ImageUri"}
    secrets = {secret["Name"]: secret["ValueFrom"]["Ref"] for secret in definition["Secrets"]}
    for parameter in secrets.values():
        assert main()["Parameters"][parameter]["AllowedPattern"].startswith(
            "^arn:aws[a-z-]*:secretsmanager:"
        )
    environment = {v["Name"]: resolve(v["Value"]) for v in definition["Environment"]}
    settings = check_settings({**environment, **{k: SECRET_PLACEHOLDERS[k] for k in secrets}})
    assert settings.database_url.startswith("postgresql+asyncpg://")
    if container != "migrate":
        assert settings.kafka_bootstrap_servers and not settings.runs_embedded_worker
        assert "NODELOOM_SECRET_KEY" in secrets


def test_container_health_checks_ask_real_endpoints():
    api = " ".join(containers("ApiTaskDefinition")["api"]["HealthCheck"]["Command"])
    assert re.search(r"127\.0\.0\.1:8000(/[\w/]+)", api).group(1) in api_paths()
    worker = containers("WorkerTaskDefinition")["worker"]
    port = {v["Name"]: v["Value"] for v in worker["Environment"]}["NODELOOM_WORKER_METRICS_PORT"]
    assert f"127.0.0.1:{port}/metrics" in " ".join(worker["HealthCheck"]["Command"])


def test_stop_timeouts_let_api_and_workers_drain():
    api = containers("ApiTaskDefinition")["api"]
    worker = containers("WorkerTaskDefinition")["worker"]
    grace = {v["Name"]: v["Value"] for v in worker["Environment"]}[
        "NODELOOM_SHUTDOWN_GRACE_SECONDS"
    ]
    assert worker["StopTimeout"] > float(grace)
    assert max(api["StopTimeout"], worker["StopTimeout"]) <= FARGATE_MAX_STOP_TIMEOUT


@pytest.mark.parametrize("task", ["ApiTaskDefinition", "WorkerTaskDefinition"])
def test_topics_are_created_before_the_app_starts(task):
    topics = containers(task)["kafka-topics"]
    assert topics["Essential"] is False
    assert resolve(topics["Image"]) == KAFKA_IMAGE
    script = main()["Mappings"]["Scripts"]["Kafka"]["CreateTopics"]
    assert f"for topic in {' '.join(topic_names())}; do" in script
    app = next(c for name, c in containers(task).items() if name != "kafka-topics")
    assert app["DependsOn"] == [{"ContainerName": "kafka-topics", "Condition": "SUCCESS"}]


def test_every_container_logs_to_a_log_group_of_the_stack():
    groups = set(resources("AWS::Logs::LogGroup"))
    for task in resources("AWS::ECS::TaskDefinition"):
        for container in containers(task).values():
            options = container["LogConfiguration"]["Options"]
            assert options["awslogs-group"]["Ref"] in groups


def test_both_services_scale_on_cpu():
    targets = resources("AWS::ApplicationAutoScaling::ScalableTarget")
    scaled = {target["ResourceId"]["Fn::Sub"].rsplit("${", 1)[1] for target in targets.values()}
    assert scaled == {"ApiService.Name}", "WorkerService.Name}"}
    for policy in resources("AWS::ApplicationAutoScaling::ScalingPolicy").values():
        assert policy["ScalingTargetId"]["Ref"] in targets
        tracking = policy["TargetTrackingScalingPolicyConfiguration"]
        metric = tracking["PredefinedMetricSpecification"]["PredefinedMetricType"]
        assert metric == "ECSServiceAverageCPUUtilization"
