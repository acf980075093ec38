"""A local stand-in for one Pinecone index's data plane, for tests of the real SDK.

It keeps to the REST contract the official SDK (v10) speaks to an index host —
``POST /vectors/upsert``, ``POST /query`` and ``POST /describe_index_stats``, JSON in
camelCase, the key in the ``Api-Key`` header, the API version in
``X-Pinecone-Api-Version`` — for a dense index with the ``cosine`` metric. Point the SDK
at it with ``AsyncIndex(host=server.host, api_key=server.api_key)`` (a loopback
``http://`` host is accepted by the SDK without TLS).

Usage::

    with FakePinecone(dimension=384) as server:
        ...  # server.host, server.api_key, server.vectors("namespace"), server.requests
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_NAMESPACE = "__default__"  # how describe_index_stats names the "" namespace
MAX_TOP_K = 10_000


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: int = 3) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


@dataclass
class Record:
    values: list[float]
    metadata: dict[str, Any] | None


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class IndexState:
    dimension: int | None
    namespaces: dict[str, dict[str, Record]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakePinecone:
    """A data-plane server on 127.0.0.1 (see the module docstring)."""

    def __init__(self, *, api_key: str = "pc-fake-key", dimension: int | None = None) -> None:
        self.api_key = api_key
        self.state = IndexState(dimension=dimension)
        self.requests: list[Seen] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def host(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakePinecone:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakePinecone:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def vectors(self, namespace: str = "") -> dict[str, Record]:
        with self.state.lock:
            return dict(self.state.namespaces.get(namespace, {}))

    # --- the operations --------------------------------------------------------------

    def upsert(self, body: dict[str, Any]) -> dict[str, Any]:
        vectors = body.get("vectors")
        if not isinstance(vectors, list) or not vectors:
            raise ApiError(400, "vectors must be a non-empty list")
        namespace = _namespace(body)
        records = {}
        for vector in vectors:
            identifier, values = vector.get("id"), vector.get("values")
            if not isinstance(identifier, str) or not identifier:
                raise ApiError(400, "Vector ID must be a non-empty string")
            if not isinstance(values, list) or not all(_is_number(v) for v in values):
                raise ApiError(400, f"Vector {identifier} has no dense values")
            metadata = vector.get("metadata")
            _check_metadata(identifier, metadata)
            records[identifier] = Record([float(v) for v in values], metadata)
        with self.state.lock:
            for identifier, record in records.items():
                self._check_dimension(len(record.values))
                self.state.namespaces.setdefault(namespace, {})[identifier] = record
        return {"upsertedCount": len(records)}

    def query(self, body: dict[str, Any]) -> dict[str, Any]:
        top_k = body.get("topK")
        if not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
            raise ApiError(400, f"topK must be between 1 and {MAX_TOP_K}")
        namespace = _namespace(body)
        with self.state.lock:
            stored = dict(self.state.namespaces.get(namespace, {}))
            vector = self._query_vector(body, stored)
        matcher = _filter(body.get("filter"))
        scored = [
            (identifier, _cosine(vector, record.values), record)
            for identifier, record in stored.items()
            if matcher(record.metadata or {})
        ]
        scored.sort(key=lambda item: item[1], reverse=True)
        matches = []
        for identifier, score, record in scored[:top_k]:
            match: dict[str, Any] = {"id": identifier, "score": score, "values": []}
            if body.get("includeValues"):
                match["values"] = record.values
            if body.get("includeMetadata") and record.metadata is not None:
                match["metadata"] = record.metadata
            matches.append(match)
        return {
            "results": [],
            "matches": matches,
            "namespace": namespace,
            "usage": {"readUnits": max(1, len(stored) // 100)},
        }

    def describe_index_stats(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.state.lock:
            counts = {
                name or DEFAULT_NAMESPACE: {"vectorCount": len(records)}
                for name, records in self.state.namespaces.items()
                if records
            }
            dimension = self.state.dimension
        return {
            "namespaces": counts,
            "dimension": dimension,
            "indexFullness": 0.0,
            "totalVectorCount": sum(c["vectorCount"] for c in counts.values()),
            "metric": "cosine",
            "vectorType": "dense",
        }

    def _check_dimension(self, dimension: int) -> None:
        if self.state.dimension is None:
            self.state.dimension = dimension
        elif dimension != self.state.dimension:
            raise ApiError(
                400,
                f"Vector dimension {dimension} does not match the dimension of the index "
                f"{self.state.dimension}",
            )

    def _query_vector(self, body: dict[str, Any], stored: dict[str, Record]) -> list[float]:
        if "vector" in body and "id" in body:
            raise ApiError(400, "Cannot provide both 'id' and 'vector'")
        if "id" in body:
            record = stored.get(body["id"])
            if record is None:
                raise ApiError(400, f"No vector with id {body['id']!r}")
            return record.values
        vector = body.get("vector")
        if not isinstance(vector, list) or not all(_is_number(v) for v in vector):
            raise ApiError(400, "No query provided: give 'vector' or 'id'")
        if self.state.dimension is not None and len(vector) != self.state.dimension:
            raise ApiError(
                400,
                f"Vector dimension {len(vector)} does not match the dimension of the index "
                f"{self.state.dimension}",
            )
        return [float(v) for v in vector]


_ROUTES = {
    "/vectors/upsert": FakePinecone.upsert,
    "/query": FakePinecone.query,
    "/describe_index_stats": FakePinecone.describe_index_stats,
}


def _handler(server: FakePinecone) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                self._reply(400, {"code": 3, "message": "Request body is not JSON", "details": []})
                return
            server.requests.append(Seen("POST", self.path, dict(self.headers.items()), body))
            if self.headers.get("Api-Key") != server.api_key:
                error = {"code": "UNAUTHENTICATED", "message": "Invalid API Key"}
                self._reply(401, {"error": error, "status": 401})
                return
            route = _ROUTES.get(self.path.split("?")[0])
            if route is None:
                self._reply(404, {"code": 5, "message": f"Not found: {self.path}", "details": []})
                return
            try:
                self._reply(200, route(server, body))
            except ApiError as error:
                payload = {"code": error.code, "message": error.message, "details": []}
                self._reply(error.status, payload)

        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    return Handler


def _namespace(body: dict[str, Any]) -> str:
    namespace = body.get("namespace", "")
    if not isinstance(namespace, str):
        raise ApiError(400, "namespace must be a string")
    return namespace


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_metadata(identifier: str, metadata: Any) -> None:
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise ApiError(400, f"Metadata of vector {identifier} must be an object")
    for key, value in metadata.items():
        if isinstance(value, str | bool) or _is_number(value):
            continue
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            continue
        raise ApiError(
            400,
            f"Metadata value for field {key!r} of vector {identifier} must be a string, "
            "number, boolean or list of strings",
        )


def _filter(spec: Any) -> Any:
    """Equality filters: ``{"k": v}``, ``{"k": {"$eq": v}}``, ``{"k": {"$in": [...]}}``."""
    if spec is None:
        return lambda metadata: True
    if not isinstance(spec, dict):
        raise ApiError(400, "filter must be an object")
    tests = []
    for key, condition in spec.items():
        if isinstance(condition, dict):
            if set(condition) == {"$eq"}:
                tests.append((key, lambda value, wanted=condition["$eq"]: value == wanted))
            elif set(condition) == {"$in"}:
                tests.append((key, lambda value, wanted=condition["$in"]: value in wanted))
            else:
                raise ApiError(400, f"The fake supports only $eq and $in, not {condition}")
        else:
            tests.append((key, lambda value, wanted=condition: value == wanted))
    return lambda metadata: all(test(metadata.get(key)) for key, test in tests)


def _cosine(left: list[float], right: list[float]) -> float:
    dot = sum(a * b for a, b in zip(left, right, strict=True))
    norms = math.sqrt(sum(a * a for a in left)) * math.sqrt(sum(b * b for b in right))
    return dot / norms if norms else 0.0
