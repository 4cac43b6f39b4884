"""`Task` (a started container) and `Document` (the result it stored)."""
from __future__ import annotations

import os
from typing import Any, AsyncIterator, Generator, Optional

from ._channel import get_channel


class Collection:
    """The collection a task's result is stored in, e.g. `demo1|szczecin/nmap_python.port_os@1.0`."""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def collection_name(self) -> str:
        return self.name

    # the seeds' spelling
    collaction_name = collection_name

    @property
    def full_name(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Collection({self.name!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Collection):
            return other.name == self.name
        return isinstance(other, str) and other == self.name

    def __hash__(self) -> int:
        return hash(self.name)


class Document:
    """The result a task stored. `await doc.get()` reads it; `await doc` is the same."""

    def __init__(self, coll: Collection, task: int) -> None:
        self.coll = coll
        self.task = task

    @property
    def filters(self) -> dict[str, Any]:
        return {"_id": {"job": int(os.environ.get("LEV_JOB", "0")), "task": self.task}}

    async def get(self, query: Optional[dict[str, Any]] = None, projection: Any = None) -> Optional[dict[str, Any]]:
        """Like MongoDB's `findOne(query, projection)` on this task's stored result."""
        if query is not None and not isinstance(query, dict):
            raise TypeError("query must be a dict")
        if isinstance(projection, (list, tuple)):
            projection = {k: 1 for k in projection}
        ch = await get_channel()
        res = await ch.request("find_one", coll=self.coll.name, task=self.task, query=query, projection=projection)
        return res.get("doc")

    async def all(self) -> AsyncIterator[dict[str, Any]]:
        """Every document this run stored in the same collection (with `_id: {job, task}`)."""
        ch = await get_channel()
        res = await ch.request("find", coll=self.coll.name)
        for doc in res.get("docs", []):
            yield doc

    def __await__(self) -> Generator[Any, None, Optional[dict[str, Any]]]:
        return self.get().__await__()

    def __repr__(self) -> str:
        return f"<levrt Document task={self.task} coll={self.coll.name!r}>"


class Task:
    """A container started with `await cr.start()`. `await task`, `await task()` and
    `await task.done()` wait for its end and return its `Document`."""

    def __init__(self, number: int, host: str, coll: str) -> None:
        self.number = number
        self.host = host
        self.coll = Collection(coll)

    async def signal(self, signal: str = "SIGINT") -> None:
        """Sends a signal to the container (default SIGINT: stop). A task ended this way is not
        an error: waiting for it returns what it stored before it stopped."""
        if not isinstance(signal, str):
            signal = getattr(signal, "name", str(signal))
        ch = await get_channel()
        await ch.request("signal", task=self.number, signal=signal)

    async def done(self) -> Document:
        ch = await get_channel()
        res = await ch.request("wait", task=self.number)
        return Document(Collection(res.get("coll", self.coll.name)), self.number)

    def __call__(self) -> Any:
        return self.done()

    def __await__(self) -> Generator[Any, None, Document]:
        return self.done().__await__()

    def __repr__(self) -> str:
        return f"<levrt Task {self.number} host={self.host!r}>"
