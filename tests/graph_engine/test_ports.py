from __future__ import annotations

import pytest

from graph_engine.ports import PortType, can_connect, coerce, compatibility_table


@pytest.mark.parametrize(
    ("source", "target", "ok"),
    [
        ("text", "text", True),
        ("text", "messages", True),
        ("text", "json", True),
        ("documents", "any", True),
        ("any", "documents", True),
        ("messages", "text", False),
        ("documents", "text", False),
        ("embeddings", "retriever", False),
    ],
)
def test_compatibility(source, target, ok):
    assert can_connect(PortType(source), PortType(target)) is ok


def test_table_is_json_for_the_canvas():
    table = compatibility_table()
    assert table["text"] == ["text", "messages", "json", "any"]
    assert set(table["any"]) == {t.value for t in PortType}


def test_text_becomes_one_human_message():
    (message,) = coerce("hi", PortType.TEXT, PortType.MESSAGES)
    assert (message.type, message.content) == ("human", "hi")
    assert coerce({"a": 1}, PortType.JSON, PortType.ANY) == {"a": 1}
