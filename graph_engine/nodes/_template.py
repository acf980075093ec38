"""``{variable}`` templates shared by ``prompt.template`` and ``data.join``.

``{name}`` is a variable (a Python identifier); ``{{`` and ``}}`` are literal braces.
Anything else with a brace is an error, reported with its position, so a typo never
reaches a model. No attribute access or format specs: templates are user data.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}|[{}]")


class TemplateError(ValueError):
    pass


def variables(template: str) -> list[str]:
    """The variables in order of first appearance; raises ``TemplateError``."""
    found: dict[str, None] = {}
    for match in _TOKEN.finditer(template):
        _check(match)
        if match.group(1):
            found.setdefault(match.group(1))
    return list(found)


def render(template: str, lookup: Callable[[str], str]) -> str:
    """Fill every variable with ``lookup(name)``."""

    def replace(match: re.Match[str]) -> str:
        _check(match)
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        return lookup(match.group(1))

    return _TOKEN.sub(replace, template)


def _check(match: re.Match[str]) -> None:
    if match.group(0) in ("{", "}"):
        raise TemplateError(
            f"Unmatched {match.group(0)!r} at position {match.start()}: write a variable as "
            "{name} and a literal brace as {{ or }}."
        )
