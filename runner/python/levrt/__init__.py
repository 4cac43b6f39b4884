"""levrt: the Leviathan runtime. Modes return `Cr`s; workflows await them; `ctx.set` stores results.

    from levrt import Cr, ctx, annot, Concurrent, remote, File, Secret
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Awaitable, TypeVar

from ._ctx import Ctx, Namespace, ctx, lev
from ._exceptions import (
    ChannelError,
    ImageNotFound,
    InvalidRequest,
    LevrtError,
    OutputTooLarge,
    PackageError,
    PolicyDenied,
    QuotaExceeded,
    RunnerError,
    TaskCancelled,
    TaskError,
    TaskFailed,
    TaskTimeout,
)

# A container running a dependency's code under that dependency's grant has no package directory
# on sys.path; `LEV_DEPS` lists the dependencies whose `lev/` folders make the `lev` namespace
# (runner/PROTOCOL.md, "Grants of dependencies"). Set before any `lev.…` import.
import os as _os

if _os.environ.get("LEV_DEPS"):
    from ._deps import mount_lev_namespace

    mount_lev_namespace(_os.environ["LEV_DEPS"].split(":"))

if TYPE_CHECKING:
    from . import annot
    from ._concurrent import Concurrent
    from ._cr import Cr
    from ._document import Collection, Document
    from ._refs import File, Secret
    from ._remote import Entry, RemoteFunction, remote
    from ._task import Task

# The rest of the API loads on first use (PEP 562): every tool container imports levrt, and a
# task pays for each module it imports before its entry runs.
_LAZY = {
    "annot": (".annot", None),
    "Concurrent": ("._concurrent", "Concurrent"),
    "Cr": ("._cr", "Cr"),
    "Collection": ("._document", "Collection"),
    "Document": ("._document", "Document"),
    "File": ("._refs", "File"),
    "Secret": ("._refs", "Secret"),
    "Entry": ("._remote", "Entry"),
    "RemoteFunction": ("._remote", "RemoteFunction"),
    "remote": ("._remote", "remote"),
    "Task": ("._task", "Task"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module_name, attr = _LAZY[name]
        module = importlib.import_module(module_name, __name__)
        value = module if attr is None else getattr(module, attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'levrt' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


T = TypeVar("T")

__version__ = "1.0.0"


def run(main: Awaitable[T]) -> T:
    """Runs a workflow coroutine from an author's own script (`levrt.run(main())`).
    It needs a runner: `npx lev exec <package-dir> main.py` runs the script inside one."""

    import asyncio
    import inspect

    async def wrapper() -> T:
        from ._channel import get_channel

        await get_channel()  # fails clearly when there is no runner
        result = await main
        await ctx.flush()
        return result

    try:
        return asyncio.run(wrapper())
    finally:
        if inspect.iscoroutine(main) and main.cr_frame is not None and not main.cr_running:
            main.close()  # never started (no runner): no "never awaited" warning


__all__ = [
    "ChannelError", "Collection", "Concurrent", "Cr", "Ctx", "Document", "Entry", "File", "ImageNotFound",
    "InvalidRequest", "LevrtError", "Namespace", "OutputTooLarge", "PackageError", "PolicyDenied",
    "QuotaExceeded", "RemoteFunction", "RunnerError", "Secret", "Task", "TaskCancelled", "TaskError", "TaskFailed",
    "TaskTimeout", "annot", "ctx", "lev", "remote", "run",
]
