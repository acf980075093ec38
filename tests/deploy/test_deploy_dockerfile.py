"""The Dockerfile: hadolint finds nothing, and the rules that matter for this image hold
(multi-stage, pinned bases, a non-root runtime without build tools, a real health route),
and .dockerignore lets in exactly what the Dockerfile copies."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath

import pytest
from deploy_support import REPO_ROOT, api_paths, check_settings, run_tool
from services.processes import free_port

DOCKERFILE = REPO_ROOT / "Dockerfile"
BUILD_TOOLS = ("apt-get", "apk ", "gcc", "build-essential", "npm ", "node ", "pip install")


@dataclass
class Stage:
    base: str
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def arguments(self, keyword: str) -> list[str]:
        return [rest for word, rest in self.instructions if word == keyword]


@cache
def stages() -> list[Stage]:
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text(encoding="utf-8"))
    build_args: dict[str, str] = {}
    found: list[Stage] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        keyword, _, rest = line.strip().partition(" ")
        keyword = keyword.upper()
        if keyword == "ARG" and not found:
            name, _, default = rest.partition("=")
            build_args[name] = default
        elif keyword == "FROM":
            image, _, name = rest.partition(" AS ")
            base = re.sub(r"\$\{(\w+)\}", lambda m: build_args[m.group(1)], image.strip())
            found.append(Stage(base=base, name=name.strip()))
        else:
            found[-1].instructions.append((keyword, rest))
    return found


def test_hadolint_finds_nothing():
    result = run_tool("hadolint", "--format", "json", str(DOCKERFILE))
    assert json.loads(result.stdout or "[]") == [], result.stdout + result.stderr
    assert result.returncode == 0


def test_hadolint_is_a_real_linter(tmp_path):
    # The check above must be able to fail: an unpinned base is a finding.
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install requests\n", encoding="utf-8")
    result = run_tool("hadolint", "--format", "json", str(bad))
    codes = {finding["code"] for finding in json.loads(result.stdout)}
    assert {"DL3007", "DL3013"} <= codes


def test_three_stages_frontend_build_and_runtime():
    assert [stage.name for stage in stages()] == ["frontend", "python-build", "runtime"]
    frontend, _build, runtime = stages()
    assert any("npm ci" in run for run in frontend.arguments("RUN"))
    assert any("npm run build" in run for run in frontend.arguments("RUN"))
    copies = runtime.arguments("COPY")
    assert any("--from=frontend" in copy and "/src/frontend/dist" in copy for copy in copies)
    assert any("--from=python-build" in copy for copy in copies)


@pytest.mark.parametrize("index", [0, 1, 2])
def test_every_base_image_is_pinned_to_a_release(index):
    base = stages()[index].base
    _image, _, tag = base.partition(":")
    assert re.match(r"\d+\.\d+\.\d+-", tag), f"{base}: pin the exact release"
    assert "latest" not in tag


def test_python_matches_the_one_the_project_is_tested_on():
    runtime_tag = stages()[2].base.partition(":")[2]
    assert stages()[1].base == stages()[2].base
    assert runtime_tag.startswith(f"{sys.version_info.major}.{sys.version_info.minor}.")
    assert "-slim" in runtime_tag


def test_image_installs_the_app_without_optional_extras():
    installs = [run for run in stages()[1].arguments("RUN") if "pip install" in run]
    assert installs == ["/opt/nodeloom/bin/pip install --no-cache-dir ."]


def test_runtime_has_no_build_tools_and_runs_as_a_user():
    runtime = stages()[2]
    for run in runtime.arguments("RUN"):
        assert not any(tool in run for tool in BUILD_TOOLS), run
    users = runtime.arguments("USER")
    assert users and users[-1].split(":")[0] not in ("0", "root")
    assert runtime.instructions[-1] == ("CMD", '["nodeloom", "serve"]')


def test_runtime_code_is_not_writable_by_the_app_user():
    for copy in stages()[2].arguments("COPY"):
        assert "--chown=root:root" in copy, copy


def test_healthcheck_asks_a_real_route_of_the_app():
    (check,) = stages()[2].arguments("HEALTHCHECK")
    path = re.search(r"http://127\.0\.0\.1:[^/]+(/[\w/]+)", check).group(1)
    assert path in api_paths()


def _healthcheck_command() -> list[str]:
    (check,) = stages()[2].arguments("HEALTHCHECK")
    return json.loads(check.partition(" CMD ")[2])


@contextmanager
def _answering(path: str) -> Iterator[int]:
    """A local HTTP server on a free port answering 200 at ``path`` and 404 elsewhere."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == path else 404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _run_healthcheck(serve_port: int, worker_port: int) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "NODELOOM_PORT": str(serve_port),
        "NODELOOM_WORKER_METRICS_PORT": str(worker_port),
    }
    return subprocess.run(
        _healthcheck_command(), env=environment, capture_output=True, text=True, timeout=30
    )


def test_healthcheck_passes_for_a_serving_api():
    with _answering("/api/v1/health") as serve_port:
        assert _run_healthcheck(serve_port, free_port()).returncode == 0


def test_healthcheck_passes_for_a_worker_answering_its_metrics():
    with _answering("/metrics") as worker_port:
        assert _run_healthcheck(free_port(), worker_port).returncode == 0


def test_healthcheck_fails_when_neither_role_answers_its_route():
    assert _run_healthcheck(free_port(), free_port()).returncode != 0
    # Something on the ports, but not Nodeloom's routes: still unhealthy.
    with _answering("/elsewhere") as serve_port, _answering("/elsewhere") as worker_port:
        assert _run_healthcheck(serve_port, worker_port).returncode != 0


def test_every_worker_from_the_image_serves_the_endpoint_the_check_asks():
    assert check_settings(_image_environment()).worker_metrics_port == 9100
    assert "${NODELOOM_WORKER_METRICS_PORT:-9100}/metrics" in _healthcheck_command()[2]


def _image_environment() -> dict[str, str]:
    environment: dict[str, str] = {}
    for value in stages()[2].arguments("ENV"):
        environment.update(re.findall(r"(\w+)=(\S+)", value))
    return environment


def test_image_environment_is_valid_settings():
    settings = check_settings(_image_environment())
    assert settings.host == "0.0.0.0" and settings.port == 8000
    assert str(settings.frontend_dir) == "/opt/nodeloom/frontend"


# .dockerignore, read the way Docker reads it: later lines win, `!` lets a path back in,
# and a matching directory covers everything under it.
def _pattern(line: str) -> re.Pattern[str]:
    parts = re.split(r"(\*\*/|\*\*|\*|\?)", line.strip().rstrip("/"))
    wildcards = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(wildcards.get(part, re.escape(part)) for part in parts))


def _in_context(path: str) -> bool:
    rules = [
        (line.startswith("!"), _pattern(line.lstrip("!")))
        for line in (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    candidates = [*[str(parent) for parent in PurePosixPath(path).parents][:-1], path]
    included = True
    for negated, pattern in rules:
        if any(pattern.fullmatch(candidate) for candidate in candidates):
            included = negated
    return included


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "README.md",
        "backend/app.py",
        "backend/db/migrations/versions/0001_workflows.py",
        "graph_engine/workflow.schema.json",
        "frontend/package-lock.json",
        "frontend/src/main.tsx",
    ],
)
def test_build_context_holds_what_the_dockerfile_copies(path):
    assert _in_context(path)


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".git/HEAD",
        ".env",
        "frontend/node_modules/react/index.js",
        "frontend/dist/index.html",
        "backend/__pycache__/app.cpython-311.pyc",
        "tests/conftest.py",
        ".test-artifacts/run.log",
        "e2e/conftest.py",
        "deploy/k8s/base/kustomization.yaml",
    ],
)
def test_build_context_leaves_out_local_and_secret_files(path):
    assert not _in_context(path)


def test_every_copied_source_exists_and_is_in_the_context():
    for stage in stages():
        for copy in stage.arguments("COPY"):
            if "--from=" in copy:
                continue
            *sources, _target = [word for word in copy.split() if not word.startswith("--")]
            for source in sources:
                assert (REPO_ROOT / source).exists(), source
                assert _in_context(source.rstrip("/")), source
