"""`python3 -m levrt._workflow`: runs the function a user picked inside the workflow container.

Exit codes: 0 success, 1 the function raised (traceback on stderr), 2 it cannot be called
(no such function or script, import error, arguments that do not bind, bad LEV_CALL),
130 SIGINT, 143 SIGTERM. A script (`main.py`) exits with its own code.
"""
from __future__ import annotations

import asyncio
import inspect
import json
import os
import runpy
import signal
import sys
import traceback
from typing import Any

from ._cr import Cr
from ._ctx import ctx
from ._channel import get_channel
from ._exceptions import LevrtError, PackageError, TaskError
from ._package import resolve_function
from ._refs import revive


async def _call(fn: Any, args: dict[str, Any]) -> None:
    try:
        result = fn(**args)
        if inspect.isawaitable(result):
            result = await result
        if isinstance(result, Cr):  # a mode run on its own: a trivial workflow awaiting it
            await result
        await ctx.flush()
    except TaskError as e:
        # the run's error is then that task's error (PolicyDenied, TaskTimeout, …) as the runner
        # recorded it, not a generic WorkflowError; the traceback still goes to stderr
        if e.task is not None:
            try:
                await (await get_channel()).request("failed", task=e.task)
            except LevrtError:
                pass
        raise


class _Terminated(BaseException):
    pass


def _on_sigterm(signum: int, frame: Any) -> None:
    raise _Terminated()


async def _call_until_terminated(fn: Any, args: dict[str, Any]) -> None:
    """`_call`, with SIGTERM (the run was cancelled) handled by the event loop: it cancels the
    function. Raised from a signal handler wherever the signal lands, it could land inside a
    transport's write, where asyncio takes it for a broken connection and the workflow ends with
    a ConnectionResetError instead of 143."""
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    assert main is not None
    terminated = False

    def on_sigterm() -> None:
        nonlocal terminated
        terminated = True
        main.cancel()

    loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    try:
        await _call(fn, args)
    except asyncio.CancelledError:
        if not terminated:
            raise
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        signal.signal(signal.SIGTERM, _on_sigterm)
    if terminated:
        raise _Terminated()


def _package_dir(package: str) -> str:
    """The directory holding `lev/<ns>/<name>/` on sys.path (/lev/pkg in the container)."""
    rel = os.path.join(*package.split("."))
    for entry in sys.path:
        if entry and os.path.isfile(os.path.join(entry, rel, "__init__.py")):
            return os.path.abspath(entry)
    return "/lev/pkg"


def _run_script(package: str, name: str) -> int:
    base = _package_dir(package)
    path = os.path.normpath(os.path.join(base, name))
    if not path.startswith(base + os.sep) or not os.path.isfile(path):
        print(f"levrt: no script {name!r} in the package ({base})", file=sys.stderr)
        return 2
    sys.argv = [path]
    sys.path.insert(0, os.path.dirname(path))  # as `python3 main.py` would
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except KeyboardInterrupt:
        return 130
    except _Terminated:
        return 143
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def main() -> int:
    signal.signal(signal.SIGTERM, _on_sigterm)  # the run was cancelled: end quietly
    try:
        call = json.loads(os.environ["LEV_CALL"])
        name, args = call["function"], call.get("args") or {}
        package = os.environ["LEV_PACKAGE"]
        if not isinstance(name, str) or not isinstance(args, dict):
            raise TypeError("LEV_CALL is {\"function\": str, \"args\": object}")
        args = revive(args)  # file references → levrt.File handles
    except (KeyError, ValueError, TypeError) as e:
        print(f"levrt._workflow: bad or missing LEV_CALL / LEV_PACKAGE ({e.__class__.__name__}: {e})", file=sys.stderr)
        return 2
    if name.endswith(".py"):
        return _run_script(package, name)
    try:
        fn = resolve_function(package, name)
    except PackageError as e:
        if e.__cause__ is not None:
            traceback.print_exception(type(e.__cause__), e.__cause__, e.__cause__.__traceback__)
        print(f"levrt.PackageError: {e}", file=sys.stderr)
        return 2
    try:
        inspect.signature(fn).bind(**args)
    except TypeError as e:
        print(f"levrt: cannot call {name}({', '.join(args)}): {e}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_call_until_terminated(fn, args))
    except KeyboardInterrupt:
        print("levrt: interrupted (SIGINT)", file=sys.stderr)
        return 130
    except _Terminated:
        print("levrt: terminated (SIGTERM)", file=sys.stderr)
        return 143
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
