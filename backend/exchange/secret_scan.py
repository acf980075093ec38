"""Finding things that look like secrets in a workflow's node params.

A document must never carry a secret (DESIGN: a param that needs one holds a
``{"$credential": NAME}`` reference), but people paste keys into prompt text, base
URLs and custom fields. ``scan_document`` walks every string in every node's params
and reports each suspicious value by where it is and what kind it looks like —
never by the value itself, so a finding is safe to show, log or return.

Two kinds of rule keep false positives low: *patterns* that only real credentials
match (a provider's key prefix, a PEM header, ``user:password@`` in a URL), checked in
any string; and an *entropy* rule, checked only in params whose name says "key",
"token", "secret" or "password".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graph_engine.document import pointer

CREDENTIAL_KEY = "$credential"

# (kind, pattern) in the order they are tried; the first match names the finding.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private_key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
    ("anthropic_key", re.compile(r"\bsk-ant-[A-Za-z0-9_-]{20,}")),
    ("openai_key", re.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}")),
    ("pinecone_key", re.compile(r"\bpcsk_[A-Za-z0-9_]{20,}")),
    ("aws_access_key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("github_token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})")),
    ("slack_token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("bearer_token", re.compile(r"\bBearer\s+(?=[A-Za-z0-9._~+/-]*\d)[A-Za-z0-9._~+/-]{16,}=*")),
    # scheme://user:password@ — a password of placeholders (***, {x}, ${X}, <x>) is no secret.
    ("url_password", re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*:(?![*]+@|[{<$])[^\s/@]+@")),
)

KEY_LIKE_NAME = re.compile(
    r"(?:api[_-]?key|apikey|access[_-]?key|secret|token|password|passwd|pwd|private[_-]?key"
    r"|auth)",
    re.IGNORECASE,
)
_PASSWORD_NAME = re.compile(r"secret|password|passwd|pwd", re.IGNORECASE)
_MIN_KEY_LENGTH = 16
_MIN_PASSWORD_LENGTH = 8
_MIN_ENTROPY_BITS = 3.0  # per character: random keys score 4-6, words and ids score lower

KIND_DESCRIPTIONS = {
    "private_key": "a private key",
    "anthropic_key": "an Anthropic API key",
    "openai_key": "an OpenAI API key",
    "pinecone_key": "a Pinecone API key",
    "aws_access_key": "an AWS access key",
    "github_token": "a GitHub token",
    "slack_token": "a Slack token",
    "jwt": "a JSON Web Token",
    "bearer_token": "a bearer token",
    "url_password": "a URL with a password",
    "key_like_value": "a secret value",
}


@dataclass(frozen=True, slots=True)
class SecretFinding:
    """Where a secret-looking value is; deliberately without the value."""

    node_id: str
    node_index: int
    pointer: str  # RFC 6901, e.g. /nodes/3/params/template
    param_path: tuple[str | int, ...]  # inside params, e.g. ("template",)
    kind: str

    @property
    def what(self) -> str:
        return KIND_DESCRIPTIONS[self.kind]


def scan_document(document: Mapping[str, Any]) -> list[SecretFinding]:
    """Every secret-looking value in the params of ``document``'s nodes (a JSON object)."""
    findings = []
    nodes = document.get("nodes")
    for index, node in enumerate(nodes if isinstance(nodes, list) else []):
        if not isinstance(node, Mapping):
            continue
        node_id = str(node.get("id", f"#{index + 1}"))
        for path, text in _strings(node.get("params"), ()):
            kind = classify(text, path[-1] if path else None)
            if kind is not None:
                where = pointer("nodes", index, "params", *path)
                findings.append(SecretFinding(node_id, index, where, path, kind))
    return findings


def secret_values(document: Mapping[str, Any]) -> set[str]:
    """The secret-looking parts of ``document``'s params, to scrub from what a run shows
    (events, errors): the matched key itself, or the whole value of a key-named param."""
    values: set[str] = set()
    nodes = document.get("nodes")
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, Mapping):
            continue
        for path, text in _strings(node.get("params"), ()):
            for _kind, pattern in _PATTERNS:
                values.update(match.group(0) for match in pattern.finditer(text))
            name = path[-1] if path else None
            if isinstance(name, str) and KEY_LIKE_NAME.search(name) and _looks_random(text, name):
                values.add(text.strip())
    return values


def classify(text: str, name: str | int | None = None) -> str | None:
    """The kind of secret ``text`` looks like (held under param ``name``), or None."""
    for kind, pattern in _PATTERNS:
        if pattern.search(text):
            return kind
    if isinstance(name, str) and KEY_LIKE_NAME.search(name) and _looks_random(text, name):
        return "key_like_value"
    return None


def is_credential_ref(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {CREDENTIAL_KEY}


ParamPath = tuple[str | int, ...]


def _strings(value: Any, path: ParamPath) -> Iterator[tuple[ParamPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif is_credential_ref(value):
        return  # the reference is the safe form
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


def _looks_random(text: str, name: str) -> bool:
    value = text.strip()
    if not value or any(char.isspace() for char in value) or _is_placeholder(value):
        return False
    if _PASSWORD_NAME.search(name):
        return len(value) >= _MIN_PASSWORD_LENGTH
    return len(value) >= _MIN_KEY_LENGTH and _entropy(value) >= _MIN_ENTROPY_BITS


def _is_placeholder(value: str) -> bool:
    # "${OPENAI_API_KEY}", "{api_key}", "<your key>", "****": names of secrets, not secrets.
    return bool(re.fullmatch(r"\$?\{[^}]*\}|<[^>]*>|\*+|[A-Z][A-Z0-9_]*", value))


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
