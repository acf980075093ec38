"""``data.loader`` (every format, inline and from files) and ``data.splitter``."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from engine_testkit import Flow, run_flow

from graph_engine import validate
from graph_engine.registry import default_registry


def loader_flow(**params: object) -> Flow:
    return (
        Flow()
        .node("load", "data.loader", **params)
        .node("out", "io.output", name="documents")
        .wire("load.documents", "out.value")
    )


async def load(**params: object) -> list:
    result, _ = await run_flow(loader_flow(**params))
    assert result.status == "succeeded", result.error
    return result.outputs["documents"]


def errors(flow: Flow) -> list[str]:
    return [p.message for p in validate(flow.document(), default_registry()) if p.is_error]


def pdf_bytes(pages: list[str]) -> bytes:
    """A minimal, valid PDF with one line of Helvetica text per page."""
    count = len(pages)
    font = 3 + 2 * count
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(count))
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>",
    ]
    for index, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET"
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * index} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


# --- inline content ----------------------------------------------------------------


async def test_inline_text_is_one_document():
    (document,) = await load(content="Hello, loader.")
    assert document.page_content == "Hello, loader."
    assert document.metadata == {"source": "inline", "format": "text"}


async def test_csv_gives_a_document_per_row_or_one_for_the_whole():
    content = "name,role\nAda,engineer\nGrace,admiral\n"
    rows = await load(content=content, format="csv")
    assert [d.page_content for d in rows] == [
        "name: Ada\nrole: engineer",
        "name: Grace\nrole: admiral",
    ]
    assert [d.metadata["row"] for d in rows] == [1, 2]
    (whole,) = await load(content=content, format="csv", csv_mode="whole")
    assert whole.page_content == content


async def test_json_pointer_picks_a_part_and_a_list_gives_a_document_per_item():
    content = json.dumps({"faq": [{"q": "Refunds?", "a": "30 days"}, "Plain text item"]})
    items = await load(content=content, format="json", json_pointer="/faq")
    assert [d.page_content for d in items] == [
        '{"q": "Refunds?", "a": "30 days"}',
        "Plain text item",
    ]
    assert [d.metadata["pointer"] for d in items] == ["/faq/0", "/faq/1"]
    (answer,) = await load(content=content, format="json", json_pointer="/faq/0/a")
    assert answer.page_content == "30 days"
    (whole,) = await load(content=content, format="json")
    assert json.loads(whole.page_content) == json.loads(content)


async def test_a_bad_pointer_fails_the_node_clearly():
    result, _ = await run_flow(loader_flow(content="{}", format="json", json_pointer="/nope"))
    assert result.status == "failed"
    assert "matches nothing" in result.error.message


async def test_inline_pdf_is_base64_and_gives_a_document_per_page():
    encoded = base64.b64encode(pdf_bytes(["First page text", "Second page text"])).decode()
    pages = await load(content=encoded, format="pdf")
    assert [d.page_content.strip() for d in pages] == ["First page text", "Second page text"]
    assert [d.metadata["page"] for d in pages] == [1, 2]


# --- files -------------------------------------------------------------------------


async def test_files_load_by_suffix_below_the_allowed_roots(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("NODELOOM_LOADER_ROOTS", str(tmp_path))
    (tmp_path / "notes.md").write_text("# Title\n\nBody text.")
    (tmp_path / "manual.pdf").write_bytes(pdf_bytes(["Manual page"]))
    (tmp_path / "people.csv").write_text("name\nAda\n")
    (markdown,) = await load(path=str(tmp_path / "notes.md"))
    assert markdown.metadata == {"source": str(tmp_path / "notes.md"), "format": "markdown"}
    (pdf,) = await load(path=str(tmp_path / "manual.pdf"))
    assert pdf.page_content.strip() == "Manual page" and pdf.metadata["pages"] == 1
    (row,) = await load(path="people.csv")  # relative: below the first root
    assert row.page_content == "name: Ada" and row.metadata["row"] == 1


async def test_files_outside_the_allowed_roots_are_refused(tmp_path: Path, monkeypatch):
    inside, outside = tmp_path / "inside", tmp_path / "outside.txt"
    inside.mkdir()
    outside.write_text("secret")
    (inside / "link.txt").symlink_to(outside)
    monkeypatch.setenv("NODELOOM_LOADER_ROOTS", str(inside))
    for path in (str(outside), str(inside / "../outside.txt"), str(inside / "link.txt")):
        result, _ = await run_flow(loader_flow(path=path))
        assert result.status == "failed"
        assert "may not read" in result.error.message


def test_the_loader_needs_exactly_one_source():
    assert any("exactly one" in m for m in errors(loader_flow()))
    assert any("exactly one" in m for m in errors(loader_flow(path="a.txt", content="b")))


# --- splitter ----------------------------------------------------------------------


def splitter_flow(text: str, **params: object) -> Flow:
    return (
        Flow()
        .node("load", "data.loader", content=text)
        .node("split", "data.splitter", **params)
        .node("out", "io.output", name="chunks")
        .wire("load.documents", "split.documents")
        .wire("split.documents", "out.value")
    )


async def test_splitter_makes_overlapping_chunks_that_keep_metadata():
    text = "\n\n".join(f"Paragraph {n}: " + "word " * 30 for n in range(6))
    result, _ = await run_flow(splitter_flow(text, chunk_size=120, chunk_overlap=30))
    assert result.status == "succeeded", result.error
    chunks = result.outputs["chunks"]
    assert len(chunks) > 6
    assert all(len(chunk.page_content) <= 120 for chunk in chunks)
    assert all(chunk.metadata["source"] == "inline" for chunk in chunks)
    for chunk in chunks:
        start = chunk.metadata["start_index"]
        assert text[start : start + len(chunk.page_content)] == chunk.page_content


@pytest.mark.parametrize(("size", "overlap"), [(100, 100), (100, 150)])
def test_overlap_must_be_smaller_than_the_chunk_size(size: int, overlap: int):
    flow = splitter_flow("x", chunk_size=size, chunk_overlap=overlap)
    assert any("must be smaller than chunk_size" in m for m in errors(flow))
