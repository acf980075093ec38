"""Engine tests: this directory is on ``sys.path`` so tests import ``engine_testkit``.

The repository root is on ``sys.path`` too (``pythonpath`` in pyproject.toml), so the
folder ``tests/graph_engine`` never shadows the real ``graph_engine`` package.
"""
