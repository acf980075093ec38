"""Start-up cost of `nodeloom serve` (and of another server, side by side).

Cold start to healthy and idle resident memory of `nodeloom serve`, and the same for a
second server when one is named on the command line, with the ratio.

Start to healthy is the time from launching the process to the first `200` from its
health URL (polled every 10 ms); the first start creates and migrates a fresh SQLite
database, the next ones (the median is reported) restart on it, as a deployment does.
The CPU time the process used until then is shown too: on a busy machine the wall
clock mostly measures the wait for a core. Idle memory is the resident set (VmRSS,
summed over the process and its children) after
the server has sat idle for a few seconds. Every start is on the embedded default
(SQLite, in-process bus, the worker inside the API process).

Targets: healthy within 3 s of starting; idle under 250 MiB.

    python bench/footprint.py [--starts N] [--idle S]
    python bench/footprint.py --health-url http://127.0.0.1:{port}/health -- CMD … {port} …

In the second form `{port}` in the command and the URL is replaced by a free port.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

NODELOOM = Path(sys.executable).parent / "nodeloom"
HEALTH_PATH = "/api/v1/health"
START_TIMEOUT_S = 120.0
POLL_S = 0.01
TARGET_HEALTHY_MS = 3000.0
TARGET_RSS_MIB = 250.0


@dataclass(frozen=True)
class Start:
    healthy_ms: float
    cpu_ms: float


@dataclass(frozen=True)
class Figures:
    first: Start
    restarts: list[Start]
    rss_mib: float

    @property
    def median_ms(self) -> float:
        return statistics.median(start.healthy_ms for start in self.restarts)

    @property
    def median_cpu_ms(self) -> float:
        return statistics.median(start.cpu_ms for start in self.restarts)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(POLL_S)
    process.kill()
    raise SystemExit(f"{url} did not answer 200 within {START_TIMEOUT_S:g} s")


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def tree_rss_kib(pid: int) -> int:
    """VmRSS of ``pid`` and every process below it, in KiB."""
    total = 0
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def tree_cpu_ms(pid: int) -> float:
    """CPU time (user + system) used so far by ``pid`` and the processes below it: on a
    busy machine it says what the start costs, whatever the wait for a core."""
    ticks = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


def one_start(
    command: list[str], url: str, env: dict[str, str], idle_s: float | None
) -> tuple[Start, float | None]:
    """Launch, wait for health; the start's figures and the idle RSS in MiB (or None)."""
    began = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_healthy(process, url)
        healthy_ms = (time.perf_counter() - began) * 1000
        cpu_ms = tree_cpu_ms(process.pid)
        rss = None
        if idle_s is not None:
            time.sleep(idle_s)
            rss = tree_rss_kib(process.pid) / 1024
        return Start(healthy_ms, cpu_ms), rss
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure(label: str, make, starts: int, idle_s: float) -> Figures:
    """``make(port)`` gives (command, health URL, environment) for one start."""
    command, url, env = make(free_port())
    first, rss = one_start(command, url, env, idle_s)
    assert rss is not None
    print(
        f"  {label}: first start {first.healthy_ms:.0f} ms ({first.cpu_ms:.0f} ms CPU), "
        f"idle RSS {rss:.1f} MiB",
        flush=True,
    )
    restarts = []
    for index in range(starts):
        command, url, env = make(free_port())
        start, _ = one_start(command, url, env, None)
        restarts.append(start)
        print(
            f"  {label}: restart {index + 1}/{starts}: {start.healthy_ms:.0f} ms "
            f"({start.cpu_ms:.0f} ms CPU)",
            flush=True,
        )
    return Figures(first, restarts, rss)


def nodeloom_maker(data_dir: Path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("NODELOOM_", "OTEL_"))},
        "NODELOOM_DATA_DIR": str(data_dir),
        "NODELOOM_FRONTEND_DIR": str(data_dir / "no-frontend"),
        "NODELOOM_LOG_LEVEL": "warning",
    }

    def make(port: int):
        command = [str(NODELOOM), "serve", "--port", str(port)]
        return command, f"http://127.0.0.1:{port}{HEALTH_PATH}", env

    return make


def other_maker(command: list[str], health_url: str):
    def make(port: int):
        filled = [part.replace("{port}", str(port)) for part in command]
        return filled, health_url.replace("{port}", str(port)), dict(os.environ)

    return make


def report(label: str, figures: Figures) -> None:
    times = [start.healthy_ms for start in figures.restarts]
    print(
        f"{label}: start→healthy median {figures.median_ms:.0f} ms "
        f"({min(times):.0f}–{max(times):.0f} ms over {len(times)} restarts; first start "
        f"{figures.first.healthy_ms:.0f} ms), CPU to healthy median "
        f"{figures.median_cpu_ms:.0f} ms, idle RSS {figures.rss_mib:.1f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--starts", type=int, default=5, help="restarts to take the median of")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds idle before the RSS")
    parser.add_argument("--health-url", help="the other server's health URL, with {port}")
    parser.add_argument("other", nargs="*", help="the other server's command, after --")
    args = parser.parse_args()
    if args.other and not args.health_url:
        parser.error("name the other server's health URL with --health-url")
    print(__doc__.strip().splitlines()[0])
    load = os.getloadavg()[0]
    print(f"machine load (1 min): {load:.1f} on {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory(prefix="nodeloom-footprint-") as data_dir:
        ours = measure("nodeloom", nodeloom_maker(Path(data_dir)), args.starts, args.idle)
    other = None
    if args.other:
        maker = other_maker(args.other, args.health_url)
        other = measure("other", maker, args.starts, args.idle)
    print()
    report("nodeloom serve", ours)
    healthy_ok = "meets" if ours.median_ms <= TARGET_HEALTHY_MS else "MISSES"
    rss_ok = "meets" if ours.rss_mib <= TARGET_RSS_MIB else "MISSES"
    print(
        f"  {healthy_ok} the {TARGET_HEALTHY_MS / 1000:g} s start target, "
        f"{rss_ok} the {TARGET_RSS_MIB:g} MiB idle target"
    )
    if other is not None:
        report(" ".join(args.other), other)
        print(
            f"ratio other / nodeloom: start→healthy {other.median_ms / ours.median_ms:.2f}×, "
            f"CPU to healthy {other.median_cpu_ms / ours.median_cpu_ms:.2f}×, "
            f"idle RSS {other.rss_mib / ours.rss_mib:.2f}×"
        )


if __name__ == "__main__":
    main()
