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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graph_engine.document import pointer

CREDENTIAL_KEY = "$credential"

# A key's "body" (what follows its prefix) made of one repeated character, or of words
# joined by dashes, is a placeholder ("sk-proj-xxxx", "sk-your-key-here"), not a key.
_MIN_DISTINCT_IN_BODY = 6
_MIXED_SEGMENT = re.compile(r"(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{8,}")


def _varied(body: str) -> bool:
    return len(set(body)) >= _MIN_DISTINCT_IN_BODY


def _random_key_body(body: str) -> bool:
    # Real sk- keys are random: somewhere 8+ characters mix letters and digits.
    segments = re.split(r"[-_]", body)
    return _varied(body) and any(_MIXED_SEGMENT.fullmatch(part) for part in segments)


@dataclass(frozen=True, slots=True)
class _Shape:
    """What one kind of secret looks like: a pattern, and a test of its ``body`` group."""

    kind: str
    pattern: re.Pattern[str]
    looks_real: Callable[[str], bool] = _varied


# In order of precedence: where two shapes overlap (an Anthropic key also looks like an
# OpenAI one; a JWT follows "Bearer"), the first one listed names the finding.
_SHAPES: tuple[_Shape, ...] = (
    _Shape("private_key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
    _Shape(
        "anthropic_key",
        re.compile(r"\bsk-ant-(?P<body>[A-Za-z0-9_-]{16,})"),
        _random_key_body,
    ),
    _Shape(
        "openai_key",
        re.compile(
            r"\bsk-(?=[A-Za-z0-9_-]{16})(?:(?:proj|svcacct|admin)-)?(?P<body>[A-Za-z0-9_-]+)"
        ),
        _random_key_body,
    ),
    _Shape("pinecone_key", re.compile(r"\bpcsk_(?P<body>[A-Za-z0-9_]{20,})")),
    _Shape("aws_access_key", re.compile(r"\b(?:AKIA|ASIA)(?P<body>[0-9A-Z]{16})\b")),
    _Shape("google_api_key", re.compile(r"\bAIza(?P<body>[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])")),
    _Shape(
        "github_token",
        re.compile(r"\b(?:gh[pousr]_|github_pat_)(?P<body>[A-Za-z0-9_]{30,})"),
    ),
    _Shape("slack_token", re.compile(r"\bxox[abeprs]-\d+-(?P<body>[A-Za-z0-9-]{8,})")),
    _Shape(
        "jwt",
        re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.(?P<body>[A-Za-z0-9_-]{8,})"),
    ),
    _Shape(
        "bearer_token",
        re.compile(r"\bBearer\s+(?=[A-Za-z0-9._~+/-]*\d)(?P<body>[A-Za-z0-9._~+/-]{16,}=*)"),
    ),
    # scheme://user:password@host… (the whole URL, the secret being what it opens); a
    # password of placeholders (***, {x}, ${X}, <x>) is no secret.
    _Shape(
        "url_password",
        re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*:(?![*]+@|[{<$])[^\s/@]+@[^\s\"'<>]*"),
    ),
)

KEY_LIKE_NAME = re.compile(
    r"(?:api[_-]?key|apikey|access[_-]?key|secret|token|password|passwd|pwd|private[_-]?key"
    r"|auth(?:ori[sz]ation)?(?![a-z]))",  # "auth", "Authorization", "auth_token"; not "author"
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
    "google_api_key": "a Google API key",
    "github_token": "a GitHub token",
    "slack_token": "a Slack token",
    "jwt": "a JSON Web Token",
    "bearer_token": "a bearer token",
    "url_password": "a URL with a password",
    "key_like_value": "a secret value",
}

# The credential provider (backend.credentials.providers) a kind of secret belongs to;
# kinds not listed cannot be guessed from their shape.
_PROVIDER_OF_KIND = {
    "anthropic_key": "anthropic",
    "openai_key": "openai",
    "pinecone_key": "pinecone",
}
_POSTGRES_URL = re.compile(r"postgres(?:ql)?(?:\+asyncpg)?://", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SecretMatch:
    """One secret-looking part of a string: ``text[start:end]`` (code points)."""

    kind: str
    start: int
    end: int
    provider: str | None  # the credential provider it would be stored under, if evident


@dataclass(frozen=True, slots=True)
class SecretFinding:
    """Where a secret-looking value is; deliberately without the value."""

    node_id: str
    node_index: int
    pointer: str  # RFC 6901, e.g. /nodes/3/params/template
    param_path: tuple[str | int, ...]  # inside params, e.g. ("template",)
    kind: str
    start: int = 0  # where in the string it is, in code points
    end: int = 0
    provider: str | None = None

    @property
    def what(self) -> str:
        return KIND_DESCRIPTIONS[self.kind]

    @property
    def param_pointer(self) -> str:
        """Where it is inside the node's params, e.g. ``/headers/Authorization``."""
        return pointer(*self.param_path)


def scan_document(document: Mapping[str, Any]) -> list[SecretFinding]:
    """Every secret-looking value in the params of ``document``'s nodes (a JSON object):
    one finding per secret, in the order they appear."""
    findings = []
    nodes = document.get("nodes")
    for index, node in enumerate(nodes if isinstance(nodes, list) else []):
        if not isinstance(node, Mapping):
            continue
        node_id = str(node.get("id", f"#{index + 1}"))
        for path, text in _strings(node.get("params"), ()):
            where = pointer("nodes", index, "params", *path)
            for match in find_secrets(text, path[-1] if path else None):
                findings.append(
                    SecretFinding(
                        node_id, index, where, path, match.kind,
                        match.start, match.end, match.provider,
                    )
                )  # fmt: skip
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
            for match in find_secrets(text, path[-1] if path else None):
                values.add(text[match.start : match.end])
    return values


def classify(text: str, name: str | int | None = None) -> str | None:
    """The kind of the first secret ``text`` holds (held under param ``name``), or None."""
    found = find_secrets(text, name)
    return found[0].kind if found else None


def find_secrets(text: str, name: str | int | None = None) -> list[SecretMatch]:
    """The secrets in ``text`` (the value of param ``name``), in order, none overlapping."""
    taken: list[SecretMatch] = []
    for shape in _SHAPES:
        for found in shape.pattern.finditer(text):
            body = found.groupdict().get("body")
            if body is not None and not shape.looks_real(body):
                continue
            start, end = found.span()
            if any(start < other.end and other.start < end for other in taken):
                continue
            taken.append(SecretMatch(shape.kind, start, end, _provider(shape.kind, found[0])))
    named_like_a_key = isinstance(name, str) and KEY_LIKE_NAME.search(name)
    if not taken and named_like_a_key and _looks_random(text, name):
        start = len(text) - len(text.lstrip())
        taken.append(SecretMatch("key_like_value", start, len(text.rstrip()), None))
    return sorted(taken, key=lambda match: match.start)


def _provider(kind: str, secret: str) -> str | None:
    if kind == "url_password":
        return "postgres" if _POSTGRES_URL.match(secret) else None
    return _PROVIDER_OF_KIND.get(kind)


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
