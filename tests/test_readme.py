"""The README stays true: it opens with the two commands and documents every setting
and every command of the `nodeloom` CLI."""

from __future__ import annotations

import re
from pathlib import Path

from backend.cli import _parser
from backend.config import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None and README.index("```sh") < README.index("\n## ")
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make run", "make test"]


def test_every_setting_is_documented():
    for name in Settings.model_fields:
        assert f"`NODELOOM_{name.upper()}`" in README, f"NODELOOM_{name.upper()} is not in README"


def test_every_cli_command_is_documented():
    subcommands = _parser()._subparsers._group_actions[0].choices
    for name, parser in subcommands.items():
        nested = parser._subparsers._group_actions[0].choices if parser._subparsers else {"": None}
        for sub in nested:
            command = f"nodeloom {name} {sub}".strip()
            assert f"`{command}" in README, f"{command} is not in README"
