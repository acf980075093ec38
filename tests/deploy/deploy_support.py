"""Helpers for the deployment tests: the repository's files, the app's real routes and
settings, and the offline tools (kubectl's kustomize, hadolint, cfn-lint) from the venv."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from backend.bus.messages import CHANNELS
from backend.config import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = REPO_ROOT / "deploy"
OPENAPI = REPO_ROOT / "frontend" / "src" / "api" / "openapi.json"
KAFKA_IMAGE = "apache/kafka:3.9.1"
# Stand-ins for values that live in Secrets, so a container's settings can be checked whole.
SECRET_PLACEHOLDERS = {
    "NODELOOM_DATABASE_URL": "postgresql+asyncpg://nodeloom:password@postgres:5432/nodeloom",
    "NODELOOM_SECRET_KEY": "x" * 48,
}


def tool(name: str) -> str:
    """Path of a command-line tool installed by the dev extras, or a failed test saying so."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(
            f"`{name}` is not installed: `pip install -e '.[dev]'` brings it (deploy tests "
            "need it to check the manifests offline)",
            pytrace=False,
        )
    return found


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool(args[0]), *args[1:]], capture_output=True, text=True, timeout=120, check=False
    )


@cache
def api_paths() -> frozenset[str]:
    """HTTP paths of the API, from the checked-in OpenAPI file (a backend test keeps it
    equal to the app's)."""
    return frozenset(json.loads(OPENAPI.read_text(encoding="utf-8"))["paths"])


def setting_names() -> set[str]:
    return {f"NODELOOM_{name.upper()}" for name in Settings.model_fields}


def topic_names() -> list[str]:
    return [channel.name for channel in CHANNELS]


def check_settings(environment: dict[str, str]) -> Settings:
    """Build the settings a process with ``environment`` would get (NODELOOM_* only)."""
    values = {
        name.removeprefix("NODELOOM_").lower(): value
        for name, value in environment.items()
        if name.startswith("NODELOOM_")
    }
    unknown = {name for name in environment if name.startswith("NODELOOM_")} - setting_names()
    assert not unknown, f"not Nodeloom settings: {sorted(unknown)}"
    return Settings(**values)


def load_yaml_documents(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's `${VAR}`, `${VAR:-default}` and `${VAR:?error}`, as `docker compose` does."""

    def substitute(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if env.get(name):
            return env[name]
        if operator in (":-", "-"):
            return argument
        raise AssertionError(f"${{{name}}} has no value: {argument or 'required'}")

    return _VARIABLE.sub(substitute, text.replace("$$", "\0")).replace("\0", "$")


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


class CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms: `!Ref X` becomes `{"Ref": X}`, `!Sub s`
    becomes `{"Fn::Sub": s}` and so on."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}


CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def load_cloudformation(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=CloudFormationLoader)
