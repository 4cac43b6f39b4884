"""Annotations: `meta` describes modes, workflows and a package's exports; `Param` a form field;
`Keys` which fields identify the documents of a schema and the items of their arrays; `Assets` and
`Findings` how its documents map to the hub's asset inventory and findings."""
from __future__ import annotations

import json
import re
from typing import Any, Callable, Optional, Sequence, TypeVar, Union

from . import cats
from ._mapping import SEVERITIES, Assets, Findings

F = TypeVar("F", bound=Callable[..., Any])


#: what `Param(kind=…)` may say a parameter takes besides JSON: a file the user gives, a project secret
REF_KINDS = ("file", "secret")
#: What a target parameter holds; the hub checks such values against the project's scope.
#: `target` is any of the others (an address, a CIDR, a host name, a URL, host:port).
TARGET_KINDS = ("target", "cidr", "host", "url", "port")
#: every `Param(kind=…)`
PARAM_KINDS = REF_KINDS + TARGET_KINDS


class Param:
    """One form field: `Param("ip", "target ip", holder="127.0.0.1")`; `holder` is the placeholder.

    `kind="secret"` makes the parameter a secret of the run's project whatever its annotation (the
    same as annotating it `levrt.Secret`): the form offers the project's secrets by name, never a
    text box, and the function receives a `levrt.Secret` handle. `kind="file"` is `levrt.File`.
    A kind of TARGET_KINDS marks a target parameter: the hub refuses a value outside the project's
    scope before the run starts. Absent: neither (Leviathan's own Param has no kind)."""

    def __init__(self, name: str, desc: str = "", holder: Optional[str] = None, kind: Optional[str] = None) -> None:
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"Param: name must be a parameter name, not {name!r}")
        if not isinstance(desc, str):
            raise TypeError(f"Param({name!r}): desc is a string, not {type(desc).__name__}")
        if kind is not None and kind not in PARAM_KINDS:
            raise ValueError(f"Param({name!r}): kind is one of {', '.join(PARAM_KINDS)} (or None), not {kind!r}")
        self.name = name
        self.desc = desc
        # forms show the holder as text: a list or number is shown as its JSON
        self.holder = holder if holder is None or isinstance(holder, str) else json.dumps(holder, default=str)
        self.kind = kind

    def __repr__(self) -> str:
        kind = f", kind={self.kind!r}" if self.kind else ""
        return f"Param({self.name!r}, {self.desc!r}, holder={self.holder!r}{kind})"


ARGV = Param("argv", "command line arguments")

_SEGMENT = re.compile(r"^[^.\[\]\s]{1,100}$")
MAX_KEY_PATHS = 32


def _key_path_problem(path: Any) -> Optional[str]:
    if not isinstance(path, str) or not path or len(path) > 200:
        return f"key path {path!r}: a non-empty string of at most 200 characters"
    parts = path.split(".")
    for i, part in enumerate(parts):
        name = part[:-2] if part.endswith("[]") else part
        if not _SEGMENT.match(name) or (i == len(parts) - 1 and part.endswith("[]")):
            return f"key path {path!r}: write fields separated by '.', arrays as 'name[]', ending in a field ('hosts[].ports[].port')"
    return None


class Keys:
    """Which fields identify the documents of a schema and the items of their arrays, so that the
    hub compares two runs item by item: `Keys("port_os@1.0", ["target", "hosts[].ip",
    "hosts[].ports[].port"])`. A path without `[]` is the document's key; `a[].f` keys the items
    of the array `a` by their field `f` (several paths for one array: a composite key). A schema
    without '/' is one of this package's (`<ns>/<name>.port_os@1.0`). Without keys, documents and
    items are matched by their content.

    `ignore` names fields a comparison leaves out, in every item of the arrays on the way
    (`ignore=["hosts[].os"]`: OS guesses that shift from scan to scan are not a change). A key
    path under an ignored field would key by something that is not compared: it is refused."""

    def __init__(self, schema: str, paths: Sequence[str], ignore: Optional[Sequence[str]] = None) -> None:
        if not isinstance(schema, str) or not schema or len(schema) > 200 or any(c in schema for c in "|$\0"):
            raise ValueError(f"Keys: schema must look like 'port_os@1.0' or '<ns>/<name>.port_os@1.0', not {schema!r}")
        if isinstance(paths, str) or not isinstance(paths, (list, tuple)) or not paths:
            raise TypeError(f"Keys({schema!r}): paths is a non-empty list of key paths like 'hosts[].ip'")
        if len(paths) > MAX_KEY_PATHS:
            raise ValueError(f"Keys({schema!r}): at most {MAX_KEY_PATHS} key paths")
        for p in paths:
            problem = _key_path_problem(p)
            if problem:
                raise ValueError(f"Keys({schema!r}): {problem}")
        if ignore is None:
            ignore = []
        if isinstance(ignore, str) or not isinstance(ignore, (list, tuple)):
            raise TypeError(f"Keys({schema!r}): ignore is a list of field paths like 'hosts[].os'")
        if len(ignore) > MAX_KEY_PATHS:
            raise ValueError(f"Keys({schema!r}): at most {MAX_KEY_PATHS} ignored fields")
        for p in ignore:
            problem = _key_path_problem(p)
            if problem:
                raise ValueError(f"Keys({schema!r}): ignore: {problem.replace('key path', 'field', 1)}")
        for p in paths:
            under = next((i for i in ignore if _fields(p)[:len(_fields(i))] == _fields(i)), None)
            if under is not None:
                raise ValueError(f"Keys({schema!r}): key path {p!r} is under the ignored field {under!r}: nothing keys by what is not compared")
        self.schema = schema
        self.paths = list(paths)
        self.ignore = list(ignore)

    def __repr__(self) -> str:
        return f"Keys({self.schema!r}, {self.paths!r}{f', ignore={self.ignore!r}' if self.ignore else ''})"


def _fields(path: str) -> list[str]:
    """A path's field names without the `[]` marks: `hosts[].os` and `hosts.os` name the same field."""
    return [part[:-2] if part.endswith("[]") else part for part in path.split(".")]

def _list_of(name: str, items: Any, kind: type) -> list[Any]:
    if items is not None and not isinstance(items, (list, tuple)):
        raise TypeError(f"annot.meta: {name} is a list of annot.{kind.__name__} objects")
    for item in items or []:
        if not isinstance(item, kind):
            raise TypeError(f"annot.meta: {name} holds annot.{kind.__name__} objects, not {item!r}")
    return list(items or [])


CatsSpec = Union[Sequence[Any], dict[Any, Sequence[Any]], None]

#: the most times a function may ask to be run again after its worker was lost
MAX_RETRIES = 5


class Meta:
    """What `annot.meta(...)` returns: a decorator for a mode or workflow, or a package's `__lev__`."""

    def __init__(
        self,
        exports: Optional[Sequence[Any]] = None,
        desc: str = "",
        params: Optional[Sequence[Param]] = None,
        cats: CatsSpec = None,
        tags: Optional[Sequence[str]] = None,
        ext: Any = None,
        retries: int = 0,
        keys: Optional[Sequence[Keys]] = None,
        assets: Optional[Sequence[Assets]] = None,
        findings: Optional[Sequence[Findings]] = None,
    ) -> None:
        if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= MAX_RETRIES:
            raise ValueError(f"annot.meta: retries is a whole number from 0 to {MAX_RETRIES}, not {retries!r}")
        if exports is not None and not isinstance(exports, (list, tuple)):
            raise TypeError("annot.meta: exports is a list of functions and tool modules")
        self.exports = list(exports) if exports is not None else None
        self.desc = desc or ""
        self.params = list(params or [])
        for p in self.params:
            if not isinstance(p, Param):
                raise TypeError(f"annot.meta: params holds annot.Param objects, not {p!r}")
        self.cats = cats
        self.tags = [str(t) for t in (tags or [])]
        self.ext = ext
        # runs of this function whose worker is lost are queued again up to this many times (0: never)
        self.retries = retries
        if keys is not None and not isinstance(keys, (list, tuple)):
            raise TypeError("annot.meta: keys is a list of annot.Keys objects")
        self.keys = list(keys or [])
        for k in self.keys:
            if not isinstance(k, Keys):
                raise TypeError(f"annot.meta: keys holds annot.Keys objects, not {k!r}")
        self.assets = _list_of("assets", assets, Assets)
        self.findings = _list_of("findings", findings, Findings)

    def __call__(self, fn: F) -> F:
        if not callable(fn):
            raise TypeError(f"@annot.meta(...) decorates a mode or workflow function, not {type(fn).__name__}")
        fn.__lev_meta__ = self  # type: ignore[attr-defined]
        return fn

    def __repr__(self) -> str:
        return f"<annot.meta desc={self.desc!r} exports={len(self.exports or [])}>"


def meta(
    exports: Any = None,
    desc: str = "",
    params: Optional[Sequence[Param]] = None,
    cats: CatsSpec = None,
    tags: Optional[Sequence[str]] = None,
    ext: Any = None,
    retries: int = 0,
    keys: Optional[Sequence[Keys]] = None,
    assets: Optional[Sequence[Assets]] = None,
    findings: Optional[Sequence[Findings]] = None,
) -> Any:
    """`@annot.meta(desc=…, params=[…], cats=…, tags=[…], retries=N, keys=[…])` on a mode or
    workflow, or `__lev__ = annot.meta([f1, tool_module], desc=…, cats=…, keys=[annot.Keys(…)])`
    for a package's exports.

    `retries`: a run of this function whose worker stopped answering is queued again up to N
    times (default 0: it ends failed). Only for functions that are safe to run twice.
    `keys`: which fields identify a schema's documents and array items when two runs are compared.
    `assets`, `findings`: how a schema's documents map to the hub's asset inventory and findings
    (`annot.Assets(…)`, `annot.Findings(…)`)."""
    if callable(exports) and not isinstance(exports, (list, tuple)):
        return Meta()(exports)  # bare `@annot.meta`
    return Meta(exports, desc, params, cats, tags, ext, retries, keys, assets, findings)


__all__ = ["ARGV", "PARAM_KINDS", "REF_KINDS", "SEVERITIES", "TARGET_KINDS", "Assets", "Findings", "Keys", "Meta", "Param", "cats", "meta"]
