"""`Cr`: a request to run one container. Nothing starts until it is awaited or started."""
from __future__ import annotations

import base64
import json
import os
import re
import sys
from types import FrameType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import PurePath
from typing import Any, Coroutine, Generator, Mapping, Optional, Sequence, Union

from ._channel import get_channel
from ._ctx import current_namespace
from ._document import Document
from ._exceptions import InvalidRequest
from ._refs import File, Secret, mentions_secret, to_json
from ._remote import Builder, Entry, FrameToken, RemoteFunction, async_mode_frame, frame_token
from ._task import Task

FileValue = Union[bytes, bytearray, str, "PurePath", File]
_ASYNC_FLAGS = 0x80 | 0x100 | 0x200  # CO_COROUTINE | CO_ITERABLE_COROUTINE | CO_ASYNC_GENERATOR


def _is_path(value: Any) -> bool:
    # pathlib is only imported by code that made a Path, so an unimported pathlib means no Path
    pathlib = sys.modules.get("pathlib")
    return pathlib is not None and isinstance(value, pathlib.PurePath)

# the same rules as the runner's CrSpec parser (runner/src/channel/spec.ts): fail here, with the
# author's line in the traceback, rather than as an InvalidRequest from the runner
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_ENV_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TOKEN = re.compile(r'^\{"\$lev":"secret","id":"[A-Za-z0-9_-]{16,64}"\}$')
_HOW = 'forward it as a whole env value: Cr(env={"KEY": secret}) or Cr(env=["KEY=" + secret])'


def _env_list(env: Any) -> list[str]:
    """`env` as Leviathan writes it (`["KEY=value"]`), or a dict `{"KEY": value}` whose values may be
    `levrt.Secret`s; a secret only ever as a whole value (the runner puts the value there)."""
    if isinstance(env, Mapping):
        entries = []
        for k, v in env.items():
            if not isinstance(k, str) or not _ENV_KEY.match(k):
                raise ValueError(f"Cr: env keys are variable names, not {k!r}")
            if not isinstance(v, (str, Secret)):
                raise TypeError(f"Cr: env[{k!r}] must be a string or a levrt.Secret, not {type(v).__name__}")
            entries.append(f"{k}={v}")
    else:
        entries = _str_list(env, "env")
    for e in entries:
        if not _ENV.match(e):
            raise ValueError(f"Cr: env entries look like 'KEY=value', not {e!r}")
        value = e.split("=", 1)[1]
        if mentions_secret(value) and not _TOKEN.match(value):
            raise ValueError(f"Cr: env {e.split('=', 1)[0]}: a secret can only be a whole env value, not part of one; {_HOW}")
    return entries
_HOST = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$")
_CAP = re.compile(r"^[A-Z_]+$")


def _str_list(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, set, frozenset)):
        raise TypeError(f"Cr: {what} must be a list of strings, not {type(value).__name__}")
    out = []
    for v in value:
        if not isinstance(v, str):
            raise TypeError(f"Cr: every item of {what} must be a string, not {v!r}")
        out.append(v)
    return out


def _mapping(value: Any, what: str) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"Cr: {what} must be a dict, not {type(value).__name__}")
    return dict(value)


def _package_of(module: str) -> Optional[str]:
    parts = module.split(".")
    return ".".join(parts[:3]) if len(parts) >= 3 and parts[0] == "lev" else None


def _default_schema(frame: Optional[FrameType]) -> str:
    """`<ns>/<name>.<mode>`: the outermost plain function of the package in the chain of calls
    that built the Cr (so a helper `_nmap()` called by the mode `alive` still names `alive`)."""
    package: Optional[str] = None
    mode: Optional[str] = None
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        code = frame.f_code
        pkg = _package_of(module)
        if pkg is None or (package is not None and pkg != package):
            break  # left the package: a workflow, the runtime, another package
        # async code is a workflow (unless annotated `-> Cr`: an async mode); <module>, <listcomp>,
        # <genexpr>, <lambda>… are where a mode was called from, not modes
        if (code.co_flags & _ASYNC_FLAGS and not async_mode_frame(frame)) or code.co_name.startswith("<"):
            break
        package, mode = pkg, code.co_name
        frame = frame.f_back
    if package is None or mode is None:
        # built outside a package (a script, a test): name it after the running package
        pkg = _package_of(os.environ.get("LEV_PACKAGE", "")) or "lev.local.package"
        _, ns, name = pkg.split(".")
        return f"{ns}/{name}.cr"
    _, ns, name = package.split(".")
    return f"{ns}/{name}.{mode}"


def _origin_package(entry: Optional[Entry], frame: Optional[FrameType]) -> Optional[str]:
    """`ns.name` of the package whose code built the Cr, or None for the run's own package (or a
    script): an entry's builder module, else the module that called `Cr(...)`. The runner resolves
    `files=` there and, once it has verified the claim, applies that package's grant."""
    module = entry.remote.builder.module if entry is not None else (frame.f_globals.get("__name__", "") if frame else "")
    pkg = _package_of(module)
    own = _package_of(os.environ.get("LEV_PACKAGE", ""))
    if pkg is None or own is None or pkg == own:
        return None
    return pkg[len("lev.") :]


PKG_IN_CONTAINER = "/lev/pkg"  # where every container sees the package (runner/PROTOCOL.md)


def _package_roots(frame: Optional[FrameType]) -> list[str]:
    """Where the package directory is, as this process sees it: /lev/pkg in a container, and the
    folder holding `lev/<ns>/<name>/` of the package that built the Cr (tests, a checkout)."""
    roots = [PKG_IN_CONTAINER]
    pkg = _package_of(frame.f_globals.get("__name__", "")) if frame is not None else None
    module = sys.modules.get(pkg or _package_of(os.environ.get("LEV_PACKAGE", "")) or "")
    file = getattr(module, "__file__", None)
    if isinstance(file, str):
        roots.append(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(file))))))
    return roots


def _package_relative(value: "PurePath", target: str, frame: Optional[FrameType]) -> "PurePath":
    """A Path naming a file of the package → the same file relative to the package directory.
    Relative Paths are relative to the package directory; absolute ones must lie under it
    (`pathlib.Path(__file__).parent / "x"`). The runner checks again, following symlinks."""
    import pathlib

    raw = str(value)
    if value.is_absolute():
        norm = os.path.normpath(raw)
        for root in _package_roots(frame):
            root = os.path.normpath(root)
            if norm.startswith(root + os.sep):
                return pathlib.PurePosixPath(*pathlib.PurePath(norm[len(root) + 1 :]).parts)
    else:
        norm = os.path.normpath(raw)
        if norm != ".." and not norm.startswith(".." + os.sep) and norm != ".":
            return pathlib.PurePosixPath(*pathlib.PurePath(norm).parts)
    raise ValueError(
        f"Cr: files[{target!r}] = Path({raw!r}): a Path names a file of the package, relative to the package "
        f"directory or under it ({PKG_IN_CONTAINER}/…), and stays inside it"
    )


def _require_json(value: Any, what: str) -> None:
    try:
        json.dumps(to_json(value), allow_nan=False)
    except (TypeError, ValueError):
        raise InvalidRequest(
            f"{what} is not JSON-serialisable ({type(value).__name__}: {value!r:.80}); the tool container "
            "rebuilds the Cr by calling the mode again with JSON arguments, so pass strings, numbers, "
            "booleans, None, lists or dicts"
        ) from None


def _check_builder(b: Builder, entry: Entry) -> None:
    """Everything the tool container needs to rebuild this entry, checked before anything is sent."""
    if b.problem:
        raise InvalidRequest(b.problem)
    if b.direct:
        import inspect

        names = list(inspect.signature(entry.remote.fn).parameters)
        for i, v in enumerate(entry.args):
            label = names[i] if i < len(names) else f"#{i + 1}"
            _require_json(v, f"argument {label!r} of the entry {b.qualname}()")
        for k, v in entry.kwargs.items():
            _require_json(v, f"argument {k!r} of the entry {b.qualname}()")
        return
    for i, v in enumerate(b.args):
        label = b.arg_names[i] if i < len(b.arg_names) else f"#{i + 1}"
        _require_json(v, f"argument {label!r} of {b.qualname}()")
    for k, v in b.kwargs.items():
        _require_json(v, f"argument {k!r} of {b.qualname}()")


class Cr:
    """A container request (the seeds' `levrt.Cr`).

    `Cr(image, schema=None, host=False, entry=None, cmd=[], env=[], files={}, links={}, ports=[],
    services={}, *, caps=[], timeout=None, offline=False)`; `caps`, `timeout` (seconds) and
    `offline` are Levhub extensions. `offline=True`: the container has no network at all (a parser
    of untrusted input needs none); it cannot take `host`, `links`, `ports` or `services`.
    `env` is a list of "KEY=value" or a dict {"KEY": value}; a value may be a `levrt.Secret` (a
    whole value: `{"KEY": secret}` or `"KEY=" + secret`), which this container alone receives.
    `files` maps container paths to bytes or str (content), a `pathlib.Path` (a file of the
    package), a `levrt.File` (a file the user gave the run) or None (nothing mounted).
    `await cr` / `await cr.done()` run it and return its `Document`; `await cr.start()` gives a `Task`.
    """

    def __init__(
        self,
        image: str,
        schema: Optional[str] = None,
        host: bool = False,
        entry: Union[Entry, RemoteFunction, None] = None,
        cmd: Optional[Sequence[str]] = None,
        env: Union[Sequence[str], Mapping[str, Union[str, Secret]], None] = None,
        files: Optional[Mapping[str, FileValue]] = None,
        links: Optional[Mapping[str, str]] = None,
        ports: Optional[Sequence[int]] = None,
        services: Optional[Mapping[str, "Cr"]] = None,
        *,
        caps: Optional[Sequence[str]] = None,
        timeout: Optional[float] = None,
        offline: bool = False,
    ) -> None:
        caller = sys._getframe(1)
        if not isinstance(image, str) or not image.strip():
            raise TypeError(f"Cr: image must be a non-empty string, not {image!r}")
        if len(image) > 256:
            raise ValueError("Cr: image name is longer than 256 characters")
        if schema is not None:
            if not isinstance(schema, str):
                raise TypeError(f"Cr: schema must be a string like 'ns/name@1.0', not {type(schema).__name__}")
            if not schema or len(schema) > 200 or any(c in schema for c in "|$\0"):
                raise ValueError(
                    f"Cr: schema must look like '<namespace>/<name>@<major>.<minor>' (no '|' or '$'), not {schema!r}"
                )
        if not isinstance(host, bool):
            raise TypeError(f"Cr: host must be True or False, not {host!r}")
        if isinstance(entry, RemoteFunction):
            entry = entry()  # the seeds' `entry=entry`
        if entry is not None and not isinstance(entry, Entry):
            raise TypeError(
                f"Cr: entry must be a @levrt.remote function or its call (entry=entry(ip)), not {type(entry).__name__}"
            )
        if entry is not None:
            _check_builder(entry.remote.builder, entry)

        self.image = image
        self.schema = schema or _default_schema(caller)
        self.host = host
        self.entry: Optional[Entry] = entry
        self.cmd = _str_list(cmd, "cmd")
        for i, arg in enumerate(self.cmd):
            if mentions_secret(arg):
                raise ValueError(f"Cr: cmd[{i}]: a secret cannot go on a command line; {_HOW}")
        self.env = _env_list(env)

        self.files: dict[str, FileValue] = {}
        for path, value in _mapping(files, "files").items():
            if not isinstance(path, str) or not path.startswith("/") or len(path) < 2 or ".." in path.split("/"):
                raise ValueError(f"Cr: files keys are absolute paths in the container (no '..'), not {path!r}")
            if value is None:
                continue  # a file parameter left empty: nothing to mount
            if _is_path(value):
                value = _package_relative(value, path, caller)
            elif isinstance(value, Secret):
                raise TypeError(f"Cr: files[{path!r}]: a secret cannot be written into a file of the Cr; {_HOW}")
            elif not isinstance(value, (bytes, bytearray, str, File)):
                raise TypeError(
                    f"Cr: files[{path!r}] must be bytes, str, pathlib.Path, a levrt.File or None, not {type(value).__name__}"
                )
            elif not isinstance(value, File) and mentions_secret(value if isinstance(value, str) else bytes(value).decode("latin-1")):
                raise ValueError(f"Cr: files[{path!r}]: a secret cannot be written into a file of the Cr; {_HOW}")
            self.files[path] = value

        self.links: dict[str, str] = {}
        for alias, target in _mapping(links, "links").items():
            if not isinstance(alias, str) or not isinstance(target, str):
                raise TypeError("Cr: links map an alias to another task's host: {'proxy': task.host}")
            if not _HOST.match(alias) or not _HOST.match(target):
                raise ValueError(f"Cr: links[{alias!r}] = {target!r}: both must be host names")
            self.links[alias] = target

        self.ports: list[int] = []
        if ports is not None and (isinstance(ports, (str, bytes)) or not isinstance(ports, Sequence)):
            raise TypeError(f"Cr: ports must be a list of TCP port numbers, not {type(ports).__name__}")
        for p in ports or []:
            if not isinstance(p, int) or isinstance(p, bool) or not 0 < p < 65536:
                raise ValueError(f"Cr: ports are TCP port numbers (1-65535), not {p!r}")
            self.ports.append(p)

        self.services: dict[str, Cr] = {}
        for name, svc in _mapping(services, "services").items():
            if not isinstance(name, str) or not _HOST.match(name):
                raise ValueError(f"Cr: services keys are host names, not {name!r}")
            if not isinstance(svc, Cr):
                raise TypeError(f"Cr: services[{name!r}] must be a Cr, not {type(svc).__name__}")
            self.services[name] = svc

        self.caps = _str_list(caps, "caps")
        for c in self.caps:
            if not _CAP.match(c):
                raise ValueError(f"Cr: caps are Linux capability names such as 'NET_RAW', not {c!r}")
        if timeout is not None and (
            not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not 0 < timeout < float("inf")
        ):
            raise ValueError(f"Cr: timeout is a positive number of seconds, not {timeout!r}")
        self.timeout = timeout
        if not isinstance(offline, bool):
            raise TypeError(f"Cr: offline must be True or False, not {offline!r}")
        if offline and (self.host or self.links or self.ports or self.services):
            raise ValueError("Cr: an offline container has no network: it cannot take host, links, ports or services")
        self.offline = offline
        self.package: Optional[str] = _origin_package(entry, caller)
        # which call built this Cr: an entry defined by the same call is rebuilt by calling it
        self._token: Optional[FrameToken] = frame_token(caller)
        del caller

    # ------------------------------------------------------------------ serialisation

    def spec(self) -> dict[str, Any]:
        """The CrSpec sent to the runner (runner/PROTOCOL.md)."""
        return self._spec([], [])

    def _spec(self, path: list[str], ancestors: list["Cr"]) -> dict[str, Any]:
        files: dict[str, Any] = {}
        for target, value in self.files.items():
            if _is_path(value):
                files[target] = {"path": value.as_posix()}
            elif isinstance(value, File):
                files[target] = value.ref()
            else:
                data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
                files[target] = {"b64": base64.b64encode(data).decode("ascii")}
        chain = [*ancestors, self]
        return {
            "image": self.image,
            "schema": self.schema,
            "host": self.host,
            "cmd": self.cmd,
            "env": self.env,
            "files": files,
            "links": self.links,
            "ports": self.ports,
            "services": {name: svc._spec([*path, "services", name], chain) for name, svc in self.services.items()},
            "caps": self.caps,
            "timeout": self.timeout,
            "entry": self._entry_spec(path, chain),
            "package": self.package,
            # only when asked: specs of every other Cr stay as they were
            **({"offline": True} if self.offline else {}),
        }

    def _entry_spec(self, path: list[str], chain: list["Cr"]) -> Optional[dict[str, Any]]:
        if self.entry is None:
            return None
        b = self.entry.remote.builder
        _check_builder(b, self.entry)  # arguments may have been mutated since
        builder: dict[str, Any] = {"module": b.module, "qualname": b.qualname}
        if b.direct:
            builder.update(args=to_json(list(self.entry.args)), kwargs=to_json(dict(self.entry.kwargs)), direct=True)
            return {"builder": builder, "path": []}
        builder.update(args=to_json(list(b.args)), kwargs=to_json(dict(b.kwargs)))
        # `path` leads from the Cr the builder returns to the Cr owning the entry: that is the
        # outermost Cr built by the same call that defined the entry (a service may come from a
        # helper function defining its own entry); otherwise the whole path from the top
        start = next((i for i, cr in enumerate(chain) if cr._token == b.token), 0)
        return {"builder": builder, "path": path[2 * start :]}

    # ------------------------------------------------------------------ running

    async def start(self) -> Task:
        """Starts the container in the background: `task = await cr.start()`."""
        spec = self.spec()
        ch = await get_channel()
        res = await ch.request("start", cr=spec, ns=list(current_namespace()))
        return Task(res["task"], res.get("host", ""), res.get("coll") or "|".join([*current_namespace(), self.schema]))

    def done(self) -> Coroutine[Any, Any, Document]:
        """Runs the container to the end and returns its `Document`: `doc = await cr.done()`."""
        return self._run()

    async def _run(self) -> Document:
        task = await self.start()
        return await task.done()

    def __await__(self) -> Generator[Any, None, Document]:
        return self._run().__await__()

    def __repr__(self) -> str:
        return f"Cr({self.image!r}, schema={self.schema!r})"


__all__ = ["Cr"]
