from __future__ import annotations

from graph_engine.events import (
    ErrorInfo,
    NodeFailed,
    NodeFailedData,
    events_json_schema,
    now,
    parse_event,
    queued_event,
)


def test_events_round_trip_through_json_by_type():
    event = NodeFailed(
        run_id="r",
        seq=3,
        ts=now(),
        node_id="n",
        data=NodeFailedData(error=ErrorInfo(type="X", message="m"), duration_ms=1.5),
    )
    back = parse_event(event.model_dump_json())
    assert back == event and isinstance(back, NodeFailed)
    assert set(event.model_dump()) == {
        "type",
        "run_id",
        "workflow_id",
        "seq",
        "ts",
        "node_id",
        "data",
    }


def test_queued_event_is_seq_zero():
    event = queued_event("r", "w")
    assert (event.type, event.seq, event.workflow_id) == ("run.queued", 0, "w")


def test_json_schema_is_one_union_discriminated_by_type():
    schema = events_json_schema()
    assert schema["title"] == "RunEvent"
    mapping = schema["discriminator"]["mapping"]
    assert set(mapping) == {
        "run.queued",
        "run.started",
        "node.started",
        "node.token",
        "node.succeeded",
        "node.failed",
        "node.skipped",
        "node.cached",
        "run.succeeded",
        "run.failed",
        "run.cancelled",
    }
    started = schema["$defs"]["NodeStarted"]
    assert set(started["required"]) >= {"type", "run_id", "seq", "ts", "node_id", "data"}
