"""The problem a person sees when a workflow holds secrets: which node, which param."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from backend.errors import FieldProblem, SecretsInDocument
from backend.exchange.secret_scan import SecretFinding
from graph_engine.registry import default_registry

SECRET_IN_PARAMS = "secret_in_params"


def secrets_error(
    document: Mapping[str, Any], findings: Sequence[SecretFinding], action: str
) -> SecretsInDocument:
    """``SecretsInDocument`` naming every finding's node; ``action`` is "export" or "import"."""
    nodes = document.get("nodes") or []
    problems = [
        FieldProblem(
            SECRET_IN_PARAMS,
            finding_message(nodes[finding.node_index], finding),
            pointer=finding.pointer,
            node_id=finding.node_id,
        )
        for finding in findings
    ]
    names = sorted({_node_name(nodes[finding.node_index]) for finding in findings})
    detail = (
        f"Refusing to {action}: {', '.join(names)} hold"
        f"{'s' if len(names) == 1 else ''} what looks like a secret. Put secrets in "
        "credentials and refer to them from the node instead."
    )
    return SecretsInDocument(detail, problems)


def finding_message(node: Mapping[str, Any], finding: SecretFinding) -> str:
    """E.g. "Node 'Risky prompt' (Prompt template) holds what looks like … in template."."""
    param = ".".join(str(part) for part in finding.param_path) or "params"
    return (
        f"Node {_node_name(node)} ({_type_title(node)}) holds what looks like {finding.what} "
        f"in {param}."
    )


def node_title(node: Mapping[str, Any]) -> str:
    """What the canvas calls the node: its label, else its type's title."""
    label = node.get("label")
    return label if isinstance(label, str) and label else _type_title(node)


def _node_name(node: Mapping[str, Any]) -> str:
    label = node.get("label")
    return repr(label if isinstance(label, str) and label else str(node.get("id", "?")))


def _type_title(node: Mapping[str, Any]) -> str:
    node_type = str(node.get("type", "?"))
    found = default_registry().find(node_type)
    return found.title if found is not None else node_type
