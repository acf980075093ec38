"""``nodeloom worker``: execute runs taken from Kafka, until SIGTERM or Ctrl-C.

It needs ``NODELOOM_KAFKA_BOOTSTRAP_SERVERS`` and the same database as the API (whose
``nodeloom serve`` applies the migrations). On SIGTERM it stops taking runs, lets the
running ones finish for ``NODELOOM_SHUTDOWN_GRACE_SECONDS`` and marks the rest failed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from collections.abc import Callable
from typing import Any

from backend.commands.base import EXIT_OK, CommandError

log = logging.getLogger("nodeloom.worker")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "worker",
        help="execute runs taken from Kafka (needs NODELOOM_KAFKA_BOOTSTRAP_SERVERS)",
        description="Take run requests from Kafka and execute them until SIGTERM.",
    )
    parser.add_argument(
        "--database-url", help="database URL (NODELOOM_DATABASE_URL; the API's database)"
    )
    parser.add_argument(
        "--concurrency", type=int, help="runs at once (NODELOOM_WORKER_CONCURRENCY; default 8)"
    )
    parser.add_argument(
        "--metrics-port",
        type=int,
        help="serve Prometheus metrics at /metrics on this port (NODELOOM_WORKER_METRICS_PORT)",
    )
    parser.set_defaults(handler=_worker)


def _worker(args: argparse.Namespace) -> int:
    from backend.commands.settings import load_settings

    settings = load_settings(
        database_url=args.database_url,
        worker_concurrency=args.concurrency,
        worker_metrics_port=args.metrics_port,
    )
    if settings.kafka_bootstrap_servers is None:
        raise CommandError(
            "nodeloom worker needs NODELOOM_KAFKA_BOOTSTRAP_SERVERS: without Kafka, runs "
            "execute inside `nodeloom serve` (the embedded default)"
        )
    from backend.commands.telemetry import start_telemetry

    start_telemetry(settings, "nodeloom-worker")
    # uvloop (from uvicorn[standard], as the API process runs on it) when it is there:
    # its I/O and scheduling shave time off every event the worker publishes.
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(_serve(settings))
    return EXIT_OK


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


async def _serve(settings: Any) -> None:
    from backend.bus import BusError
    from backend.db.session import create_engine, create_session_factory
    from backend.plugins import PluginError, load_plugins
    from backend.runtime import bus_from_settings
    from backend.worker.service import WorkerService

    try:
        load_plugins(settings.plugin_modules)
    except PluginError as error:
        raise CommandError(str(error)) from None
    engine = create_engine(settings.database_url)
    bus = bus_from_settings(settings, "worker")
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    metrics = await _metrics_server(settings)
    try:
        await bus.start()
        worker = WorkerService(bus, create_session_factory(engine), settings)
        await worker.start()
        # A log line like every other (JSON with NODELOOM_LOG_FORMAT=json); the words are
        # what tests/services/nodeloom.py waits for.
        log.info("nodeloom worker %s is taking runs", worker.worker_id)
        await stopping.wait()
        log.info("stopping: no new runs; running ones get %gs", settings.shutdown_grace_seconds)
        await worker.stop()
    except BusError as error:
        raise CommandError(f"cannot reach Kafka: {error}") from None
    finally:
        if metrics is not None:
            metrics.close()
        await bus.close()
        await engine.dispose()


async def _metrics_server(settings: Any) -> asyncio.Server | None:
    if settings.worker_metrics_port is None:
        return None
    from backend.observability.worker_endpoint import start_metrics_server

    try:
        return await start_metrics_server(settings.host, settings.worker_metrics_port)
    except OSError as error:
        raise CommandError(
            f"cannot serve metrics on {settings.host}:{settings.worker_metrics_port}: "
            f"{error.strerror or error}"
        ) from None
