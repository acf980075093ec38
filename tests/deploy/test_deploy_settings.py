"""Every NODELOOM_* name in a deployment file is a real setting, so a typo (which the
settings object would silently ignore) cannot slip into a manifest."""

from __future__ import annotations

import re

import pytest
from deploy_support import DEPLOY, REPO_ROOT, setting_names

DEPLOY_FILES = sorted(
    [
        REPO_ROOT / "Dockerfile",
        REPO_ROOT / "docker-compose.yml",
        REPO_ROOT / ".env.example",
        *(path for path in DEPLOY.rglob("*") if path.is_file()),
    ]
)
NAME = re.compile(r"\bNODELOOM_[A-Z0-9_]*[A-Z0-9]")


@pytest.mark.parametrize("path", DEPLOY_FILES, ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_every_nodeloom_variable_is_a_setting(path):
    used = set(NAME.findall(path.read_text(encoding="utf-8")))
    assert used - setting_names() == set()


def test_the_check_reads_the_files_that_configure_nodeloom():
    # Guards the test above against passing on nothing: the manifests do set settings.
    used = set().union(*(NAME.findall(path.read_text(encoding="utf-8")) for path in DEPLOY_FILES))
    assert {"NODELOOM_DATABASE_URL", "NODELOOM_KAFKA_BOOTSTRAP_SERVERS"} <= used
    assert {"NODELOOM_EMBEDDED_WORKER", "NODELOOM_SECRET_KEY"} <= used
