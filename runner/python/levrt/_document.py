"""`Document` (the result a task stored) and `Collection` (where it is stored)."""
from __future__ import annotations

import os
from typing import Any, AsyncIterator, Generator, Mapping, Optional, Sequence, Union

from ._channel import get_channel

Projection = Union[Mapping[str, Any], Sequence[str], None]


class Collection:
    """The collection a task's result is stored in, e.g. `demo1|szczecin/nmap_python.port_os@1.0`.

    `str(coll)` is the name; `.collection_name` and the seeds' `.collaction_name` are aliases."""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def collection_name(self) -> str:
        return self.name

    # the seeds' spelling (API reference, 003)
    collaction_name = collection_name

    @property
    def full_name(self) -> str:
        return self.name

    @property
    def namespace(self) -> tuple[str, ...]:
        """The namespace parts before the schema: `("demo2", "demo1")`."""
        return tuple(self.name.split("|")[:-1])

    @property
    def schema(self) -> str:
        return self.name.split("|")[-1]

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
    """The result a task stored. `await doc.get()` reads it; `await doc` is the same;
    `async for d in doc.all()` reads every document of this run in the same collection."""

    def __init__(self, coll: Union[Collection, str], task: int) -> None:
        self.coll = coll if isinstance(coll, Collection) else Collection(coll)
        self.task = task

    @property
    def filters(self) -> dict[str, Any]:
        """The stored document's `_id` (the seeds call it `__filters`)."""
        return {"_id": {"job": int(os.environ.get("LEV_JOB", "0") or 0), "task": self.task}}

    async def get(self, query: Optional[Mapping[str, Any]] = None, projection: Projection = None) -> Optional[dict[str, Any]]:
        """Like MongoDB's `findOne(query, projection)` on this task's stored result; `None` when
        the task stored nothing (or nothing matches `query`). `projection` may be a dict or a
        list of field names."""
        if query is not None and not isinstance(query, Mapping):
            raise TypeError(f"Document.get: query must be a dict, not {type(query).__name__}")
        if projection is not None and not isinstance(projection, Mapping):
            if isinstance(projection, str) or not isinstance(projection, Sequence):
                raise TypeError("Document.get: projection is a dict ({'field': 1}) or a list of field names")
            projection = {str(k): 1 for k in projection}
        ch = await get_channel()
        res = await ch.request(
            "find_one",
            coll=self.coll.name,
            task=self.task,
            query=dict(query) if query is not None else None,
            projection=dict(projection) if projection is not None else None,
        )
        return res.get("doc")

    async def all(self) -> AsyncIterator[dict[str, Any]]:
        """Every document this run stored in the same collection, each with `_id: {job, task}`."""
        ch = await get_channel()
        res = await ch.request("find", coll=self.coll.name)
        for doc in res.get("docs") or []:
            yield doc

    def __await__(self) -> Generator[Any, None, Optional[dict[str, Any]]]:
        return self.get().__await__()

    def __repr__(self) -> str:
        return f"<levrt Document task={self.task} coll={self.coll.name!r}>"


__all__ = ["Collection", "Document"]
