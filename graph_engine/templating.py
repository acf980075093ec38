"""``{variable}`` templates shared by ``prompt.template`` and ``data.join``.

``{name}`` is a variable: an identifier in any script (``{question}``, ``{имя}``,
``{結果}``), compared in NFC form, so ``{é}`` typed either way is one variable.
``{{`` and ``}}`` are literal braces. Anything else with a brace is an error, reported
with its position, so a typo never reaches a model. No attribute access or format specs:
templates are user data.

The canvas derives a template's input ports the same way (``frontend/src/canvas/ports.ts``);
``tests/fixtures/template_cases.json`` holds the cases both are tested against.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from graph_engine.names import is_variable_name, name_key

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class TemplateError(ValueError):
    pass


def variables(template: str) -> list[str]:
    """The variables (NFC) in order of first appearance; raises ``TemplateError``."""
    found: dict[str, None] = {}
    for match in _TOKEN.finditer(template):
        name = _variable(match)
        if name is not None:
            found.setdefault(name)
    return list(found)


def render(template: str, lookup: Callable[[str], str]) -> str:
    """Fill every variable with ``lookup(name)`` (``name`` in NFC)."""

    def replace(match: re.Match[str]) -> str:
        name = _variable(match)
        return match.group(0)[0] if name is None else lookup(name)

    return _TOKEN.sub(replace, template)


def _variable(match: re.Match[str]) -> str | None:
    """The variable a token names; ``None`` for ``{{``/``}}``; raises for anything else."""
    token = match.group(0)
    if token in ("{{", "}}"):
        return None
    inner = match.group(1)
    if inner is None:
        raise TemplateError(
            f"The template has an unmatched '{token}' at position {match.start()}: write a "
            "variable as {name} and a literal brace as {{ or }}."
        )
    if not is_variable_name(inner):
        raise TemplateError(
            f"The template's {_shown(token)} at position {match.start()} is not a variable: a "
            "variable is a name of letters, digits and _ (any script) not starting with a "
            "digit; write a literal brace as {{ or }}."
        )
    return name_key(inner)


def _shown(token: str) -> str:
    """``token`` quoted on one line, at most 40 characters."""
    text = " ".join(token.split())
    return f"'{text if len(text) <= 40 else text[:39] + '…'}'"
