"""Log records as one JSON object per line (``NODELOOM_LOG_FORMAT=json``) or as text, with
the run, workflow and node they belong to.

The run context lives in context variables: ``bind_run`` sets them in the task that runs
a run, so every record logged by it (and by the tasks it starts: the engine, its nodes)
carries ``run_id`` and ``workflow_id``. A record may also name them itself through
``extra={"run_id": …, "node_id": …}``. Uvicorn's own loggers, the access log included,
go through the same formatter.

Libraries that log payloads at debug level (model clients, HTTP clients, database
drivers, WebSocket frames) are held at ``warning``: a prompt or a row can carry anything
a user typed, credentials included, and a log is no place for it.

While the Kafka broker is unreachable its clients' retries are held back: the handler's
filter (``backend.bus.outage``) logs one warning when the broker goes and one line when it
is back, with the outage's length.
"""

from __future__ import annotations

import json
import logging
import logging.config
import warnings
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from backend.observability.path_secrets import HideSecretsInPaths

RUN_ID: ContextVar[str | None] = ContextVar("nodeloom_run_id", default=None)
WORKFLOW_ID: ContextVar[str | None] = ContextVar("nodeloom_workflow_id", default=None)
NODE_ID: ContextVar[str | None] = ContextVar("nodeloom_node_id", default=None)
_CONTEXT = (("run_id", RUN_ID), ("workflow_id", WORKFLOW_ID), ("node_id", NODE_ID))

QUIET_LOGGERS = (
    "openai",
    "anthropic",
    "httpx",
    "httpcore",
    "urllib3",
    "langsmith",
    "websockets",
    "aiosqlite",
    "asyncpg",
    "aiokafka",
    "sqlalchemy.engine",
    "alembic.runtime.plugins",
)
"""Held at ``warning`` whatever the level: at debug they log payloads (prompts, request
bodies, WebSocket frames, SQL parameters)."""

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
TRACE = 5  # uvicorn's level below debug


def bind_run(run_id: str, workflow_id: str | None) -> None:
    """Mark what the current task logs from now on as belonging to this run.

    Call it at the top of a task made for the run: the values stay with that task and
    the tasks it starts, and go with it.
    """
    RUN_ID.set(run_id)
    WORKFLOW_ID.set(workflow_id)


def _context(record: logging.LogRecord) -> dict[str, str]:
    found = {}
    for key, variable in _CONTEXT:
        value = getattr(record, key, None) or variable.get()
        if value:
            found[key] = str(value)
    return found


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", run_id?, workflow_id?, node_id?, …}``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **_context(record),
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            entry.update(_access_fields(record.args))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _access_fields(args: tuple[Any, ...]) -> dict[str, Any]:
    # uvicorn.access logs (client, method, path with query, HTTP version, status).
    if len(args) != 5:
        return {}
    client, method, path, _version, status = args
    return {"client": client, "method": method, "path": path, "status": status}


class TextFormatter(logging.Formatter):
    """The classic line, with ``[run_id=… node_id=…]`` appended inside a run."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = _context(record)
        if not context:
            return line
        return f"{line} [{' '.join(f'{key}={value}' for key, value in context.items())}]"


def _level(name: str) -> int:
    return TRACE if name == "trace" else logging.getLevelName(name.upper())


def logging_config(log_format: str, log_level: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the process (uvicorn takes it as ``log_config``)."""
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    level = _level(log_level)
    quiet = max(level, logging.WARNING)
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "nodeloom",
        "filters": ["broker_outage", "path_secrets"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"nodeloom": {"()": formatter}},
        # Named, not imported: the bus (and aiokafka) load when the config is applied.
        "filters": {
            "broker_outage": {"()": "backend.bus.outage.OutageFilter"},
            "path_secrets": {"()": HideSecretsInPaths},
        },
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            # uvicorn's loggers get no handler of their own: they reach the root's.
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": level, "propagate": True},
            **{name: {"level": quiet} for name in QUIET_LOGGERS},
        },
    }


def configure_logging(log_format: str, log_level: str) -> None:
    """Send every log record of this process through Nodeloom's formatter — Python's
    warnings too (libraries warn on import), so a JSON log has no line that is not JSON."""
    logging.config.dictConfig(logging_config(log_format, log_level))
    logging.captureWarnings(True)
    # urllib3's notice that SOCKS proxies need PySocks, which requests means to silence:
    # it sets that filter just before the import that warns. The engine (requests with
    # it) is imported on a warm-up thread, though, and a ``catch_warnings`` ending on the
    # event loop's thread in between puts the filters back as they were. A filter set
    # here, at start-up, is in every such snapshot.
    warnings.filterwarnings("ignore", message="SOCKS support in urllib3", module="urllib3")
