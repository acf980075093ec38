"""Taking secrets out of a document once they are kept in credentials.

Each secret the scan found (``SecretFinding``) that now lives in a credential leaves the
document in one of two ways:

- in a credential param (``credential``, declared as ``CredentialRef``), the value is
  replaced by ``{"$credential": NAME}``;
- anywhere else (a prompt, a URL) it is cut out of the text, and a credential param of
  the same node that is still empty and is for the same provider gets the reference, so
  a chat node whose key was pasted into its prompt ends up using it properly.

The canvas does the same in the browser (``frontend/src/canvas/secretMoves.ts``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from backend.exchange.credentials import provider_of
from backend.exchange.secret_scan import CREDENTIAL_KEY, SecretFinding
from graph_engine.registry import default_registry

_CREDENTIAL_MARK = "x-nodeloom-credential"


@dataclass(frozen=True, slots=True)
class Move:
    """Where one secret goes: the credential called ``credential``, for ``provider``."""

    finding: SecretFinding
    credential: str
    provider: str


def remove_secrets(document: Mapping[str, Any], moves: Sequence[Move]) -> dict[str, Any]:
    """A copy of ``document`` (JSON) without the secrets of ``moves``, referring to their
    credentials instead. Cuts are made from the end of each string, so the spans the scan
    gave stay right however many secrets one string holds."""
    result = copy.deepcopy(dict(document))
    ordered = sorted(moves, key=lambda move: (move.finding.pointer, -move.finding.start))
    for move in ordered:
        node = result["nodes"][move.finding.node_index]
        params = node["params"]
        reference = {CREDENTIAL_KEY: move.credential}
        path = move.finding.param_path
        if len(path) == 1 and path[0] in credential_params(str(node.get("type"))):
            params[path[0]] = reference
            continue
        _cut(params, path, move.finding.start, move.finding.end)
        empty = _empty_credential_param(node)
        if empty is not None and provider_of(str(node.get("type")), params) == move.provider:
            params[empty] = reference
    return result


@cache
def credential_params(node_type: str) -> frozenset[str]:
    """The params of ``node_type`` that hold a ``{"$credential": NAME}`` reference."""
    found = default_registry().find(node_type)
    if found is None:
        return frozenset()
    schema = found.Params.model_json_schema()
    definitions = schema.get("$defs", {})

    def marked(item: Mapping[str, Any]) -> bool:
        if item.get(_CREDENTIAL_MARK):
            return True
        target = str(item.get("$ref", "")).removeprefix("#/$defs/")
        if target and definitions.get(target, {}).get(_CREDENTIAL_MARK):
            return True
        return any(marked(option) for option in item.get("anyOf", ()))

    return frozenset(name for name, item in schema.get("properties", {}).items() if marked(item))


def _cut(params: dict[str, Any], path: tuple[str | int, ...], start: int, end: int) -> None:
    *parents, last = path
    holder: Any = params
    for key in parents:
        holder = holder[key]
    text = holder[last]
    holder[last] = text[:start] + text[end:]


def _empty_credential_param(node: Mapping[str, Any]) -> str | None:
    params = node["params"]
    for name in sorted(credential_params(str(node.get("type")))):
        if params.get(name) in (None, ""):
            return name
    return None
