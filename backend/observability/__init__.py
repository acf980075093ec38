"""Operations: structured logs, Prometheus metrics, OpenTelemetry traces, graceful stop.

The rest of the backend calls in through small hooks, importing the module it needs
(this package imports nothing on its own, so a hook costs only what it uses):

- ``logging``: JSON or text log lines carrying run, workflow and node ids.
- ``metrics``: the Prometheus series; ``endpoint``: ``install`` adds ``/metrics`` and
  the middleware (``http``) to the app; ``worker_endpoint``: a worker's ``/metrics``.
- ``runs``: ``RunObserver`` turns a run's events into metrics, spans and log lines.
- ``tracing``: OpenTelemetry spans, only when an exporter is configured.
- ``library_spans``: with tracing on, the spans of FastAPI, SQLAlchemy and aiokafka.
- ``kafka_lag``: consumer lag of the Kafka readers.
- ``serving``: uvicorn with a 1001 goodbye to WebSockets and exit 0 on SIGTERM.
"""
