"""levrt: the Leviathan runtime. Modes return `Cr`s; workflows await them; `ctx.set` stores results.

    from levrt import Cr, ctx, annot, Concurrent, remote
"""
from __future__ import annotations

from typing import Any, Awaitable, TypeVar

from . import annot
from ._concurrent import Concurrent
from ._cr import Cr
from ._ctx import Ctx, Namespace, ctx, lev
from ._exceptions import (
    ChannelError,
    ImageNotFound,
    InvalidRequest,
    LevrtError,
    PackageError,
    RunnerError,
    TaskCancelled,
    TaskError,
    TaskFailed,
    TaskTimeout,
)
from ._remote import Entry, RemoteFunction, remote
from ._document import Collection, Document
from ._task import Task

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
    "ChannelError", "Collection", "Concurrent", "Cr", "Ctx", "Document", "Entry", "ImageNotFound",
    "InvalidRequest", "LevrtError", "Namespace", "PackageError", "RemoteFunction", "RunnerError", "Task",
    "TaskCancelled", "TaskError", "TaskFailed", "TaskTimeout", "annot", "ctx", "lev", "remote", "run",
]
