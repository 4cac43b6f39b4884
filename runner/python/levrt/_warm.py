"""`python3 -m levrt._warm`: a warm workflow container waiting for the run it will serve.

The runner starts a few of these ahead of runs (runner/src/run/warm-pool.ts). Each has already
paid for its container's start, the interpreter and levrt's imports; it blocks on its slot's FIFO
(`/lev/ctl/go`), which costs nothing while it waits. When a run leases the slot, the runner fills
`/lev/pkg` and `/lev/deps`, listens on `/lev/chan/lev.sock`, writes the run's environment to
`/lev/ctl/call.json`, then writes `go` to the FIFO. The process then becomes what a cold
`python3 -m levrt._workflow` would have been: the same environment, the same `sys.path`, the
workflow module run as `__main__`. A FIFO closed without `go` (the runner gave the slot up) ends it.

A container serves one run at most and is removed with it: nothing of a run survives into another.
"""
from __future__ import annotations

import importlib
import json
import os
import runpy
import sys

# what a cold start imports anyway, paid for while waiting (not levrt._workflow itself: it runs
# as __main__, fresh, as `python3 -m` would run it)
import asyncio  # noqa: F401
import inspect  # noqa: F401
import signal  # noqa: F401
import traceback  # noqa: F401

from . import _channel, _ctx, _cr, _exceptions, _package, _refs  # noqa: F401

CTL = "/lev/ctl"
#: the variables a run may set: the ones a cold workflow container's environment has that differ per run
RUN_ENV = ("PYTHONPATH", "LEV_JOB", "LEV_PACKAGE", "LEV_CALL")
MAX_CALL_BYTES = 8 * 1024 * 1024


def _wait_for_go(ctl: str) -> bool:
    with open(os.path.join(ctl, "go"), "rb") as fifo:  # blocks until the runner opens it
        return fifo.read(16).strip() == b"go"


def _read_env(ctl: str) -> dict[str, str]:
    with open(os.path.join(ctl, "call.json"), "rb") as f:
        raw = f.read(MAX_CALL_BYTES + 1)
    if len(raw) > MAX_CALL_BYTES:
        raise ValueError("call.json is over its size limit")
    env = json.loads(raw)
    if not isinstance(env, dict) or set(env) - set(RUN_ENV) or not all(isinstance(v, str) for v in env.values()):
        raise ValueError(f"call.json is an object of strings with keys among {', '.join(RUN_ENV)}")
    return env


def run_path(started_with: str, run_pythonpath: str, path: list[str]) -> list[str]:
    """`sys.path` as a cold start with `run_pythonpath` would have it: the entries this process
    started with from PYTHONPATH replaced, in place, by the run's."""
    start = [p for p in started_with.split(os.pathsep) if p]
    new = [p for p in run_pythonpath.split(os.pathsep) if p]
    if start and start[0] in path:
        i = path.index(start[0])
        if path[i : i + len(start)] == start:
            return path[:i] + new + path[i + len(start) :]
    return path[:1] + new + [p for p in path[1:] if p not in new]


#: the line that tells the runner this process now waits on its FIFO (its only output before a run)
WAITING = "levrt._warm: waiting"


def main() -> int:
    print(WAITING, flush=True)
    if not _wait_for_go(CTL):
        return 0  # given up before a run: the runner removes this container
    try:
        env = _read_env(CTL)
    except (OSError, ValueError) as e:
        print(f"levrt._warm: cannot read the run's call ({e.__class__.__name__}: {e})", file=sys.stderr)
        return 2
    started_with = os.environ.get("PYTHONPATH", "")
    os.environ.update(env)
    sys.path[:] = run_path(started_with, env.get("PYTHONPATH", started_with), sys.path)
    # /lev/pkg was empty when this process looked at it first
    importlib.invalidate_caches()
    runpy.run_module("levrt._workflow", run_name="__main__", alter_sys=True)  # exits with the workflow's code
    return 0


if __name__ == "__main__":
    sys.exit(main())
