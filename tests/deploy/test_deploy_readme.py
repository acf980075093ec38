"""deploy/README.md: every link and every path it names resolves in the repository, and
what it says about Kafka over TLS and SASL is what Nodeloom's settings offer."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from deploy_support import DEPLOY, REPO_ROOT, setting_names

from backend.config import Settings

README = DEPLOY / "README.md"
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
# Backticked paths of the repository: `k8s/base`, `deploy/ecs/kafka.yaml`, `../README.md`.
_PATH = re.compile(r"`((?:\.\./|deploy/|k8s/|ecs/|compose/|scripts/|tests/)[\w./-]*)`")


def _text() -> str:
    return README.read_text(encoding="utf-8")


def _anchors(markdown: Path) -> set[str]:
    """The anchors GitHub gives the headings of ``markdown``."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", markdown.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def _section(title: str) -> str:
    return _text().split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def _in_repository(path: Path) -> bool:
    return path.resolve().is_relative_to(REPO_ROOT) and path.exists()


def test_the_readme_links_its_files():
    assert len(_LINK.findall(_text())) >= 5


@pytest.mark.parametrize("target", sorted(set(_LINK.findall(_text()))))
def test_every_link_resolves(target):
    if re.match(r"[a-z]+:", target):
        return  # an outside address: not this repository's to check
    path, _, anchor = target.partition("#")
    resolved = (README.parent / path).resolve() if path else README
    assert _in_repository(resolved), f"{target}: no {path} in the repository"
    if anchor:
        assert anchor in _anchors(resolved), f"{target}: no such heading"


@pytest.mark.parametrize("named", sorted(set(_PATH.findall(_text()))))
def test_every_named_path_exists(named):
    places = (DEPLOY / named, REPO_ROOT / named)
    assert any(map(_in_repository, places)), f"`{named}` is not in the repository"


def test_the_link_checks_notice_a_missing_file():
    with pytest.raises(AssertionError, match=re.escape("no missing.md")):
        test_every_link_resolves("missing.md")
    with pytest.raises(AssertionError, match="not in the repository"):
        test_every_named_path_exists("../../shared/DESIGN.md")
    with pytest.raises(AssertionError, match="no such heading"):
        test_every_link_resolves("../README.md#no-such-heading")


def test_every_kafka_tls_and_sasl_setting_is_described():
    security = {
        name
        for name in setting_names()
        if name.startswith(("NODELOOM_KAFKA_SSL_", "NODELOOM_KAFKA_SASL_"))
        or name == "NODELOOM_KAFKA_SECURITY_PROTOCOL"
    }
    assert security, "the settings have no Kafka TLS/SASL names: this test looks wrong"
    assert security <= set(re.findall(r"NODELOOM_\w+", _text()))


def test_ecs_notes_offer_what_the_settings_accept():
    notes = _section("AWS ECS on Fargate (CloudFormation)")
    assert "plaintext Kafka only" not in notes
    protocols = set(typing.get_args(Settings.model_fields["kafka_security_protocol"].annotation))
    mechanisms = set(typing.get_args(Settings.model_fields["kafka_sasl_mechanism"].annotation))
    # A value stands alone in backticks or after a setting's `=`.
    named_protocols = set(re.findall(r"[`=](SSL|SASL_\w+|PLAINTEXT)`", notes))
    assert {"SSL", "SASL_SSL"} <= named_protocols <= protocols
    named_mechanisms = set(re.findall(r"[`=]((?:SCRAM|PLAIN|AWS|OAUTH)[\w-]*)`", notes))
    assert "SCRAM-SHA-512" in named_mechanisms and named_mechanisms <= mechanisms
