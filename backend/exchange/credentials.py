"""The ``credentials`` list of a document, computed from its ``$credential`` references.

A document lists the credentials an importer must supply (DESIGN, "The workflow
document"). That list is derived, never trusted: it is recomputed from the references
in the nodes' params on export and import, so it cannot drift from what the nodes use.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from backend.exchange.secret_scan import CREDENTIAL_KEY, is_credential_ref
from graph_engine.document import CredentialRequirement, WorkflowDocument

# A store's credential is named after the service holding the secret.
_STORE_PROVIDERS = {"pinecone": "pinecone", "pgvector": "postgres"}


def required_credentials(document: WorkflowDocument) -> list[CredentialRequirement]:
    """One requirement per referenced name, in order of first use."""
    found: dict[str, CredentialRequirement] = {}
    for node in document.nodes:
        for name in references(node.params):
            provider = provider_of(node.type, node.params)
            found.setdefault(name, CredentialRequirement(name=name, provider=provider))
    return list(found.values())


def with_credentials(document: WorkflowDocument) -> WorkflowDocument:
    """``document`` with its ``credentials`` list recomputed from the references."""
    return document.model_copy(update={"credentials": required_credentials(document)})


def rename_credentials(document: WorkflowDocument, mapping: Mapping[str, str]) -> WorkflowDocument:
    """``document`` with references renamed by ``mapping`` (others kept) and the list redone."""
    nodes = [
        node.model_copy(update={"params": _renamed(node.params, mapping)})
        for node in document.nodes
    ]
    return with_credentials(document.model_copy(update={"nodes": nodes}))


def references(value: Any) -> Iterator[str]:
    """Every credential name referenced in ``value`` (params), depth first."""
    if is_credential_ref(value):
        name = value[CREDENTIAL_KEY]
        if isinstance(name, str) and name:
            yield name
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def provider_of(node_type: str, params: Mapping[str, Any]) -> str:
    """The provider a node's credential belongs to: its ``provider``, store or type."""
    provider = params.get("provider")
    if isinstance(provider, str) and provider:
        return provider
    store = params.get("store")
    if isinstance(store, str) and store in _STORE_PROVIDERS:
        return _STORE_PROVIDERS[store]
    return node_type


def _renamed(value: Any, mapping: Mapping[str, str]) -> Any:
    if is_credential_ref(value):
        name = value[CREDENTIAL_KEY]
        return {CREDENTIAL_KEY: mapping.get(name, name) if isinstance(name, str) else name}
    if isinstance(value, dict):
        return {key: _renamed(item, mapping) for key, item in value.items()}
    if isinstance(value, list):
        return [_renamed(item, mapping) for item in value]
    return value
