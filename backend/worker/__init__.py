"""Execution side of runs: the executor (with its heartbeat), the recorder and the reaper.

``nodeloom worker`` runs an ``Executor``; every API process runs a ``Recorder`` and a
``Reaper`` (and, in the embedded mode, an ``Executor`` too). See each module.
"""
