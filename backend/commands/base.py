"""What every ``nodeloom`` command shares: exit codes and the error a person can fix."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INVALID = 2  # the workflow document, or the inputs given for it, has a problem
EXIT_INTERRUPTED = 130


class CommandError(Exception):
    """A failure the person running the command can fix; printed without a traceback."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.exit_code = exit_code
