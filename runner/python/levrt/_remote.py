"""`@levrt.remote`: the function whose body runs inside the tool container.

A tool container cannot receive a Python closure, so the runtime records how to rebuild it:
the function that was running when the entry was defined (the *builder*, usually the mode) and
its arguments. The tool container imports the package, calls the builder again with the same
JSON arguments to rebuild the `Cr`, and runs that Cr's entry (runner/PROTOCOL.md, EntrySpec).
A remote function defined at module level needs no builder: it is called directly.
"""
from __future__ import annotations

import os
import sys
from types import FrameType
from typing import Any, Callable, Optional

_ASYNC_FLAGS = 0x80 | 0x100 | 0x200  # CO_COROUTINE | CO_ITERABLE_COROUTINE | CO_ASYNC_GENERATOR

FrameToken = tuple[int, Any]


def returns_cr(fn: Any) -> bool:
    """Whether a function is annotated `-> Cr`: then it builds a Cr (a mode), even when it is
    `async def` (published packages write `async def mode(...) -> Cr`)."""
    fn = getattr(fn, "__wrapped__", fn)
    ann = getattr(fn, "__annotations__", None)
    ret = ann.get("return") if isinstance(ann, dict) else None
    if isinstance(ret, str):  # `from __future__ import annotations`, or a quoted annotation
        return ret.strip() in ("Cr", "levrt.Cr")
    return getattr(ret, "__name__", None) == "Cr" and str(getattr(ret, "__module__", "")).startswith("levrt")


def async_mode_frame(frame: FrameType) -> bool:
    """Whether an async frame runs a mode (`async def mode(...) -> Cr`) rather than a workflow:
    its function, found by name in its module, is that code and is annotated `-> Cr`."""
    code = frame.f_code
    fn = frame.f_globals.get(code.co_name)
    fn = getattr(fn, "__wrapped__", fn)
    return getattr(fn, "__code__", None) is code and returns_cr(fn)


def frame_token(frame: Optional[FrameType]) -> Optional[FrameToken]:
    """Identifies one running call: a Cr and an entry made by the same call share it."""
    return None if frame is None else (id(frame), frame.f_code)


class Builder:
    """How the tool container finds the entry again: `module.qualname(*args, **kwargs)`."""

    def __init__(
        self,
        module: str,
        qualname: str,
        args: list[Any],
        kwargs: dict[str, Any],
        *,
        arg_names: Optional[list[str]] = None,
        direct: bool,
        problem: Optional[str] = None,
        token: Optional[FrameToken] = None,
    ) -> None:
        self.module = module
        self.qualname = qualname
        self.args = args
        self.kwargs = kwargs
        self.arg_names = arg_names or []  # parameter names of `args`, for error messages
        self.direct = direct
        self.problem = problem
        self.token = token

    def __repr__(self) -> str:
        return f"<levrt builder {self.module}.{self.qualname} direct={self.direct}>"


def _builder_from_frame(frame: FrameType, fn: Callable[..., Any]) -> Builder:
    code = frame.f_code
    module = frame.f_globals.get("__name__", "__main__")
    # module level, or a class body: the remote function itself can be found by its qualname
    if code.co_name == "<module>" or ("__module__" in frame.f_locals and "__qualname__" in frame.f_locals):
        return Builder(fn.__module__, fn.__qualname__, [], {}, direct=True)
    qualname = getattr(code, "co_qualname", code.co_name)
    problem = None
    if code.co_flags & _ASYNC_FLAGS and not async_mode_frame(frame):
        problem = (
            f"@levrt.remote {fn.__name__} is defined inside the async function {qualname}(); the tool "
            "container cannot call a workflow to find it again. Define @levrt.remote at module level, "
            "or inside the mode that builds and returns the Cr (a function annotated -> Cr)"
        )
    elif "<locals>" in qualname or "<lambda>" in qualname:
        problem = (
            f"@levrt.remote {fn.__name__} is defined inside {qualname}(), a nested function the tool "
            "container cannot find again. Define @levrt.remote at module level, or inside a plain "
            "module-level function that builds and returns the Cr (a mode)"
        )
    elif module == "__main__":
        problem = (
            f"@levrt.remote {fn.__name__} is defined in a script ({qualname}()); the tool container imports "
            "the package, not the script: define modes in the package's modules (lev/<ns>/<name>/…)"
        )
    # the frame's arguments, read the way inspect.getargvalues does, without importing inspect
    local = frame.f_locals
    args: list[Any] = []
    names: list[str] = []
    kwargs: dict[str, Any] = {}
    n_pos = code.co_argcount
    n_kwonly = code.co_kwonlyargcount
    varnames = code.co_varnames
    for name in varnames[:n_pos]:
        args.append(local[name])
        names.append(name)
    i = n_pos + n_kwonly
    if code.co_flags & 0x04:  # CO_VARARGS
        varargs = varnames[i]
        extra = list(local[varargs])
        args.extend(extra)
        names.extend(f"*{varargs}[{k}]" for k in range(len(extra)))
        i += 1
    for name in varnames[n_pos : n_pos + n_kwonly]:
        kwargs[name] = local[name]
    if code.co_flags & 0x08:  # CO_VARKEYWORDS
        kwargs.update(local[varnames[i]])
    return Builder(
        module, qualname, args, kwargs, arg_names=names, direct=False, problem=problem, token=frame_token(frame)
    )


class RemoteFunction:
    """A function marked with `@levrt.remote`. Calling it binds arguments and returns an `Entry`;
    `Cr(entry=f)` (uncalled, as in the seeds) is the same as `Cr(entry=f())`."""

    def __init__(self, fn: Callable[..., Any], builder: Builder) -> None:
        self.fn = fn
        self.builder = builder
        self.__name__ = fn.__name__
        self.__qualname__ = fn.__qualname__
        self.__module__ = fn.__module__
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn

    def __call__(self, *args: Any, **kwargs: Any) -> "Entry":
        # checked where the Cr is built; a tool container rebuilding it (LEV_ENTRY set) skips the
        # check, and the cost of importing inspect, since the same call passed it in the workflow
        if "LEV_ENTRY" not in os.environ:
            import inspect

            try:
                inspect.signature(self.fn).bind(*args, **kwargs)
            except TypeError as e:
                raise TypeError(f"@levrt.remote {self.__qualname__}: {e}") from None
        return Entry(self, args, kwargs)

    def __repr__(self) -> str:
        return f"<levrt.remote {self.__qualname__}>"


class Entry:
    """A remote function bound to its arguments: what `Cr(entry=…)` takes."""

    def __init__(self, remote: RemoteFunction, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.remote = remote
        self.args = args
        self.kwargs = kwargs

    def call(self) -> Any:
        return self.remote.fn(*self.args, **self.kwargs)

    def __repr__(self) -> str:
        return f"<levrt entry {self.remote.__qualname__}>"


def remote(fn: Callable[..., Any]) -> RemoteFunction:
    """Marks the function whose body runs inside the container: `Cr(image, entry=entry(ip))`.

    Define it inside the mode that returns the Cr (its arguments are recorded to rebuild the Cr
    in the container, so they must be JSON values) or at module level."""
    if isinstance(fn, RemoteFunction):
        return fn
    if not callable(fn) or isinstance(fn, type):
        raise TypeError(f"@levrt.remote decorates a function, not {type(fn).__name__}")
    return RemoteFunction(fn, _builder_from_frame(sys._getframe(1), fn))


__all__ = ["Builder", "Entry", "RemoteFunction", "async_mode_frame", "remote", "returns_cr"]
