"""`python3 -m levrt._plan`: the runner's planner (runner/src/policy/planner.ts, PROTOCOL.md "Planner").

A workflow may say a Cr was built by a mode (its entry's builder) whose grant is wider than the
run's — a dependency's mode, or one of the run's own. The runner never believes it: it has this
module call that mode with the claim's JSON arguments, in a container holding only that package's
code, and runs the Cr it builds. The mode must be a plain function defined in the module the claim
names under the name it names (not an imported name, a class, a partial or an attribute chain):
the runner only asks for modes the package's manifest lists, and this checks it again where the
code runs. It rebuilds exactly as `levrt._tool` does (same functions) and prints the CrSpec as
JSON on stdout. Exit codes: 0 printed, 1 could not rebuild, 2 no LEV_PLAN.
"""
from __future__ import annotations

import json
import os
import sys
import traceback
import types
from typing import Any

from ._cr import Cr
from ._exceptions import InvalidRequest
from ._package import resolve_qualname
from ._refs import revive


def call_builder(spec: dict[str, Any]) -> Any:
    """Calls the entry's builder (`module.qualname(*args, **kwargs)`) and returns what it built.
    Arguments that were `levrt.File` handles become handles again; an async mode
    (`async def mode(...) -> Cr`) is run to get its Cr."""
    b = spec["builder"]
    where = f"{b['module']}.{b['qualname']}"
    try:
        target = resolve_qualname(b["module"], b["qualname"])
    except AttributeError as e:
        raise InvalidRequest(f"cannot find {where} to rebuild the Cr: {e}") from None
    built = target(*revive(b["args"]), **revive(b["kwargs"]))
    if isinstance(built, types.CoroutineType):
        import asyncio

        built = asyncio.run(built)
    return built


def follow_path(built: Any, path: list[str], where: str) -> Any:
    """From the Cr a builder returned to the Cr owning the entry (`path`: services, name, …)."""
    cr = built
    for i in range(0, len(path), 2):
        if not isinstance(cr, Cr):
            break
        if path[i] != "services" or i + 1 >= len(path) or path[i + 1] not in cr.services:
            raise InvalidRequest(f"the Cr rebuilt by {where}() has no {'.'.join(path[: i + 2])}")
        cr = cr.services[path[i + 1]]
    return cr


def check_mode(module: str, qualname: str) -> None:
    """The builder is a function defined right there: `module.qualname` is a plain function whose
    own module and name are those (so not `Cr` or any name the module only imports, a class, a
    `functools.partial`, a bound method, a lambda or an attribute of something else)."""
    import inspect  # here, not at the top: levrt._tool imports this module for every task

    where = f"{module}.{qualname}"
    if "." in qualname:
        raise InvalidRequest(f"{where}: a mode is a module-level function, not an attribute chain")
    try:
        target = resolve_qualname(module, qualname)
    except AttributeError as e:
        raise InvalidRequest(f"cannot find {where} to build the Cr: {e}") from None
    if not inspect.isfunction(target) or target.__name__ == "<lambda>":
        raise InvalidRequest(f"{where} is a {type(target).__name__}, not a function defined in its package")
    if target.__module__ != module or target.__qualname__ != qualname:
        raise InvalidRequest(
            f"{where} is {target.__module__}.{target.__qualname__}, defined elsewhere and only imported there"
        )


def rebuild(spec: dict[str, Any]) -> Cr:
    """The Cr an EntrySpec's builder makes (only builders that return a Cr can be checked)."""
    b = spec["builder"]
    where = f"{b['module']}.{b['qualname']}"
    if b.get("direct"):
        raise InvalidRequest(f"{where} is a module-level entry: no builder makes its Cr")
    check_mode(b["module"], b["qualname"])
    cr = follow_path(call_builder(spec), list(spec.get("path") or []), where)
    if not isinstance(cr, Cr):
        raise InvalidRequest(f"{where}() returned {type(cr).__name__}, not a Cr")
    return cr


def main() -> int:
    raw = os.environ.get("LEV_PLAN")
    if not raw:
        print("levrt._plan: LEV_PLAN is not set; only the runner starts the planner", file=sys.stderr)
        return 2
    try:
        out = json.dumps(rebuild(json.loads(raw)).spec(), allow_nan=False)
    except BaseException:
        traceback.print_exc()
        return 1
    sys.stdout.write(out)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
