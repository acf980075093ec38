"""Turning any supported file into the Nodeloom document an import would store.

detect the format → convert (Langflow, Flowise) → strip secrets → check the structure
→ recompute the credentials list → apply the person's credential map. Nothing here
stores anything: the preview shows the result, and the import stores it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from backend.exchange import flowise, langflow
from backend.exchange.builder import Conversion
from backend.exchange.credentials import rename_credentials, with_credentials
from backend.exchange.detect import SourceFormat, detect_format
from backend.exchange.import_secrets import strip_secrets
from graph_engine.document import WorkflowDocument, parse_document, value_problems
from graph_engine.errors import DocumentError

_CONVERTERS: dict[str, Callable[[Mapping[str, Any]], Conversion]] = {
    "langflow": langflow.convert,
    "flowise": flowise.convert,
}


@dataclass(frozen=True, slots=True)
class NeededCredential:
    name: str
    provider: str
    mapped_to: str | None


@dataclass(frozen=True, slots=True)
class PreparedImport:
    source_format: SourceFormat
    document: WorkflowDocument  # with the credential map applied
    credentials_needed: list[NeededCredential]
    notes: list[str]


def prepare_import(source: Any, credential_map: Mapping[str, str]) -> PreparedImport:
    """The document importing ``source`` would create; raises a 4xx error if there is none."""
    source_format = detect_format(source)
    if source_format == "nodeloom":
        raw, notes = source, []
    else:
        conversion = _CONVERTERS[source_format](source)
        raw, notes = conversion.document, list(conversion.notes)
    unstorable = value_problems(raw)
    if unstorable:
        raise DocumentError(unstorable)
    raw, secret_notes = strip_secrets(raw)
    document = with_credentials(parse_document(raw))
    needed = [
        NeededCredential(item.name, item.provider, credential_map.get(item.name))
        for item in document.credentials
    ]
    mapping = {item.name: item.mapped_to for item in needed if item.mapped_to}
    return PreparedImport(
        source_format, rename_credentials(document, mapping), needed, notes + secret_notes
    )
