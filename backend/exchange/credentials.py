"""The ``credentials`` list of a document, computed from its ``$credential`` references.

A document lists the credentials an importer must supply (DESIGN, "The workflow
document"). That list is derived, never trusted: it is recomputed from the references
in the nodes' params on export and import, so it cannot drift from what the nodes use.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from backend.exchange.secret_scan import CREDENTIAL_KEY, is_credential_ref
from graph_engine.document import CredentialRequirement, WorkflowDocument, pointer

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


@dataclass(frozen=True, slots=True)
class CredentialUse:
    """One node's reference to a credential, with the provider the node calls."""

    name: str
    provider: str
    node_id: str
    node_title: str
    pointer: str  # RFC 6901, to the reference

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.provider)


def credential_uses(document: WorkflowDocument) -> list[CredentialUse]:
    """Every credential reference in the document's params, node by node."""
    return [
        CredentialUse(
            name,
            provider_of(node.type, node.params),
            node.id,
            node.label or node.type,
            pointer("nodes", index, "params", *path),
        )
        for index, node in enumerate(document.nodes)
        for path, name in _located_references(node.params, ())
    ]


def _located_references(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if is_credential_ref(value):
        name = value[CREDENTIAL_KEY]
        if isinstance(name, str) and name:
            yield path, name
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _located_references(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _located_references(item, (*path, index))


def references(value: Any) -> Iterator[str]:
    """Every credential name referenced in ``value`` (params), depth first."""
    for _path, name in _located_references(value, ()):
        yield name


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
