"""`ctx` (alias `lev`): storing results and namespacing where they are stored.

Where `ctx.set` writes depends on where the code runs:
- in a tool container (LEV_TASK and LEV_CHANNEL set): the task's whole document, sent over the
  task channel after every call and acknowledged by the runner, so whatever was stored before a
  signal or a kill survives;
- in a workflow container (LEV_CHANNEL set): the workflow's own document (task 0), sent to the
  runner;
- anywhere else (tests, a REPL): kept in memory in `ctx.document`.
"""
from __future__ import annotations

import contextvars
import json
import os
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    import asyncio

_namespace: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("levrt_namespace", default=())


_MAX_PART = 64  # the runner's limits (runner/src/channel/spec.ts nsSchema)
_MAX_DEPTH = 16


def _check_part(name: object) -> str:
    if not isinstance(name, str) or not name:
        raise TypeError(f"a namespace is a non-empty string, not {name!r}")
    if "|" in name or "$" in name or "\0" in name:
        raise ValueError(f"namespace {name!r} may not contain '|', '$' or NUL")
    if len(name) > _MAX_PART:
        raise ValueError(f"namespace {name[:20]!r}… is longer than {_MAX_PART} characters")
    return name


class Namespace:
    """`ctx / "a" / "b"`: a context manager prefixing result collections with `a|b|`."""

    def __init__(self, parts: tuple[str, ...]) -> None:
        self.parts = parts
        self._tokens: list[contextvars.Token[tuple[str, ...]]] = []

    def __truediv__(self, name: str) -> "Namespace":
        return Namespace(self.parts + (_check_part(name),))

    def __enter__(self) -> "Namespace":
        parts = _namespace.get() + self.parts
        if len(parts) > _MAX_DEPTH:
            raise ValueError(f"namespaces nest at most {_MAX_DEPTH} deep")
        self._tokens.append(_namespace.set(parts))
        return self

    def __exit__(self, *exc: object) -> None:
        _namespace.reset(self._tokens.pop())

    def __repr__(self) -> str:
        return f"<levrt namespace {'|'.join(self.parts)}>"


def current_namespace() -> tuple[str, ...]:
    return _namespace.get()


def _checked(fields: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in fields.items():
        if not isinstance(k, str):
            raise TypeError(f"ctx.set: field names are strings, not {k!r}")
        try:
            json.dumps(v, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise TypeError(f"ctx.set: the value of field {k!r} is not JSON-serialisable ({e})") from None
        out[k] = v
    return out


class Ctx:
    """`ctx` (alias `lev`): `ctx.set(**fields)`, `ctx.update(mapping)`, `with ctx / "ns":`.

    Outside any runner (no LEV_CHANNEL: tests, a REPL) `set` keeps the fields in
    memory in `ctx.document`, so a mode's entry can be unit-tested by calling it directly."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {}
        self._pending: list[asyncio.Future[Any]] = []

    def __truediv__(self, name: str) -> Namespace:
        return Namespace((_check_part(name),))

    @property
    def namespace(self) -> tuple[str, ...]:
        return current_namespace()

    def set(self, *mappings: Mapping[str, Any], **fields: Any) -> None:
        """Sets fields of this task's result document: `ctx.set(target=ip, ports=[…])`."""
        merged: dict[str, Any] = {}
        for m in mappings:
            if not isinstance(m, Mapping):
                raise TypeError(f"ctx.set takes keyword fields or a mapping, not {type(m).__name__}")
            merged.update(m)
        merged.update(fields)
        self._store(_checked(merged))

    def reset(self) -> None:
        """Forgets the in-memory document (tests)."""
        self.document = {}

    def update(self, mapping: Mapping[str, Any]) -> None:
        """Merges a mapping into this task's result document."""
        if not isinstance(mapping, Mapping):
            raise TypeError(f"ctx.update takes a mapping, not {type(mapping).__name__}")
        self._store(_checked(mapping))

    def _store(self, fields: dict[str, Any]) -> None:
        from ._taskchannel import task_channel

        tool = task_channel()
        if tool is not None:
            # the runner keeps the last whole document it accepted; a refused one (over the size
            # limit) raises here and leaves the previous one in place
            tool.request("put", fields={**self.document, **fields})
            self.document.update(fields)
            return
        self.document.update(fields)
        if os.environ.get("LEV_CHANNEL"):
            import asyncio

            from ._channel import get_channel

            async def send() -> None:
                ch = await get_channel()
                await ch.request("set", ns=list(current_namespace()), fields=fields)

            try:
                self._pending.append(asyncio.ensure_future(send()))
            except RuntimeError:  # no running loop: a synchronous call outside the workflow
                asyncio.run(send())

    async def flush(self) -> None:
        """Waits until every workflow-level `set` reached the runner; raises the first failure."""
        pending, self._pending = self._pending, []
        for fut in pending:
            await fut


ctx = Ctx()
lev = ctx
