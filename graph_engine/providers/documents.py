"""Reading text, Markdown, CSV, JSON and PDF into LangChain ``Document``s (``data.loader``).

Every document carries ``metadata["source"]`` (the file path, or ``"inline"``) and, by
format: ``row`` (CSV rows, from 1), ``pointer`` (JSON, RFC 6901) or ``page`` (PDF pages,
from 1).

Files are read only below the allowed roots: ``NODELOOM_LOADER_ROOTS`` (directories
separated by ``os.pathsep``), or the current directory when it is unset, so that a
workflow someone shares cannot read the server's files. Symlinks are resolved first.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import os
from pathlib import Path
from typing import Any, Literal

from langchain_core.documents import Document

from graph_engine.providers.errors import ConfigurationError
from graph_engine.providers.extras import require

Format = Literal["auto", "text", "markdown", "csv", "json", "pdf"]
ROOTS_ENV = "NODELOOM_LOADER_ROOTS"
INLINE = "inline"
MAX_FILE_BYTES = 50 * 1024 * 1024
_SUFFIXES = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".csv": "csv",
    ".json": "json",
    ".pdf": "pdf",
}


def detect_format(requested: Format, path: str | None) -> str:
    """``requested``, or for ``auto`` the format named by the path's suffix (else text)."""
    if requested != "auto":
        return requested
    if path is None:
        return "text"
    return _SUFFIXES.get(Path(path).suffix.lower(), "text")


def allowed_roots() -> list[Path]:
    configured = os.environ.get(ROOTS_ENV)
    entries = configured.split(os.pathsep) if configured else [os.getcwd()]
    return [Path(entry).expanduser().resolve() for entry in entries if entry]


def read_file(path: str) -> bytes:
    """The bytes of ``path``, if it lies below an allowed root (see the module docstring)."""
    roots = allowed_roots()
    candidate = Path(path).expanduser()
    if not candidate.is_absolute() and roots:
        candidate = roots[0] / candidate
    resolved = candidate.resolve()
    if not any(resolved.is_relative_to(root) for root in roots):
        raise ConfigurationError(
            f"The loader may not read {path!r}: files are read only below "
            f"{', '.join(str(root) for root in roots)} (set {ROOTS_ENV} to change this)."
        )
    if not resolved.is_file():
        raise ConfigurationError(f"No file at {path!r}.")
    if resolved.stat().st_size > MAX_FILE_BYTES:
        raise ConfigurationError(f"{path!r} is larger than {MAX_FILE_BYTES // 2**20} MiB.")
    return resolved.read_bytes()


def inline_bytes(content: str, fmt: str) -> bytes:
    """Inline content as bytes: PDF content is base64, everything else is text."""
    if fmt != "pdf":
        return content.encode("utf-8")
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError("Inline PDF content must be base64-encoded.") from None


def load(
    data: bytes,
    fmt: str,
    source: str,
    *,
    encoding: str = "utf-8",
    csv_mode: Literal["rows", "whole"] = "rows",
    json_pointer: str = "",
) -> list[Document]:
    """Parse ``data`` in format ``fmt`` into documents (see the module docstring)."""
    if fmt == "pdf":
        return _pdf(data, source)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise ConfigurationError(f"Cannot decode {source} as {encoding}: {error}") from None
    if fmt == "csv":
        return _csv(text, source, csv_mode)
    if fmt == "json":
        return _json(text, source, json_pointer)
    return [Document(page_content=text, metadata={"source": source, "format": fmt})]


def _csv(text: str, source: str, mode: str) -> list[Document]:
    if mode == "whole":
        return [Document(page_content=text, metadata={"source": source, "format": "csv"})]
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as error:
        raise ConfigurationError(f"{source} is not valid CSV: {error}") from None
    documents = []
    for number, row in enumerate(rows, start=1):
        lines = [f"{key}: {value}" for key, value in row.items() if key is not None]
        metadata = {"source": source, "format": "csv", "row": number}
        documents.append(Document(page_content="\n".join(lines), metadata=metadata))
    return documents


def _json(text: str, source: str, pointer: str) -> list[Document]:
    try:
        value = json.loads(text)
    except ValueError as error:
        raise ConfigurationError(f"{source} is not valid JSON: {error}") from None
    selected = resolve_pointer(value, pointer)
    items = enumerate(selected) if isinstance(selected, list) else [(None, selected)]
    documents = []
    for index, item in items:
        where = pointer if index is None else f"{pointer}/{index}"
        content = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
        metadata = {"source": source, "format": "json", "pointer": where}
        documents.append(Document(page_content=content, metadata=metadata))
    return documents


def resolve_pointer(value: Any, pointer: str) -> Any:
    """The part of ``value`` at JSON pointer ``pointer`` (RFC 6901; ``""`` is the whole)."""
    if pointer == "":
        return value
    if not pointer.startswith("/"):
        raise ConfigurationError(f"JSON pointer {pointer!r} must be empty or start with '/'.")
    for raw in pointer[1:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise ConfigurationError(f"JSON pointer {pointer!r} matches nothing (at {part!r}).")
    return value


def _pdf(data: bytes, source: str) -> list[Document]:
    pypdf = require("pypdf", feature="The PDF loader", package="pypdf")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except pypdf.errors.PyPdfError as error:
        raise ConfigurationError(f"{source} is not a readable PDF: {error}") from None
    return [
        Document(
            page_content=text,
            metadata={"source": source, "format": "pdf", "page": number, "pages": len(pages)},
        )
        for number, text in enumerate(pages, start=1)
    ]
