"""`Concurrent(limit=None)`: run awaitables side by side, at most `limit` at once."""
from __future__ import annotations


from typing import TYPE_CHECKING, Any, Awaitable, Optional, TypeVar, Union, overload

if TYPE_CHECKING:  # asyncio is imported on use: tool containers never need it
    import asyncio

from ._cr import Cr
from ._document import Document

T = TypeVar("T")


class Concurrent:
    """`async with Concurrent(limit=2) as c: h = c.start(mode(x))`.

    `start` is synchronous (the seeds never await it) and returns a handle (an `asyncio.Task`);
    awaiting the handle gives the result (a mode's `Document`). Leaving the block waits for every
    handle, then re-raises the first failure. If the block itself raises, the handles still
    running are cancelled. Namespaces (`with ctx / "x"`) active at `start` apply to the handle."""

    def __init__(self, limit: Optional[int] = None) -> None:
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
            raise ValueError(f"Concurrent: limit is a positive integer or None, not {limit!r}")
        self.limit = limit
        self._sem: Optional[asyncio.Semaphore] = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._first_failure: Optional[BaseException] = None
        self._entered = False

    async def __aenter__(self) -> "Concurrent":
        import asyncio

        if self._entered:
            raise RuntimeError("Concurrent: this block is already open; make a new Concurrent()")
        self._sem = asyncio.Semaphore(self.limit) if self.limit else None
        self._tasks = []
        self._first_failure = None
        self._entered = True
        return self

    @overload
    def start(self, work: Cr) -> "asyncio.Task[Document]": ...
    @overload
    def start(self, work: Awaitable[T]) -> "asyncio.Task[T]": ...

    def start(self, work: Union[Cr, Awaitable[Any]]) -> "asyncio.Task[Any]":
        """Schedules a mode call (a Cr) or any awaitable/coroutine; returns its handle at once."""
        import asyncio
        import inspect

        if not self._entered:
            if inspect.iscoroutine(work):
                work.close()  # never run: no "never awaited" warning on top of this error
            raise RuntimeError("Concurrent.start is used inside `async with Concurrent(...) as c:`")
        if isinstance(work, Cr):
            awaitable: Awaitable[Any] = work.done()
        elif inspect.isawaitable(work):
            awaitable = work
        else:
            raise TypeError(
                f"Concurrent.start takes a mode call (a Cr) or an awaitable, not {type(work).__name__}"
                + (" (did you pass the function instead of calling it?)" if callable(work) else "")
            )
        sem = self._sem

        async def run() -> Any:
            if sem is None:
                return await awaitable
            async with sem:
                return await awaitable

        # the task copies the current context: namespaces active here apply to it
        task = asyncio.ensure_future(run())
        task.add_done_callback(self._note)
        self._tasks.append(task)
        return task

    def _note(self, task: "asyncio.Task[Any]") -> None:
        if not task.cancelled() and task.exception() is not None and self._first_failure is None:
            self._first_failure = task.exception()

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        import asyncio

        self._entered = False
        pending = [t for t in self._tasks if not t.done()]
        if exc_type is not None:
            for t in pending:
                t.cancel()
            if pending:
                await asyncio.wait(pending)
            return False
        try:
            if pending:
                await asyncio.wait(pending)
        except asyncio.CancelledError:
            for t in self._tasks:
                t.cancel()
            raise
        for t in self._tasks:
            if not t.cancelled():
                t.exception()  # mark retrieved: the first failure is raised below
        if self._first_failure is not None:
            raise self._first_failure
        return False


__all__ = ["Concurrent"]
