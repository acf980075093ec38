"""Subcommands of ``nodeloom`` that work on workflow files: ``validate`` and ``run``.

Each module registers its own arguments (``register``) and imports the engine only when
the command runs, so ``nodeloom --help`` stays quick.
"""
