"""Keeping plaintext keys out of an imported document.

An imported file may hold keys (Langflow's "Save with my API keys", a hand-edited
document). A key in a param whose name says so (``api_key``, ``credential``…) is
replaced by a ``$credential`` reference the person maps to one of their own; a
secret anywhere else (a prompt, a URL) cannot be cut out safely, so the import is
refused with the place to fix.
"""

from __future__ import annotations

import copy
from typing import Any

from backend.exchange.credentials import provider_of
from backend.exchange.problems import secrets_error
from backend.exchange.secret_scan import CREDENTIAL_KEY, KEY_LIKE_NAME, scan_document

_CREDENTIAL_PARAM = "credential"


def strip_secrets(document: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy of ``document`` without secrets, and notes on what was replaced.

    Raises ``SecretsInDocument`` when a secret sits where it cannot be replaced.
    """
    findings = scan_document(document)
    if not findings:
        return document, []
    document = copy.deepcopy(document)
    refused, notes = [], []
    for finding in findings:
        name = finding.param_path[0] if len(finding.param_path) == 1 else None
        if not isinstance(name, str) or not _holds_a_key(name):
            refused.append(finding)
            continue
        node = document["nodes"][finding.node_index]
        provider = provider_of(str(node.get("type", "")), node["params"])
        node["params"][name] = {CREDENTIAL_KEY: provider}
        notes.append(
            f"Node {finding.node_id!r}: {finding.what} in {name} was not imported; it now "
            f"refers to the credential {provider!r}."
        )
    if refused:
        raise secrets_error(document, refused, "import")
    return document, notes


def _holds_a_key(name: str) -> bool:
    return name == _CREDENTIAL_PARAM or bool(KEY_LIKE_NAME.search(name))
