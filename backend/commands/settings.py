"""The settings a command runs with: the environment plus its command-line overrides."""

from __future__ import annotations

from typing import Any

from backend.commands.base import CommandError


def load_settings(**overrides: Any) -> Any:
    """Settings from the environment plus command-line overrides, or ``CommandError``."""
    from pydantic import ValidationError

    from backend.config import Settings

    try:
        return Settings(**{key: value for key, value in overrides.items() if value is not None})
    except ValidationError as error:
        lines = [
            f"  NODELOOM_{'_'.join(map(str, item['loc'])).upper()}: {item['msg']}"
            if item["loc"]
            else f"  {item['msg'].removeprefix('Value error, ')}"
            for item in error.errors(include_url=False)
        ]
        raise CommandError("invalid settings:\n" + "\n".join(lines)) from None
