"""``/metrics`` of a ``nodeloom worker`` process (``NODELOOM_WORKER_METRICS_PORT``).

A worker has no web server, so this is the smallest one that does the job: HTTP/1.0,
``GET /metrics`` only, one short-lived connection per scrape, in the worker's own event
loop (so the Kafka lag is sampled just before rendering, as in the API).
"""

from __future__ import annotations

import asyncio
import logging

from backend.observability import kafka_lag
from backend.observability.metrics import CONTENT_TYPE_LATEST, render

log = logging.getLogger(__name__)
READ_TIMEOUT_S = 5.0
MAX_HEADER_LINES = 100


async def start_metrics_server(host: str, port: int) -> asyncio.Server:
    """Serve ``GET /metrics`` on ``host:port`` until the returned server is closed."""
    server = await asyncio.start_server(_answer, host, port)
    log.info("worker metrics at http://%s:%d/metrics", host, port)
    return server


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        async with asyncio.timeout(READ_TIMEOUT_S):
            request = (await reader.readline()).decode("latin-1").split()
            for _ in range(MAX_HEADER_LINES):
                if (await reader.readline()) in (b"\r\n", b"\n", b""):
                    break
        if request[:2] == ["GET", "/metrics"]:
            await kafka_lag.sample()
            _reply(writer, "200 OK", CONTENT_TYPE_LATEST, render())
        else:
            _reply(writer, "404 Not Found", "text/plain", b"only GET /metrics is served here\n")
        await writer.drain()
    except (TimeoutError, ConnectionError):
        pass  # a scraper that went away: nothing to answer
    finally:
        writer.close()


def _reply(writer: asyncio.StreamWriter, status: str, content_type: str, body: bytes) -> None:
    head = (
        f"HTTP/1.0 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode("latin-1") + body)
