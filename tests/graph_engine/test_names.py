"""The display-name rule and the pattern the schemas state for it say the same thing."""

from __future__ import annotations

import re
import sys

import jsonschema_rs
from hypothesis import example, given
from hypothesis import strategies as st

from graph_engine.names import DISPLAY_NAME_PATTERN, WHITE_SPACE, display_name_problem

# What a client validating against the published schema uses (schemathesis does too).
_SCHEMA = jsonschema_rs.validator_for({"type": "string", "pattern": DISPLAY_NAME_PATTERN})


def test_white_space_is_exactly_what_strip_takes():
    spaces = {chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()}
    matched = {chr(code) for code in range(0x10000) if re.fullmatch(f"[{WHITE_SPACE}]", chr(code))}

    assert matched == spaces


@given(st.text(max_size=8))
@example(" name")
@example("name\u3000")
@example("a\u202eb")
@example("a\u2028b")
@example("\u0085")
@example("Café ✓")
def test_the_pattern_accepts_exactly_the_names_the_rule_accepts(name: str):
    accepted = display_name_problem(name) is None

    assert (re.fullmatch(DISPLAY_NAME_PATTERN, name) is not None) == accepted
    assert _SCHEMA.is_valid(name) == accepted
