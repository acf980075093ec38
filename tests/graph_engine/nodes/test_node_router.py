from __future__ import annotations

import pytest
from engine_testkit import Flow, run_flow

from graph_engine import validate
from graph_engine.nodes.logic import Router

RULES = [
    {"route": "refund", "kind": "contains", "value": "refund", "case_sensitive": False},
    {"route": "order", "kind": "regex", "value": r"#\d+"},
    {"route": "greeting", "kind": "equals", "value": "hello"},
    {"route": "vip", "kind": "json_field_equals", "field": "user.tier", "value": "gold"},
]


def routed(rules=RULES, **params) -> Flow:
    flow = Flow().node("q", "io.input", name="q").node("r", "logic.router", rules=rules, **params)
    flow.wire("q.value", "r.value")
    for route in [*dict.fromkeys(rule["route"] for rule in rules), "default"]:
        flow.node(f"after_{route}", "test.sleep")
        flow.node(f"out_{route}", "io.output", name=route)
        flow.wire(f"r.{route}", f"after_{route}.text").wire(f"after_{route}", f"out_{route}")
    return flow


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("I want a REFUND", "refund"),
        ("where is #123", "order"),
        ("hello", "greeting"),
        ('{"user": {"tier": "gold"}}', "vip"),
        ("something else", "default"),
    ],
)
async def test_one_route_is_taken_and_the_rest_skipped(text, route):
    result, sink = await run_flow(routed(), {"q": text})
    assert result.status == "succeeded"
    assert result.outputs == {route: text}
    skipped = {event.node_id for event in sink.of("node.skipped")}
    others = {"refund", "order", "greeting", "vip", "default"} - {route}
    assert skipped == {f"{kind}_{name}" for name in others for kind in ("after", "out")}
    assert not sink.of("node.started", f"after_{next(iter(others))}")
    assert sink.of("node.succeeded", "r")[0].data.outputs == {route: text}


async def test_all_mode_takes_every_matching_route():
    result, _ = await run_flow(routed(mode="all"), {"q": "refund for #9"})
    assert result.outputs == {"refund": "refund for #9", "order": "refund for #9"}


async def test_a_join_after_a_router_runs_with_the_live_branch():
    flow = (
        Flow()
        .node("q", "io.input", name="q")
        .node("r", "logic.router", rules=[{"route": "yes", "kind": "equals", "value": "y"}])
        .node("c", "test.collect")
        .node("o", "io.output", name="o")
        .wire("q", "r")
        .wire("r.yes", "c.items")
        .wire("r.default", "c.items")
        .wire("c", "o")
    )
    result, sink = await run_flow(flow, {"q": "n"})
    assert result.outputs == {"o": ["n"]}
    assert not sink.of("node.skipped")


def test_router_ports_follow_rules():
    params = Router.Params(rules=RULES, default_route="other")
    names = [port.name for port in Router.output_ports(params)]
    assert names == ["refund", "order", "greeting", "vip", "other"]


@pytest.mark.parametrize(
    "rule",
    [
        {"route": "a", "kind": "regex", "value": "("},
        {"route": "a", "kind": "json_field_equals", "value": 1},
        {"route": "a", "kind": "contains", "value": 3},
        {"route": "default", "kind": "equals", "value": "x"},
        {"route": "bad name", "kind": "equals", "value": "x"},
    ],
)
def test_bad_rules_are_params_problems(rule):
    flow = Flow().node("r", "logic.router", rules=[rule])
    assert any(p.code == "invalid_params" for p in validate(flow.document()))
