# syntax=docker/dockerfile:1.7
# One image, two roles: `nodeloom serve` (the default command: API, WebSockets and the
# built frontend on port 8000) and `nodeloom worker` (run executor; set the command).
# Stages: Node builds the frontend, a Python stage installs the app into a virtualenv,
# and the runtime stage copies both into a slim Python with no compiler and no Node.
# Build: docker build -t nodeloom:local .    (deploy/README.md walks through the rest)

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm
ARG NODE_IMAGE=node:22.21.1-bookworm-slim

FROM ${NODE_IMAGE} AS frontend
WORKDIR /src/frontend
# The lock file alone first, so a source change does not reinstall node_modules.
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM ${PYTHON_IMAGE} AS python-build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/nodeloom
WORKDIR /src
COPY pyproject.toml README.md ./
COPY backend ./backend
COPY graph_engine ./graph_engine
# `.` alone: its runtime dependencies only. The local-models extra (torch, llama-cpp,
# several GiB) and the dev tools stay out of the image.
RUN /opt/nodeloom/bin/pip install --no-cache-dir .

FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/nodeloom/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    NODELOOM_HOST=0.0.0.0 \
    NODELOOM_PORT=8000 \
    NODELOOM_FRONTEND_DIR=/opt/nodeloom/frontend \
    NODELOOM_DATA_DIR=/var/lib/nodeloom \
    NODELOOM_WORKER_METRICS_PORT=9100
RUN groupadd --system --gid 10001 nodeloom \
    && useradd --system --uid 10001 --gid nodeloom --home-dir /var/lib/nodeloom \
        --create-home --shell /usr/sbin/nologin nodeloom
# Code and frontend stay owned by root: the app user can read them, not rewrite them.
# Only its data directory (SQLite in the single-container mode) belongs to it.
COPY --from=python-build --chown=root:root /opt/nodeloom /opt/nodeloom
COPY --from=frontend --chown=root:root /src/frontend/dist /opt/nodeloom/frontend
USER 10001:10001
WORKDIR /var/lib/nodeloom
EXPOSE 8000
# One check for both roles, since a container runs one of them: `nodeloom serve` answers
# /api/v1/health on NODELOOM_PORT, `nodeloom worker` /metrics on NODELOOM_WORKER_METRICS_PORT
# (set above, so every worker has it; served by the worker's own event loop, so an answer
# also means it is not stuck). Unhealthy when neither answers. `sh -c` reads the ports at
# run time; its $0, the last argument, is the Python that asks one URL.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["sh", "-c", "python -c \"$0\" \"http://127.0.0.1:${NODELOOM_PORT:-8000}/api/v1/health\" 2>/dev/null || python -c \"$0\" \"http://127.0.0.1:${NODELOOM_WORKER_METRICS_PORT:-9100}/metrics\"", \
        "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)"]
CMD ["nodeloom", "serve"]
