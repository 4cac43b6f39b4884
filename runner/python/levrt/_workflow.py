"""`python3 -m levrt._workflow`: runs the function a user picked inside the workflow container.

Exit codes: 0 success, 1 the function raised (traceback on stderr), 2 it cannot be called.
"""
from __future__ import annotations

import asyncio
import inspect
import json
import os
import runpy
import sys
import traceback
from typing import Any

from ._cr import Cr
from ._ctx import ctx
from ._exceptions import PackageError
from ._package import resolve_function


async def _call(fn: Any, args: dict[str, Any]) -> None:
    result = fn(**args)
    if inspect.isawaitable(result):
        result = await result
    if isinstance(result, Cr):  # a mode run on its own: a trivial workflow awaiting it
        await result
    await ctx.flush()


def main() -> int:
    call = json.loads(os.environ["LEV_CALL"])
    name, args = call["function"], call.get("args") or {}
    package = os.environ["LEV_PACKAGE"]
    if name.endswith(".py"):
        path = os.path.normpath(os.path.join("/lev/pkg", name))
        if not path.startswith("/lev/pkg/") or not os.path.isfile(path):
            print(f"levrt: no script {name} in the package", file=sys.stderr)
            return 2
        sys.argv = [path]
        try:
            runpy.run_path(path, run_name="__main__")
        except SystemExit as e:
            return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            traceback.print_exc()
            return 1
        return 0
    try:
        fn = resolve_function(package, name)
        inspect.signature(fn).bind(**args)
    except PackageError as e:
        if e.__cause__ is not None:
            traceback.print_exception(e.__cause__)
        print(f"levrt.PackageError: {e}", file=sys.stderr)
        return 2
    except TypeError as e:
        print(f"levrt: cannot call {name}: {e}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_call(fn, args))
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
