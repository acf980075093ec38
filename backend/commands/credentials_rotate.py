"""``nodeloom credentials rotate``: re-encrypt every stored credential under the current
``NODELOOM_SECRET_KEY`` (after a key change, with the old key in
``NODELOOM_SECRET_KEY_PREVIOUS``); then the previous keys can be removed.

Exit status: 0 when every credential was re-encrypted, 1 when some could be opened by no
configured key (each is named by owner and credential name, never its secret).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from backend.commands.base import EXIT_FAILURE, EXIT_OK, CommandError


def register(commands: Any) -> None:
    group = commands.add_parser("credentials", help="stored credentials: key rotation")
    actions = group.add_subparsers(dest="credentials_command", required=True, metavar="COMMAND")
    rotate = actions.add_parser(
        "rotate",
        help="re-encrypt every credential under NODELOOM_SECRET_KEY",
        description="Open each stored credential with NODELOOM_SECRET_KEY or one of "
        "NODELOOM_SECRET_KEY_PREVIOUS and encrypt it again under NODELOOM_SECRET_KEY.",
    )
    rotate.add_argument("--database-url", help="database URL (NODELOOM_DATABASE_URL)")
    rotate.set_defaults(handler=_rotate)


def _rotate(args: argparse.Namespace) -> int:
    from backend.commands.settings import load_settings

    settings = load_settings(database_url=args.database_url)
    if settings.secret_key is None:
        raise CommandError(
            "set NODELOOM_SECRET_KEY to the new key (and NODELOOM_SECRET_KEY_PREVIOUS to the "
            "old one) before rotating"
        )
    rotation = asyncio.run(_rotate_all(settings))
    print(f"Re-encrypted {rotation.rotated} credential(s) under NODELOOM_SECRET_KEY.")
    for owner_id, name in rotation.unreadable:
        print(
            f"nodeloom: credential {name!r} of {owner_id!r} opens with no configured key; "
            "add its key to NODELOOM_SECRET_KEY_PREVIOUS or save its secret again",
            file=sys.stderr,
        )
    return EXIT_FAILURE if rotation.unreadable else EXIT_OK


async def _rotate_all(settings: Any) -> Any:
    from backend.commands.progress import count_bar
    from backend.credentials.crypto import box_from_settings
    from backend.credentials.rotation import rotate_credentials
    from backend.db.session import create_engine, create_session_factory

    engine = create_engine(settings.database_url)
    try:
        return await rotate_credentials(
            create_session_factory(engine), box_from_settings(settings), count_bar()
        )
    finally:
        await engine.dispose()
