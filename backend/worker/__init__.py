"""Execution side of runs: the executor (with its heartbeat), run by ``nodeloom worker``
and, in the embedded mode, inside the API process. The API's own side of runs, the
recorder and the reaper, is in ``backend.runs``.
"""
