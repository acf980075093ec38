"""The wheel is the whole app: ``python -m build`` packs the built frontend, and in a fresh
venv the installed ``nodeloom serve`` serves it from the wheel's own files.

No network: the wheel goes into the fresh venv with ``--no-deps``, its dependencies come
from this venv's site-packages through a ``.pth`` line. A directory a ``.pth`` line adds
gets no ``.pth`` processing of its own, so this checkout's editable install stays out and
``backend`` can only come from the wheel.
"""

from __future__ import annotations

import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import httpx
import pytest
from services.nodeloom import NodeloomProcess
from services.processes import free_port

REPO = Path(__file__).resolve().parents[1]
BUILT_FRONTEND = REPO / "frontend" / "dist"
PACKAGED_FRONTEND = "backend/frontend_dist"


def test_the_wheel_serves_the_app_from_a_fresh_venv(tmp_path: Path):
    if not (BUILT_FRONTEND / "index.html").is_file():
        pytest.fail(
            "frontend/dist/index.html is missing: build the frontend first (`make frontend`), "
            "the wheel packs it"
        )
    wheel = build_wheel(tmp_path / "dist")
    assert f"{PACKAGED_FRONTEND}/index.html" in zipfile.ZipFile(wheel).namelist()
    venv = venv_with(wheel, tmp_path / "venv")
    assert where_backend_comes_from(venv).is_relative_to(venv)

    # Started outside the checkout, with its port and data directory from a .env there.
    home, port = tmp_path / "home", free_port()
    home.mkdir()
    (home / ".env").write_text(f"NODELOOM_PORT={port}\nNODELOOM_DATA_DIR={home / 'data'}\n")
    environment = {"NODELOOM_LOG_LEVEL": "warning", "PYTHONPATH": ""}
    server = NodeloomProcess(
        "serve", ["serve"], environment, tmp_path / "serve.log", port,
        program=venv / "bin" / "nodeloom", cwd=home,
    )  # fmt: skip
    try:
        server.start()
        page = httpx.get(f"{server.base_url}/workflows")
        script = re.search(r'src="(/assets/[^"]+\.js)"', page.text)
        assert script is not None, page.text
        asset = httpx.get(f"{server.base_url}{script[1]}")
    finally:
        server.stop()

    assert page.status_code == 200
    assert page.text == (BUILT_FRONTEND / "index.html").read_text()
    assert asset.status_code == 200
    assert "javascript" in asset.headers["content-type"]
    assert asset.content == (BUILT_FRONTEND / script[1].lstrip("/")).read_bytes()


def build_wheel(outdir: Path) -> Path:
    """``python -m build`` as a release makes it (sdist, then the wheel from the sdist),
    with this venv's setuptools instead of a downloaded one."""
    command = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(outdir), str(REPO)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    [wheel] = outdir.glob("nodeloom-*.whl")
    return wheel


def venv_with(wheel: Path, venv: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    install += ["--no-deps", "--no-index", str(wheel)]
    subprocess.run(install, check=True, timeout=120)
    site = run_in(venv, "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def where_backend_comes_from(venv: Path) -> Path:
    return Path(run_in(venv, "import backend; print(backend.__file__)"))


def run_in(venv: Path, code: str) -> str:
    command = [str(venv / "bin" / "python"), "-c", code]
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=venv)
    return result.stdout.strip()
