from __future__ import annotations

from engine_testkit import TEST_REGISTRY, Flow, run_flow

from graph_engine import validate


async def test_text_node_emits_its_text():
    flow = Flow().node("t", "data.text", text="hello").node("o", "io.output", name="o")
    result, sink = await run_flow(flow.wire("t.text", "o.value"))
    assert result.outputs == {"o": "hello"}
    assert sink.of("node.succeeded", "t")[0].data.outputs == {"text": "hello"}


async def test_join_renders_documents_with_template_and_separator():
    flow = (
        Flow()
        .node("d1", "test.docs", texts=["a", "b"])
        .node("d2", "test.docs", texts=["c"])
        .node("j", "data.join", template="[{n}] {page_content} {missing}", separator=" | ")
        .node("o", "io.output", name="o")
        .wire("d1.documents", "j.documents")
        .wire("d2.documents", "j.documents")
        .wire("j.text", "o.value")
    )
    result, _ = await run_flow(flow)
    assert result.outputs == {"o": "[0] a  | [1] b  | [0] c "}


async def test_join_defaults_and_document_preview():
    flow = (
        Flow()
        .node("d", "test.docs", texts=["one", "two"])
        .node("j", "data.join")
        .node("o", "io.output", name="o")
        .wire("d", "j")
        .wire("j", "o")
    )
    result, sink = await run_flow(flow)
    assert result.outputs == {"o": "one\n\ntwo"}
    (docs,) = sink.of("node.succeeded", "d")
    assert docs.data.outputs["documents"][0] == {"page_content": "one", "metadata": {"n": 0}}


def test_join_template_errors_are_params_problems():
    flow = (
        Flow()
        .node("d", "test.docs")
        .node("j", "data.join", template="{page_content")
        .wire("d", "j")
    )
    problems = validate(flow.document(), TEST_REGISTRY)
    assert [p.pointer for p in problems if p.code == "invalid_params"] == [
        "/nodes/1/params/template"
    ]
