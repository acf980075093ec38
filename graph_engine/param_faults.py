"""One pydantic error about a node's params, in words a person reads.

Our own validators' messages (written for people) stay as they are, without pydantic's
"Value error, " prefix; pydantic's own start with the kind of value it wanted ("String
should have at least 1 character"), which the field's name replaces.
"""

from __future__ import annotations

import re
from typing import Any

_SUBJECT = re.compile(r"^(Input|String|Value|List|Tuple|Set|Dictionary|Number|Decimal)\b")
_PREFIX = re.compile(r"^(Value error|Assertion failed), ")


def param_fault(item: Any) -> str:
    """One pydantic error about a node's params, in words: our own validators' messages
    (written for people) as they are, pydantic's with the field named."""
    where = " ".join(f"#{part + 1}" if isinstance(part, int) else str(part) for part in item["loc"])
    message = _PREFIX.sub("", str(item["msg"]))
    kind = item["type"]
    if kind in ("value_error", "assertion_error"):
        return f"{where}: {message}" if len(item["loc"]) > 1 else message
    if kind == "missing":
        return f"{where} is required"
    if kind == "extra_forbidden":
        return f"{where!r} is not a setting of this node"
    if not where:
        return message
    named, count = _SUBJECT.subn(where, message, count=1)
    return named if count else f"{where}: {message}"
