"""Packs the built frontend into the wheel; everything else is in ``pyproject.toml``.

``frontend/dist`` (made by ``make frontend``) lies outside the Python packages, so
``build_py`` copies it to ``backend/frontend_dist`` in the build, where
``backend.frontend.built_frontend_dir`` finds it once installed. An editable install
serves the source tree's ``frontend/dist`` instead and copies nothing.
"""

import logging
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BUILT_FRONTEND = Path(__file__).resolve().parent / "frontend" / "dist"
PACKAGED_FRONTEND = Path("backend", "frontend_dist")


class BuildPyWithFrontend(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / PACKAGED_FRONTEND
        shutil.rmtree(target, ignore_errors=True)  # no asset of an earlier build stays
        if not (BUILT_FRONTEND / "index.html").is_file():
            self.announce(
                f"{BUILT_FRONTEND} is not built (make frontend): this wheel serves no pages "
                "unless NODELOOM_FRONTEND_DIR names a built frontend",
                level=logging.WARNING,
            )
            return
        shutil.copytree(BUILT_FRONTEND, target)


setup(cmdclass={"build_py": BuildPyWithFrontend})
