"""``nodeloom validate WORKFLOW.json``: every problem a save would store, for editors and CI.

Exit status: 0 when the workflow can run (warnings are printed but pass), 2 when it has
an error (one line per problem, never a traceback) or another usage error, 1 when the
file cannot be read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from backend.commands.base import EXIT_INVALID, EXIT_OK
from backend.commands.workflow_file import (
    check_workflow_file,
    problem_line,
    problems_json,
    summary_line,
)


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "validate",
        help="check a workflow file: structure and graph (cycles, ports, inputs)",
        description="Check a workflow document as a save would, print every problem, and "
        "exit 2 if any is an error (warnings alone exit 0).",
    )
    parser.add_argument("workflow", type=Path, metavar="WORKFLOW.json", help="`-` reads stdin")
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object instead of lines"
    )
    parser.set_defaults(handler=validate_command)


def validate_command(args: argparse.Namespace) -> int:
    checked = check_workflow_file(args.workflow)
    if args.json:
        errors = len(checked.errors)
        report = {
            "file": str(checked.path),
            "runnable": checked.runnable,
            "error_count": errors,
            "warning_count": len(checked.problems) - errors,
            "problems": problems_json(checked),
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for problem in checked.problems:
            print(problem_line(checked.path, problem))
        print(summary_line(checked))
    return EXIT_OK if checked.runnable else EXIT_INVALID
