"""``nodeloom db scan-secrets``: find the secrets earlier releases let sit in node params —
in every workflow's current document and every version row — and, with ``--fix``, move
each into a credential of the workflow's owner (``backend.credentials.secret_sweep``).

Every finding is one line: workflow, version, node, param and kind, never the value.
Exit status: 0 when nothing is (left) in params; 1 when something was found and not
moved (without ``--fix``, or a secret no credential provider fits: move it by hand).
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from backend.commands.base import EXIT_FAILURE, EXIT_OK


def register(db_commands: Any) -> None:
    scan = db_commands.add_parser(
        "scan-secrets",
        help="find secrets sitting in node params (--fix moves them into credentials)",
        description="Scan every workflow's current document and every saved version for "
        "values that look like secrets in node params. With --fix, keep each one in a "
        "credential of the workflow's owner and replace it by a reference to it.",
    )
    scan.add_argument(
        "--fix",
        action="store_true",
        help="move each secret into a credential and take it out of every version",
    )
    scan.add_argument("--database-url", help="database URL (NODELOOM_DATABASE_URL)")
    scan.set_defaults(handler=_scan)


def _scan(args: argparse.Namespace) -> int:
    from backend.commands.settings import load_settings

    settings = load_settings(database_url=args.database_url)
    sweep = asyncio.run(_sweep(settings, fix=args.fix))
    for found in sweep.found:
        print(_line(found, fixing=args.fix))
    print(_summary(sweep, fixing=args.fix))
    left = sweep.by_hand if args.fix else sweep.found
    return EXIT_FAILURE if left else EXIT_OK


async def _sweep(settings: Any, *, fix: bool) -> Any:
    from backend.commands.progress import count_bar
    from backend.credentials.crypto import box_from_settings
    from backend.credentials.secret_sweep import sweep_secrets
    from backend.db.session import create_engine, create_session_factory

    box = box_from_settings(settings) if fix else None
    engine = create_engine(settings.database_url)
    try:
        return await sweep_secrets(create_session_factory(engine), box, count_bar())
    finally:
        await engine.dispose()


def _line(found: Any, *, fixing: bool) -> str:
    from backend.exchange.secret_scan import KIND_DESCRIPTIONS

    what = KIND_DESCRIPTIONS[found.kind]
    where = (
        f"{found.workflow_name!r} ({found.workflow_id}) version {found.version}: "
        f"node {found.node_title!r} ({found.node_id}) {found.param}: {what}"
    )
    if found.provider is None:
        return f"{where} — move it by hand: no credential provider fits it"
    if fixing:
        return f"{where} → credential {found.credential!r}"
    return f"{where} (--fix keeps it in a credential for {found.provider})"


def _summary(sweep: Any, *, fixing: bool) -> str:
    scanned = f"{sweep.workflows} workflow(s), {sweep.versions} version(s) scanned"
    if not sweep.found:
        return f"No secrets in node params ({scanned})."
    by_hand = len(sweep.by_hand)
    movable = len(sweep.found) - by_hand
    hand = f"; {by_hand} must be moved by hand" if by_hand else ""
    if fixing:
        created = len(sweep.created)
        return f"Moved {movable} secret(s) into credentials ({created} new){hand} ({scanned})."
    return (
        f"Found {len(sweep.found)} secret(s) ({scanned}); --fix moves {movable} of them "
        f"into credentials{hand}."
    )
