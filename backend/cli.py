"""The ``nodeloom`` command: serve, worker, db upgrade, db scan-secrets, openapi, asyncapi,
schema, validate, run, remote-run, credentials rotate.

Heavy modules (FastAPI, uvicorn, SQLAlchemy, the engine) are imported by the command that
needs them, so ``nodeloom --help`` stays quick. ``validate``, ``run`` and ``remote-run``
live in ``backend.commands``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from backend.commands import credentials_rotate, scan_secrets
from backend.commands import remote_run as remote_run_command
from backend.commands import run as run_command
from backend.commands import validate as validate_command
from backend.commands import worker as worker_command
from backend.commands.base import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
)
from backend.commands.settings import load_settings

__all__ = ["EXIT_FAILURE", "EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "CommandError", "main"]

logger = logging.getLogger("nodeloom")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except CommandError as error:
        print(f"nodeloom: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nodeloom", description="Nodeloom: a visual builder for AI workflows."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="migrate the database, then run the server")
    serve.add_argument("--host", help="interface to bind (NODELOOM_HOST; default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="TCP port (NODELOOM_PORT; default 8000)")
    _add_database_url(serve)
    serve.add_argument("--reload", action="store_true", help="restart on code changes (dev)")
    serve.set_defaults(handler=_serve)

    database = commands.add_parser("db", help="database maintenance")
    db_commands = database.add_subparsers(dest="db_command", required=True, metavar="COMMAND")
    upgrade = db_commands.add_parser("upgrade", help="apply every pending migration")
    _add_database_url(upgrade)
    upgrade.set_defaults(handler=_db_upgrade)
    scan_secrets.register(db_commands)

    openapi = commands.add_parser("openapi", help="print the OpenAPI schema of the API")
    _add_output(openapi)
    openapi.set_defaults(handler=_openapi)

    asyncapi = commands.add_parser(
        "asyncapi", help="print the AsyncAPI document of the Kafka topics and messages"
    )
    _add_output(asyncapi)
    asyncapi.set_defaults(handler=_asyncapi)

    schema = commands.add_parser("schema", help="print the workflow document's JSON Schema")
    _add_output(schema)
    schema.set_defaults(handler=_schema)

    validate_command.register(commands)
    run_command.register(commands)
    remote_run_command.register(commands)
    worker_command.register(commands)
    credentials_rotate.register(commands)
    return parser


def _add_database_url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url", help="database URL (NODELOOM_DATABASE_URL; default SQLite file)"
    )


def _add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", type=Path, help="write to FILE instead of stdout")


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    _read_env_file()
    settings = load_settings(host=args.host, port=args.port, database_url=args.database_url)
    from backend.commands.telemetry import start_telemetry
    from backend.observability.logging import logging_config

    start_telemetry(settings, "nodeloom-api")
    _upgrade(settings.database_url)
    if settings.open_to_everyone:
        logger.warning(
            "Listening on %s without sign-in (single-person mode): anyone who can reach "
            "this address can read and change your workflows. Set NODELOOM_AUTH=on for "
            "accounts, or bind to 127.0.0.1.",
            settings.host,
        )
    options = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        # Run events are small JSON messages sent one by one: compressing each costs
        # more CPU and latency than the bytes it saves.
        "ws_per_message_deflate": False,
        "log_config": logging_config(settings.log_format, settings.log_level),
    }
    if args.reload:
        # The reloader imports the app itself, so the settings travel by environment.
        os.environ["NODELOOM_DATABASE_URL"] = settings.database_url
        uvicorn.run("backend.app:create_app", factory=True, reload=True, **options)
    else:
        from backend.app import create_app
        from backend.observability.serving import serve

        serve(create_app(settings), **options)  # closes WebSockets with 1001, exits 0
    return EXIT_OK


def _read_env_file() -> None:
    """``KEY=VALUE`` lines of ``.env`` in the working directory join the environment, for
    the settings and for what model clients read themselves (``OPENAI_API_KEY``); a
    variable the environment already has keeps its value."""
    from dotenv import load_dotenv

    load_dotenv(Path.cwd() / ".env", override=False)


def _db_upgrade(args: argparse.Namespace) -> int:
    settings = load_settings(database_url=args.database_url)
    _upgrade(settings.database_url)
    print(f"Database is up to date: {_redacted(settings.database_url)}")
    return EXIT_OK


def _upgrade(database_url: str) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from backend.db.migrate import upgrade_database

    try:
        asyncio.run(upgrade_database(database_url))
    except (SQLAlchemyError, OSError) as error:
        reason = str(error).splitlines()[0]
        raise CommandError(
            f"cannot migrate the database {_redacted(database_url)}: {reason}"
        ) from None


def _redacted(database_url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(database_url).render_as_string(hide_password=True)


def _openapi(args: argparse.Namespace) -> int:
    from backend.app import create_app

    schema = create_app(load_settings()).openapi()
    _write(render_json(schema, sort_keys=True), args.output)
    return EXIT_OK


def _asyncapi(args: argparse.Namespace) -> int:
    from backend.api.asyncapi_body import served_asyncapi
    from backend.app import create_app

    document = served_asyncapi(create_app(load_settings()))  # as GET /api/v1/asyncapi.json
    _write(render_json(document, sort_keys=False), args.output)
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from graph_engine.document import json_schema

    _write(render_json(json_schema(), sort_keys=True), args.output)
    return EXIT_OK


def render_json(value: Any, *, sort_keys: bool) -> str:
    """The checked-in form of a generated JSON file: indent 2, trailing newline."""
    return json.dumps(value, indent=2, sort_keys=sort_keys, ensure_ascii=False) + "\n"


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"cannot write {output}: {error.strerror or error}") from None
    print(f"Wrote {output}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
