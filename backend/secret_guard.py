"""Refusing to store a workflow document whose node params hold something like a secret.

Every path that stores a document — create, save, import, restore, duplicate, an edit
link's save — goes through ``backend.db.workflow_store``, which asks ``refuse_secrets``
first: a key belongs in a credential, not in every version row of a workflow. The
problem names each node, param and kind of secret, with where it sits in the text (code
points), so an editor that holds the value can move it into a credential in one step;
the value itself is never repeated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backend.errors import FieldProblem, SecretInParams
from backend.exchange.problems import SECRET_IN_PARAMS, finding_message, node_title
from backend.exchange.secret_scan import SecretFinding, scan_document

STORE_AS_CREDENTIAL = "store_as_credential"


@dataclass(frozen=True, slots=True)
class SecretProblem(FieldProblem):
    """A ``FieldProblem`` for one secret: which node, which param, what kind, where."""

    node_title: str = ""
    param: str = ""  # RFC 6901 pointer inside the node's params, e.g. /template
    kind: str = ""
    provider: str | None = None  # the credential provider its shape implies, if any
    start: int = 0
    end: int = 0
    action: str = STORE_AS_CREDENTIAL

    def as_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = FieldProblem.as_dict(self)
        item |= {"node_title": self.node_title, "param": self.param, "kind": self.kind}
        if self.provider is not None:
            item["provider"] = self.provider
        return item | {"start": self.start, "end": self.end, "action": self.action}


def refuse_secrets(document: Mapping[str, Any]) -> None:
    """Raise ``SecretInParams`` if any node param of ``document`` (JSON) looks like a secret."""
    findings = scan_document(document)
    if findings:
        raise secret_in_params(document, findings)


def secret_in_params(document: Mapping[str, Any], findings: list[SecretFinding]) -> SecretInParams:
    nodes = document["nodes"]
    problems = [_problem(nodes[finding.node_index], finding) for finding in findings]
    titles = sorted({repr(problem.node_title) for problem in problems})
    holds = "holds" if len(titles) == 1 else "hold"
    detail = (
        f"Not saved: {', '.join(titles)} {holds} what looks like a secret. Store it as a "
        "credential and refer to it from the node; a workflow never keeps a key."
    )
    return SecretInParams(detail, problems)


def _problem(node: Mapping[str, Any], finding: SecretFinding) -> SecretProblem:
    return SecretProblem(
        SECRET_IN_PARAMS,
        finding_message(node, finding),
        pointer=finding.pointer,
        node_id=finding.node_id,
        node_title=node_title(node),
        param=finding.param_pointer,
        kind=finding.kind,
        provider=finding.provider,
        start=finding.start,
        end=finding.end,
    )
