"""Start-up cost: the server loads no model library until a run needs one.

A fresh interpreter imports the server, builds the app and runs its start-up (the
database, the bus, the embedded worker) and its shutdown, then lists the heavy modules
it holds. Timing is not asserted here (this machine is shared); ``bench/footprint.py``
measures start-to-healthy and idle memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = (
    "torch",
    "sentence_transformers",
    "transformers",
    "llama_cpp",
    "langchain_openai",
    "langchain_anthropic",
    "openai",
    "anthropic",
    "tiktoken",
    "pinecone",
    "numpy",
    "pypdf",
)

STARTUP = """
import asyncio, json, sys
from pathlib import Path
import backend.cli
from backend.app import create_app
from backend.config import Settings
from backend.db.migrate import upgrade_database

async def main(directory):
    url = f"sqlite+aiosqlite:///{directory}/nodeloom.db"
    await upgrade_database(url)
    app = create_app(Settings(database_url=url, data_dir=directory))
    async with app.router.lifespan_context(app):
        pass

asyncio.run(main(Path(sys.argv[1])))
print(json.dumps([name for name in sys.argv[2:] if name in sys.modules]))
"""


def _heavy_after_startup(directory: Path, prelude: str = "") -> list[str]:
    """The ``HEAVY`` modules a fresh interpreter holds after the server's start-up."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NODELOOM_", "OTEL_"))
    }
    done = subprocess.run(
        [sys.executable, "-c", prelude + STARTUP, str(directory), *HEAVY],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_starting_the_server_loads_no_model_library(tmp_path: Path):
    loaded = _heavy_after_startup(tmp_path)
    assert loaded == [], f"start-up imported {loaded}; import them where they are first used"


def test_the_probe_sees_a_heavy_import(tmp_path: Path):
    assert "langchain_openai" in _heavy_after_startup(tmp_path, "import langchain_openai\n")
