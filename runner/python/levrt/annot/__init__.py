"""Annotations: `meta` describes modes, workflows and a package's exports; `Param` a form field."""
from __future__ import annotations

import json
from typing import Any, Callable, Optional, Sequence, TypeVar, Union

from . import cats

F = TypeVar("F", bound=Callable[..., Any])


class Param:
    """One form field: `Param("ip", "target ip", holder="127.0.0.1")`; `holder` is the placeholder."""

    def __init__(self, name: str, desc: str = "", holder: Optional[str] = None) -> None:
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"Param: name must be a parameter name, not {name!r}")
        if not isinstance(desc, str):
            raise TypeError(f"Param({name!r}): desc is a string, not {type(desc).__name__}")
        self.name = name
        self.desc = desc
        # forms show the holder as text: a list or number is shown as its JSON
        self.holder = holder if holder is None or isinstance(holder, str) else json.dumps(holder, default=str)

    def __repr__(self) -> str:
        return f"Param({self.name!r}, {self.desc!r}, holder={self.holder!r})"


ARGV = Param("argv", "command line arguments")

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
) -> Any:
    """`@annot.meta(desc=…, params=[…], cats=…, tags=[…], retries=N)` on a mode or workflow, or
    `__lev__ = annot.meta([f1, tool_module], desc=…, cats=…)` for a package's exports.

    `retries`: a run of this function whose worker stopped answering is queued again up to N
    times (default 0: it ends failed). Only for functions that are safe to run twice."""
    if callable(exports) and not isinstance(exports, (list, tuple)):
        return Meta()(exports)  # bare `@annot.meta`
    return Meta(exports, desc, params, cats, tags, ext, retries)


__all__ = ["ARGV", "Meta", "Param", "cats", "meta"]
