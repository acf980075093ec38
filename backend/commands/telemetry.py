"""What ``nodeloom serve`` and ``nodeloom worker`` set up before anything else: logging
in the configured format, and tracing when an exporter is configured."""

from __future__ import annotations

from typing import Any

from backend.commands.base import CommandError
from backend.observability.logging import configure_logging
from backend.observability.tracing import TracingUnavailable, configure_tracing


def start_telemetry(settings: Any, service: str) -> None:
    """Configure logs and traces for this process, or ``CommandError`` saying what is missing."""
    try:
        configure_tracing(settings.otel_exporter, service)
    except TracingUnavailable as error:
        raise CommandError(str(error)) from None
    configure_logging(settings.log_format, settings.log_level)
