"""The ``offset`` query parameter of every list the API pages through."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

# Far beyond any real list; keeps the value within a database integer.
MAX_OFFSET = 10**9

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]
