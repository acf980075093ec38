"""The run API on the embedded default (in-process bus, worker inside the API process),
on SQLite and PostgreSQL: start, read, list, cancel, events, and refusals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from api_support import API, assert_problem, document, make_settings, node
from fakes.openai_server import fake_openai
from run_support import (
    LiveServer,
    assert_in_order,
    chain,
    create_workflow,
    greeting,
    link,
    live_server,
    read_socket,
    recorded_events,
    slow_chat,
    start_run,
    wait_for_run,
)

from backend.db import event_store, run_store


@pytest.fixture
async def server(database_url: str, tmp_path: Path) -> AsyncIterator[LiveServer]:
    async with live_server(make_settings(tmp_path, database_url)) as running:
        yield running


@pytest.fixture(scope="module")
def openai_url() -> Iterator[str]:
    with fake_openai() as url:
        yield url


async def start_greeting(client: httpx.AsyncClient, query: str = "") -> tuple[str, httpx.Response]:
    """Save the greeting workflow and start a run of it for Ada: its id and the answer."""
    workflow_id = await create_workflow(client, greeting())
    response = await client.post(
        f"{API}/workflows/{workflow_id}/runs{query}", json={"inputs": {"name": "Ada"}}
    )
    return workflow_id, response


async def test_a_run_goes_from_queued_to_succeeded_and_every_event_is_recorded(
    server: LiveServer,
):
    async with server.client() as client:
        _, response = await start_greeting(client)
        assert response.status_code == 202, response.text
        queued = response.json()
        assert queued["status"] == "queued"
        assert response.headers["Location"] == f"{API}/runs/{queued['id']}"

        run = await wait_for_run(client, queued["id"])
        events = await recorded_events(client, queued["id"])

    assert run["status"] == "succeeded", run
    assert run["outputs"] == {"greeting": "Hello, Ada!"}
    assert run["inputs"] == {"name": "Ada"}
    assert run["workflow_version"] == 2
    assert {node_id: state["status"] for node_id, state in run["nodes"].items()} == {
        "q": "succeeded",
        "tpl": "succeeded",
        "out": "succeeded",
    }
    assert run["nodes"]["tpl"]["preview"] == {"prompt": "Hello, Ada!"}
    assert run["started_at"] and run["finished_at"] and run["duration_ms"] is not None
    assert run["last_seq"] == events[-1]["seq"]
    assert_in_order(events)
    assert events[0]["type"] == "run.queued" and events[-1]["type"] == "run.succeeded"
    assert [e["node_id"] for e in events if e["type"] == "node.succeeded"] == ["q", "tpl", "out"]


async def test_an_older_version_runs_when_asked_for(server: LiveServer):
    async with server.client() as client:
        workflow_id = await create_workflow(client, greeting())
        saved = await client.put(
            f"{API}/workflows/{workflow_id}", json=chain(4), headers={"If-Match": "2"}
        )
        assert saved.status_code == 200, saved.text
        response = await client.post(
            f"{API}/workflows/{workflow_id}/runs",
            params={"version": 2},
            json={"inputs": {"name": "Bo"}},
        )
        assert response.status_code == 202, response.text
        run = await wait_for_run(client, response.json()["id"])
    assert run["workflow_version"] == 2
    assert run["status"] == "succeeded" and run["outputs"] == {"greeting": "Hello, Bo!"}


async def test_missing_and_unknown_inputs_are_refused_by_name(server: LiveServer):
    async with server.client() as client:
        workflow_id = await create_workflow(client, greeting())
        missing = await client.post(f"{API}/workflows/{workflow_id}/runs", json={"inputs": {}})
        extra = await client.post(
            f"{API}/workflows/{workflow_id}/runs",
            json={"inputs": {"name": "Ada", "colour": "red"}},
        )
        not_text = await client.post(
            f"{API}/workflows/{workflow_id}/runs", json={"inputs": {"name": 3}}
        )
        listed = await client.get(f"{API}/workflows/{workflow_id}/runs")

    body = assert_problem(missing, 422, "invalid_input")
    assert "'name'" in body["detail"]
    assert body["errors"][0]["code"] == "missing_input"
    body = assert_problem(extra, 422, "invalid_input")
    assert "'colour'" in body["detail"]
    assert body["errors"] == [
        {
            "code": "unknown_input",
            "message": "The workflow has no input 'colour'; its inputs are: 'name'.",
            "pointer": "/inputs/colour",
        }
    ]
    assert_problem(not_text, 422, "invalid_input")
    assert listed.json()["total"] == 0  # nothing was queued


async def test_a_workflow_with_a_cycle_is_refused_with_its_problems(server: LiveServer):
    looped = document(
        "Loop",
        [
            node("a", "prompt.template", template="{x}"),
            node("b", "prompt.template", template="{x}"),
        ],
        [
            {
                "id": "e1",
                "source": "a",
                "sourceHandle": "prompt",
                "target": "b",
                "targetHandle": "x",
            },
            {
                "id": "e2",
                "source": "b",
                "sourceHandle": "prompt",
                "target": "a",
                "targetHandle": "x",
            },
        ],
    )
    async with server.client() as client:
        workflow_id = await create_workflow(client, looped)
        response = await client.post(f"{API}/workflows/{workflow_id}/runs")
    body = assert_problem(response, 422, "workflow_not_runnable")
    assert "cycle" in {problem["code"] for problem in body["errors"]}


async def test_a_workflow_with_nothing_but_notes_is_refused_and_never_queued(
    server: LiveServer,
):
    notes_only = document("Notes", [node("n", "ui.note", text="todo")], [])
    async with server.client() as client:
        workflow_id = await create_workflow(client, notes_only)
        response = await client.post(f"{API}/workflows/{workflow_id}/runs?wait=5")
        listed = await client.get(f"{API}/workflows/{workflow_id}/runs")
    body = assert_problem(response, 422, "workflow_not_runnable")
    assert [(p["code"], p["pointer"]) for p in body["errors"]] == [("nothing_to_run", "/nodes")]
    assert listed.json()["total"] == 0


async def test_unknown_workflows_versions_and_runs_are_404(server: LiveServer):
    async with server.client() as client:
        workflow_id = await create_workflow(client, greeting())
        unknown = await client.post(f"{API}/workflows/{'0' * 32}/runs")
        not_an_id = await client.post(f"{API}/workflows/nope/runs")
        version = await client.post(f"{API}/workflows/{workflow_id}/runs", params={"version": 9})
        run = await client.get(f"{API}/runs/{'0' * 32}")
        events = await client.get(f"{API}/runs/nope/events")
        cancel = await client.post(f"{API}/runs/{'f' * 32}/cancel")
    assert_problem(unknown, 404, "workflow_not_found")
    assert_problem(not_an_id, 404, "workflow_not_found")
    assert_problem(version, 404, "version_not_found")
    assert_problem(run, 404, "run_not_found")
    assert_problem(events, 404, "run_not_found")
    assert_problem(cancel, 404, "run_not_found")


async def test_runs_are_listed_newest_first_with_paging_and_a_status_filter(server: LiveServer):
    async with server.client() as client:
        workflow_id = await create_workflow(client, greeting())
        ids = [await start_run(client, workflow_id, name=str(n)) for n in range(3)]
        for run_id in ids:
            await wait_for_run(client, run_id)
        page = (await client.get(f"{API}/workflows/{workflow_id}/runs?limit=2")).json()
        rest = (await client.get(f"{API}/workflows/{workflow_id}/runs?limit=2&offset=2")).json()
        failed = (await client.get(f"{API}/workflows/{workflow_id}/runs?status=failed")).json()
        bad = await client.get(f"{API}/workflows/{workflow_id}/runs?status=sleeping")
    assert page["total"] == 3 and [r["id"] for r in page["items"] + rest["items"]] == ids[::-1]
    assert failed == {"items": [], "total": 0, "limit": 50, "offset": 0}
    assert_problem(bad, 422, "invalid_input")


async def test_listed_runs_keep_their_numbers_under_a_status_filter(server: LiveServer):
    async with server.client() as client:
        workflow_id = await create_workflow(client, greeting())  # version 2
        first = await start_run(client, workflow_id, name="a")
        assert (await wait_for_run(client, first))["status"] == "succeeded"
        keyless = greeting()  # version 3: a chat model whose credential nobody stored
        keyless["nodes"][1] = node(
            "tpl", "model.chat", provider="openai", model="m", credential={"$credential": "no"}
        )
        keyless["edges"] = [
            link("e1", "q", "tpl", "value", "prompt"),
            link("e2", "tpl", "out", "text", "value"),
        ]
        saved = await client.put(
            f"{API}/workflows/{workflow_id}", json=keyless, headers={"If-Match": "2"}
        )
        assert saved.status_code == 200, saved.text
        second = await start_run(client, workflow_id, name="b")
        assert (await wait_for_run(client, second))["status"] == "failed"
        runs_url = f"{API}/workflows/{workflow_id}/runs"
        started = await client.post(runs_url, params={"version": 2}, json={"inputs": {"name": "c"}})
        third = started.json()["id"]
        assert (await wait_for_run(client, third))["status"] == "succeeded"
        every = (await client.get(runs_url.format(workflow_id))).json()
        failed = (
            await client.get(runs_url.format(workflow_id), params={"status": "failed"})
        ).json()
        older_succeeded = (
            await client.get(
                runs_url.format(workflow_id), params={"status": "succeeded", "offset": 1}
            )
        ).json()
    assert [(r["id"], r["number"]) for r in every["items"]] == [(third, 3), (second, 2), (first, 1)]
    assert [(r["id"], r["number"]) for r in failed["items"]] == [(second, 2)]
    assert failed["total"] == 1
    assert [(r["id"], r["number"]) for r in older_succeeded["items"]] == [(first, 1)]
    assert older_succeeded["total"] == 2


async def test_cancelling_mid_run_stops_the_model_and_ends_with_run_cancelled(
    server: LiveServer, openai_url: str
):
    async with server.client() as client:
        workflow_id = await create_workflow(client, slow_chat(openai_url, tokens=200, delay_ms=50))
        run_id = await start_run(client, workflow_id, question="why?")
        socket = asyncio.create_task(read_socket(server.ws_base, run_id))
        await wait_for_run(client, run_id, statuses=("running",))
        await _until_token(client, run_id)
        response = await client.post(f"{API}/runs/{run_id}/cancel")
        assert response.status_code == 202, response.text
        run = await wait_for_run(client, run_id)
        again = await client.post(f"{API}/runs/{run_id}/cancel")
        result = await socket
    assert run["status"] == "cancelled"
    assert run["nodes"]["llm"]["status"] == "interrupted"
    assert run["nodes"]["out"]["status"] == "queued"
    assert again.status_code == 202  # idempotent
    assert result.events[-1]["type"] == "run.cancelled"
    assert result.events[-1]["data"]["interrupted"] == ["llm"]
    tokens = [e for e in result.events if e["type"] == "node.token"]
    assert 0 < len(tokens) < 200
    assert result.close_code == 1000
    assert_in_order(result.events)


async def test_a_run_past_the_run_time_limit_is_stopped_and_failed_with_the_setting_named(
    database_url: str, tmp_path: Path, openai_url: str
):
    settings = make_settings(tmp_path, database_url, run_timeout_seconds=1.0)
    async with live_server(settings) as limited, limited.client() as client:
        workflow_id = await create_workflow(client, slow_chat(openai_url, tokens=200, delay_ms=50))
        # The model client loads on the first run that needs it, which can take longer
        # than the limit itself: a first run pays for that, the measured one does not.
        await wait_for_run(client, await start_run(client, workflow_id, question="warm up"))
        run_id = await start_run(client, workflow_id, question="forever?")
        result = await read_socket(limited.ws_base, run_id, deadline_s=20)
        run = await wait_for_run(client, run_id)
    assert run["status"] == "failed"
    assert run["error"]["code"] == "run_timeout"
    assert "NODELOOM_RUN_TIMEOUT_SECONDS" in run["error"]["message"]
    assert run["nodes"]["llm"]["status"] == "interrupted"
    assert 0 < len([e for e in result.events if e["type"] == "node.token"]) < 200
    assert result.events[-1]["type"] == "run.failed" and result.close_code == 1000
    assert_in_order(result.events)


async def test_a_run_left_queued_when_the_server_stopped_runs_after_the_next_start(
    database_url: str, tmp_path: Path
):
    settings = make_settings(tmp_path, database_url)
    async with live_server(settings) as first, first.client() as client:
        workflow_id = await create_workflow(client, greeting())
        async with first.app.state.sessions() as session:  # queued, its request never sent
            run, queued = run_store.new_queued_run(workflow_id, 2, {"name": "Ada"})
            await run_store.insert_queued(session, [(run, queued)])
    async with live_server(settings) as second, second.client() as client:
        finished = await wait_for_run(client, run["id"])
    assert finished["status"] == "succeeded", finished
    assert finished["outputs"] == {"greeting": "Hello, Ada!"}


async def _until_token(client, run_id: str) -> None:
    async with asyncio.timeout(10):
        while True:
            events = await recorded_events(client, run_id)
            if any(e["type"] == "node.token" for e in events):
                return
            await asyncio.sleep(0.05)


async def test_a_finished_run_cannot_be_cancelled(server: LiveServer):
    async with server.client() as client:
        workflow_id = await create_workflow(client, greeting())
        run_id = await start_run(client, workflow_id, name="Ada")
        await wait_for_run(client, run_id)
        response = await client.post(f"{API}/runs/{run_id}/cancel")
    body = assert_problem(response, 409, "run_finished")
    assert body["run_status"] == "succeeded"


async def test_the_socket_replays_after_a_seq_then_streams_live_then_closes(
    server: LiveServer, openai_url: str
):
    async with server.client() as client:
        workflow_id = await create_workflow(client, slow_chat(openai_url, tokens=8, delay_ms=30))
        run_id = await start_run(client, workflow_id, question="why?")
        first = await read_socket(server.ws_base, run_id, count=4)
        rest = await read_socket(server.ws_base, run_id, after=first.events[-1]["seq"])
        whole = await read_socket(server.ws_base, run_id)
        recorded = await recorded_events(client, run_id)
    assert_in_order(first.events + rest.events)
    assert first.events + rest.events == whole.events
    assert [e["seq"] for e in whole.events] == [e["seq"] for e in recorded]
    assert rest.events[-1]["type"] == "run.succeeded"
    assert len([e for e in whole.events if e["type"] == "node.token"]) == 8
    assert rest.close_code == 1000 and whole.close_code == 1000


async def test_a_socket_watching_from_the_start_is_served_from_memory(
    server: LiveServer, openai_url: str, monkeypatch: pytest.MonkeyPatch
):
    """On the embedded default the live events come from the hub: the database is read
    when the socket opens and for the terminal event (sent from there, once written), and
    at most once more, when the recorder wrote an event before the follower brought it."""
    reads: list[str] = []
    read_events = event_store.read_events

    async def counted(engine, run_id: str, **page: int):
        reads.append(run_id)
        return await read_events(engine, run_id, **page)

    monkeypatch.setattr(event_store, "read_events", counted)
    results = []
    async with server.client() as client:
        workflow_id = await create_workflow(client, slow_chat(openai_url, tokens=4, delay_ms=20))
        for _ in range(3):
            run_id = await start_run(client, workflow_id, question="why?")
            results.append(await read_socket(server.ws_base, run_id))
            run = await wait_for_run(client, run_id)
            assert run["status"] == "succeeded"  # final once the socket saw the end
    for result in results:
        assert_in_order(result.events)
        assert result.events[-1]["type"] == "run.succeeded" and result.close_code == 1000
    events = sum(len(result.events) for result in results)
    assert events >= 3 * 8 and len(reads) <= 3 * len(results)


async def test_the_socket_closes_with_4404_for_an_unknown_run_and_4400_for_a_bad_after(
    server: LiveServer,
):
    unknown = await read_socket(server.ws_base, "0" * 32)
    bad = await read_socket(server.ws_base, "0" * 32, after="soon")  # type: ignore[arg-type]
    assert (unknown.close_code, unknown.events) == (4404, [])
    assert "no run" in unknown.close_reason
    assert bad.close_code == 4400


async def test_a_hundred_rapid_starts_all_finish(server: LiveServer):
    async with server.client() as client:
        workflow_id = await create_workflow(client, chain(5))
        responses = await asyncio.gather(
            *(
                client.post(
                    f"{API}/workflows/{workflow_id}/runs", json={"inputs": {"text": str(n)}}
                )
                for n in range(100)
            )
        )
        assert [r.status_code for r in responses] == [202] * 100
        runs = [await wait_for_run(client, r.json()["id"]) for r in responses]
        health = await client.get(f"{API}/health")
    assert {run["status"] for run in runs} == {"succeeded"}
    assert health.status_code == 200


async def test_start_with_wait_answers_200_with_the_finished_run_and_its_outputs(
    server: LiveServer,
):
    async with server.client() as client:
        _, response = await start_greeting(client, "?wait=30")
        assert response.status_code == 200, response.text
        run = response.json()
        assert response.headers["Location"] == f"{API}/runs/{run['id']}"
        events = await recorded_events(client, run["id"])
    assert run["status"] == "succeeded"
    assert run["outputs"] == {"greeting": "Hello, Ada!"}
    assert run["nodes"]["tpl"]["status"] == "succeeded"
    assert run["last_seq"] == events[-1]["seq"]  # final: the end was recorded first
    assert events[-1]["type"] == "run.succeeded"


async def test_start_with_a_wait_too_short_answers_202_with_the_run_still_going(
    server: LiveServer, openai_url: str
):
    async with server.client() as client:
        workflow_id = await create_workflow(client, slow_chat(openai_url, tokens=40, delay_ms=50))
        response = await client.post(
            f"{API}/workflows/{workflow_id}/runs?wait=0.3", json={"inputs": {"question": "?"}}
        )
        assert response.status_code == 202, response.text
        going = response.json()
        run = await wait_for_run(client, going["id"])
    assert going["status"] in ("queued", "running")
    assert run["status"] == "succeeded"


@pytest.mark.parametrize("wait", ["0", "-1", "301", "soon"])
async def test_a_bad_wait_is_refused_by_name_and_starts_nothing(server: LiveServer, wait: str):
    async with server.client() as client:
        workflow_id, response = await start_greeting(client, f"?wait={wait}")
        runs = await client.get(f"{API}/workflows/{workflow_id}/runs")
    assert response.status_code == 422, response.text
    assert "wait" in response.text
    assert runs.json()["total"] == 0
