"""`Concurrent(limit=None)`: run awaitables side by side, at most `limit` at once."""
from __future__ import annotations

import asyncio
import inspect
from typing import Any, Awaitable, Optional, Union

from ._cr import Cr


class Concurrent:
    def __init__(self, limit: Optional[int] = None) -> None:
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
            raise ValueError("Concurrent: limit is a positive integer or None")
        self.limit = limit
        self._sem: Optional[asyncio.Semaphore] = None
        self._tasks: list[asyncio.Task[Any]] = []

    async def __aenter__(self) -> "Concurrent":
        self._sem = asyncio.Semaphore(self.limit) if self.limit else None
        self._tasks = []
        return self

    def start(self, work: Union[Cr, Awaitable[Any]]) -> "asyncio.Task[Any]":
        """Schedules a mode call (a Cr) or any awaitable; returns a handle to await for its result."""
        if isinstance(work, Cr):
            awaitable: Awaitable[Any] = work.done()
        elif inspect.isawaitable(work):
            awaitable = work
        else:
            raise TypeError(f"Concurrent.start takes a Cr or an awaitable, not {type(work).__name__}")
        sem = self._sem

        async def run() -> Any:
            if sem is None:
                return await awaitable
            async with sem:
                return await awaitable

        task = asyncio.ensure_future(run())
        self._tasks.append(task)
        return task

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if self._tasks:
            await asyncio.wait(self._tasks)
        failures = [t.exception() for t in self._tasks if not t.cancelled() and t.exception() is not None]
        if exc_type is None and failures:
            raise failures[0]  # type: ignore[misc]
        return False
