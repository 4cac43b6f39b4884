"""`Cr`: a request to run one container. Nothing starts until it is awaited or started."""
from __future__ import annotations

import base64
import inspect
import json
import os
import pathlib
import sys
from types import FrameType
from typing import Any, Generator, Mapping, Optional, Sequence, Union

from ._channel import get_channel
from ._ctx import current_namespace
from ._exceptions import InvalidRequest
from ._remote import Entry, RemoteFunction
from ._task import Document, Task

FileValue = Union[bytes, bytearray, str, pathlib.PurePath]
_ASYNC_FLAGS = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR | inspect.CO_ITERABLE_COROUTINE


def _str_list(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"Cr: {what} must be a list of strings, not {type(value).__name__}")
    out = []
    for v in value:
        if not isinstance(v, str):
            raise TypeError(f"Cr: every item of {what} must be a string, not {v!r}")
        out.append(v)
    return out


def _default_schema(frame: Optional[FrameType]) -> str:
    """`<ns>/<name>.<mode>`: the outermost plain function of the package in the chain of calls
    that built the Cr (so a helper called by the mode `alive` still names `alive`)."""
    mode: Optional[tuple[str, str]] = None
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        code = frame.f_code
        if not module.startswith("lev.") or code.co_flags & _ASYNC_FLAGS or code.co_name == "<module>":
            break
        mode = (module, code.co_name)
        frame = frame.f_back
    if mode is None:
        parts = os.environ.get("LEV_PACKAGE", "lev.local.package").split(".")
        return f"{parts[1]}/{parts[2]}.cr" if len(parts) >= 3 else "local/cr"
    parts = mode[0].split(".")
    ns, name = (parts[1], parts[2]) if len(parts) >= 3 else ("local", parts[-1])
    return f"{ns}/{name}.{mode[1]}"


class Cr:
    """A container request: `Cr(image, schema=None, host=False, entry=None, cmd=[], env=[],
    files={}, links={}, ports=[], services={})`; `caps` and `timeout` are Levhub extensions."""

    def __init__(
        self,
        image: str,
        schema: Optional[str] = None,
        host: bool = False,
        entry: Union[Entry, RemoteFunction, None] = None,
        cmd: Optional[Sequence[str]] = None,
        env: Optional[Sequence[str]] = None,
        files: Optional[Mapping[str, FileValue]] = None,
        links: Optional[Mapping[str, str]] = None,
        ports: Optional[Sequence[int]] = None,
        services: Optional[Mapping[str, "Cr"]] = None,
        *,
        caps: Optional[Sequence[str]] = None,
        timeout: Optional[float] = None,
    ) -> None:
        if not isinstance(image, str) or not image:
            raise TypeError("Cr: image must be a non-empty string")
        if schema is not None and (not isinstance(schema, str) or not schema or "|" in schema):
            raise ValueError(f"Cr: schema must look like '<namespace>/<name>@<major>.<minor>', not {schema!r}")
        if not isinstance(host, bool):
            raise TypeError("Cr: host must be True or False")
        if isinstance(entry, RemoteFunction):
            entry = entry()
        if entry is not None and not isinstance(entry, Entry):
            raise TypeError("Cr: entry must be a @levrt.remote function or its call (entry=entry(ip))")
        self.image = image
        self.schema = schema or _default_schema(sys._getframe(1))
        self.host = host
        self.entry = entry
        self.cmd = _str_list(cmd, "cmd")
        self.env = _str_list(env, "env")
        for e in self.env:
            if "=" not in e:
                raise ValueError(f"Cr: env entries look like 'KEY=value', not {e!r}")
        self.files: dict[str, FileValue] = {}
        for path, value in (files or {}).items():
            if not isinstance(path, str) or not path.startswith("/"):
                raise ValueError(f"Cr: files keys are absolute paths in the container, not {path!r}")
            if not isinstance(value, (bytes, bytearray, str, pathlib.PurePath)):
                raise TypeError(f"Cr: files[{path!r}] must be bytes, str or pathlib.Path")
            self.files[path] = value
        self.links = dict(links or {})
        for alias, target in self.links.items():
            if not isinstance(alias, str) or not isinstance(target, str):
                raise TypeError("Cr: links map an alias to another task's host: {'proxy': task.host}")
        self.ports = list(ports or [])
        for p in self.ports:
            if not isinstance(p, int) or isinstance(p, bool) or not 0 < p < 65536:
                raise ValueError(f"Cr: ports are TCP port numbers, not {p!r}")
        self.services = dict(services or {})
        for name, svc in self.services.items():
            if not isinstance(svc, Cr):
                raise TypeError(f"Cr: services[{name!r}] must be a Cr")
        self.caps = _str_list(caps, "caps")
        if timeout is not None and (not isinstance(timeout, (int, float)) or timeout <= 0):
            raise ValueError("Cr: timeout is a positive number of seconds")
        self.timeout = timeout

    def spec(self, path: Sequence[str] = ()) -> dict[str, Any]:
        """The CrSpec sent to the runner (runner/PROTOCOL.md)."""
        files: dict[str, Any] = {}
        for target, value in self.files.items():
            if isinstance(value, pathlib.PurePath):
                files[target] = {"path": value.as_posix()}
            else:
                data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
                files[target] = {"b64": base64.b64encode(data).decode("ascii")}
        return {
            "image": self.image,
            "schema": self.schema,
            "host": self.host,
            "cmd": self.cmd,
            "env": self.env,
            "files": files,
            "links": self.links,
            "ports": self.ports,
            "services": {name: svc.spec([*path, "services", name]) for name, svc in self.services.items()},
            "caps": self.caps,
            "timeout": self.timeout,
            "entry": self._entry_spec(path),
        }

    def _entry_spec(self, path: Sequence[str]) -> Optional[dict[str, Any]]:
        if self.entry is None:
            return None
        b = self.entry.remote.builder
        if b.problem:
            raise InvalidRequest(b.problem)
        if b.direct:
            args, kwargs = list(self.entry.args), dict(self.entry.kwargs)
            who = f"{b.qualname}()"
        else:
            args, kwargs = b.args, b.kwargs
            who = f"{b.qualname}()"
        for i, v in enumerate(args):
            _require_json(v, f"argument {i + 1} of {who}")
        for k, v in kwargs.items():
            _require_json(v, f"argument {k!r} of {who}")
        builder: dict[str, Any] = {"module": b.module, "qualname": b.qualname, "args": args, "kwargs": kwargs}
        if b.direct:
            builder["direct"] = True
        return {"builder": builder, "path": list(path) if not b.direct else []}

    async def start(self) -> Task:
        """Starts the container in the background: `task = await cr.start()`."""
        spec = self.spec()
        ch = await get_channel()
        res = await ch.request("start", cr=spec, ns=list(current_namespace()))
        return Task(res["task"], res.get("host", ""), res.get("coll", self.schema))

    async def done(self) -> Document:
        """Runs the container to the end and returns its `Document`."""
        task = await self.start()
        return await task.done()

    def __await__(self) -> Generator[Any, None, Document]:
        return self.done().__await__()

    def __repr__(self) -> str:
        return f"Cr({self.image!r}, schema={self.schema!r})"


def _require_json(value: Any, what: str) -> None:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise InvalidRequest(
            f"{what} is not JSON-serialisable ({type(value).__name__}); the tool container rebuilds the "
            "Cr from JSON arguments, so pass strings, numbers, lists or dicts"
        ) from None
