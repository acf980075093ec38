"""Names people give things: workflow names, node titles, input and output names, template
variables. Any script is welcome (``имя``, ``結果``, ``données_clés``); what a person could
not see or type is not.

- A *display name* (a workflow's name, a node's title) is any text that is not empty,
  does not start or end with white space, and holds no control character (line breaks,
  tabs, NUL…), line or paragraph separator, or bidirectional override (text that would
  show differently from what it is).
- An *input or output name* is a display name made of letters, marks and digits in any
  script, spaces, ``_`` and ``-``.
- A *template variable* is an identifier in any script (``{имя}``, ``{結果}``).

Two names that differ only in their Unicode composition (``é`` as one character or as
``e`` + a combining accent) look the same, so they are the same name: ``name_key`` (NFC)
is what uniqueness and lookups compare. The name itself is kept as written.
"""

from __future__ import annotations

import unicodedata

MAX_PORT_NAME_LENGTH = 100

# Bidirectional embeddings, overrides and isolates: they reorder how text is shown.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_PORT_NAME_PUNCTUATION = frozenset("_- ")

# The display-name rule as a JSON Schema pattern, for the schemas to state it: no hidden
# character (Cc, Zl, Zp, the controls above) anywhere, no white space at either end.
# Lone surrogates (Cs) are left out: JSON text cannot carry one as a character.
_HIDDEN = r"\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069"
WHITE_SPACE = (  # what str.isspace (and so str.strip) takes for white space, as a class
    r"\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
DISPLAY_NAME_PATTERN = f"^[^{_HIDDEN}{WHITE_SPACE}](?:[^{_HIDDEN}]*[^{_HIDDEN}{WHITE_SPACE}])?$"


def name_key(name: str) -> str:
    """The form names are compared in: NFC, so composed and decomposed accents are equal."""
    return unicodedata.normalize("NFC", name)


def search_key(text: str) -> str:
    """The form names are searched and sorted in: NFC and case-folded, so "Café", "café"
    and "cafe" + a combining accent find each other."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def display_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a workflow name or node title, or ``None`` when it can."""
    if not name:
        return "is empty"
    if name != name.strip():
        return "starts or ends with a space"
    for character in name:
        if unicodedata.category(character) in _INVISIBLE_CATEGORIES:
            return f"holds a control character ({_codepoint(character)})"
        if character in _BIDI_CONTROLS:
            return f"holds a text-direction control ({_codepoint(character)})"
    return None


def port_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a workflow input or output, or ``None`` when it can."""
    if reason := display_name_problem(name):
        return reason
    if len(name) > MAX_PORT_NAME_LENGTH:
        return f"is longer than {MAX_PORT_NAME_LENGTH} characters"
    for character in name:
        if character not in _PORT_NAME_PUNCTUATION and unicodedata.category(character)[0] not in (
            "L",
            "M",
            "N",
        ):
            return f"holds {character!r}; use letters and digits (any script), spaces, _ and -"
    return None


def is_variable_name(name: str) -> bool:
    """Whether ``name`` can be a template variable: an identifier in any script."""
    return name_key(name).isidentifier()


def _codepoint(character: str) -> str:
    return f"U+{ord(character):04X}"
