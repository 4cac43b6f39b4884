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
from typing import TYPE_CHECKING, Any, Generator, Mapping, Optional

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


def _field_name(name: object, what: str) -> str:
    if not isinstance(name, str) or not name or name.startswith("$") or "." in name or "\0" in name:
        raise ValueError(f"{what}: {name!r} is not a field name (a non-empty string without '.', not starting with '$')")
    return name


def _fields_of(where: str, args: tuple[Any, ...], fields: dict[str, Any]) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The forms of `set` (Leviathan's `lev.set(data, **kwargs)` and what packages write):
    `set(a=1)`, `set(mapping)`, `set("key", value)` and `set("name", a=1)` (fields stored under
    `name`). Returns the sub-path the fields go to and the fields."""
    if not args:
        return (), fields
    if len(args) == 1 and isinstance(args[0], Mapping):
        return (), {**args[0], **fields}
    if len(args) == 1 and isinstance(args[0], str):
        if not fields:
            raise TypeError(f"{where}({args[0]!r}) needs a value: {where}({args[0]!r}, value) or {where}({args[0]!r}, field=value)")
        return (_field_name(args[0], where),), fields
    if len(args) == 2 and isinstance(args[0], str):
        if fields:
            raise TypeError(f"{where}(key, value) takes no keyword fields as well")
        return (), {_field_name(args[0], where): args[1]}
    raise TypeError(f"{where} takes keyword fields, a mapping, (key, value) or (name, **fields), not {len(args)} positional arguments")


class Stored:
    """What `ctx.set` returns: it has already stored (a tool's document reached the runner before
    `set` returned); awaiting it (`await lev.doc.set(...)`, as some packages write) waits until a
    workflow's own document reached the runner too."""

    __slots__ = ("_ctx", "_fut")

    def __init__(self, ctx: "Ctx", fut: "Optional[asyncio.Future[Any]]") -> None:
        self._ctx = ctx
        self._fut = fut

    def __await__(self) -> Generator[Any, None, None]:
        if self._fut is not None:
            try:
                yield from self._fut.__await__()
            finally:
                if self._fut in self._ctx._pending:
                    self._ctx._pending.remove(self._fut)
        return None


class Field:
    """`ctx.<name>` (and `ctx.<a>.<b>`): the sub-document `name` of this task's result:
    `lev.doc.set(msg="x")` stores `{"doc": {"msg": "x"}}`, merged with what `doc` already holds."""

    def __init__(self, ctx: "Ctx", path: tuple[str, ...]) -> None:
        self._ctx = ctx
        self._path = path

    def __getattr__(self, name: str) -> "Field":
        if name.startswith("_"):
            raise AttributeError(name)
        return Field(self._ctx, self._path + (_field_name(name, "ctx"),))

    def set(self, *args: Any, **fields: Any) -> Stored:
        where = f"ctx.{'.'.join(self._path)}.set"
        sub, values = _fields_of(where, args, fields)
        return self._ctx._set_at(self._path + sub, values)

    def update(self, mapping: Mapping[str, Any]) -> Stored:
        if not isinstance(mapping, Mapping):
            raise TypeError(f"ctx.{'.'.join(self._path)}.update takes a mapping, not {type(mapping).__name__}")
        return self._ctx._set_at(self._path, dict(mapping))

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        name = ".".join(self._path)
        raise TypeError(f"ctx.{name} is not a method of ctx; ctx.{name}.set(...) stores fields under '{self._path[-1]}'")

    def __repr__(self) -> str:
        return f"<levrt ctx field {'.'.join(self._path)}>"


def _merged(base: Any, path: tuple[str, ...], fields: dict[str, Any]) -> dict[str, Any]:
    """`base` (a sub-document or anything) with `fields` merged in at `path`; copies, never mutates."""
    out = dict(base) if isinstance(base, dict) else {}
    if not path:
        out.update(fields)
        return out
    out[path[0]] = _merged(out.get(path[0]), path[1:], fields)
    return out


class Ctx:
    """`ctx` (alias `lev`): `ctx.set(**fields)`, `ctx.set("key", value)`, `ctx.update(mapping)`,
    `ctx.<name>.set(...)` (fields under `name`), `with ctx / "ns":`. Each `set` may be awaited.

    Outside any runner (no LEV_CHANNEL: tests, a REPL) `set` keeps the fields in
    memory in `ctx.document`, so a mode's entry can be unit-tested by calling it directly."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {}
        self._pending: list[asyncio.Future[Any]] = []
        # a workflow's documents, one per collection namespace, to merge sub-documents into
        self._by_namespace: dict[tuple[str, ...], dict[str, Any]] = {}

    def __truediv__(self, name: str) -> Namespace:
        return Namespace((_check_part(name),))

    def __getattr__(self, name: str) -> Field:
        if name.startswith("_"):
            raise AttributeError(name)
        return Field(self, (_field_name(name, "ctx"),))

    @property
    def namespace(self) -> tuple[str, ...]:
        return current_namespace()

    def set(self, *args: Any, **fields: Any) -> Stored:
        """Sets fields of this task's result document: `ctx.set(target=ip, ports=[…])`,
        `ctx.set({"target": ip})`, `ctx.set("target", ip)`, or `ctx.set("scan", target=ip)`
        (stored under `scan`)."""
        sub, values = _fields_of("ctx.set", args, fields)
        return self._set_at(sub, values)

    def reset(self) -> None:
        """Forgets the in-memory document (tests)."""
        self.document = {}
        self._by_namespace = {}

    def update(self, mapping: Mapping[str, Any]) -> Stored:
        """Merges a mapping into this task's result document."""
        if not isinstance(mapping, Mapping):
            raise TypeError(f"ctx.update takes a mapping, not {type(mapping).__name__}")
        return self._set_at((), dict(mapping))

    def _set_at(self, path: tuple[str, ...], fields: dict[str, Any]) -> Stored:
        fields = _checked(fields)
        if path:
            # the whole top-level field, with the new fields merged in where `path` leads
            doc = self._by_namespace.get(current_namespace(), {}) if self._in_workflow() else self.document
            fields = {path[0]: _merged(doc.get(path[0]), path[1:], fields)}
        return Stored(self, self._store(fields))

    @staticmethod
    def _in_workflow() -> bool:
        return bool(os.environ.get("LEV_CHANNEL")) and not os.environ.get("LEV_TASK")

    def _store(self, fields: dict[str, Any]) -> "Optional[asyncio.Future[Any]]":
        from ._taskchannel import task_channel

        tool = task_channel()
        if tool is not None:
            # the runner keeps the last whole document it accepted; a refused one (over the size
            # limit) raises here and leaves the previous one in place
            tool.request("put", fields={**self.document, **fields})
            self.document.update(fields)
            return None
        self.document.update(fields)
        if os.environ.get("LEV_CHANNEL"):
            import asyncio

            from ._channel import get_channel

            ns = current_namespace()
            self._by_namespace.setdefault(ns, {}).update(fields)

            async def send() -> None:
                ch = await get_channel()
                await ch.request("set", ns=list(ns), fields=fields)

            try:
                fut = asyncio.ensure_future(send())
            except RuntimeError:  # no running loop: a synchronous call outside the workflow
                asyncio.run(send())
                return None
            self._pending.append(fut)
            return fut
        return None

    async def flush(self) -> None:
        """Waits until every workflow-level `set` reached the runner; raises the first failure."""
        pending, self._pending = self._pending, []
        for fut in pending:
            await fut


ctx = Ctx()
lev = ctx
