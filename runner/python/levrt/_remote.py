"""`@levrt.remote`: the function whose body runs inside the tool container.

A tool container cannot receive a Python closure, so the runtime records how to rebuild it:
the function that was running when the entry was defined (the *builder*, usually the mode) and
its arguments. The tool container imports the package, calls the builder again with the same
JSON arguments to rebuild the `Cr`, and runs that Cr's entry.
"""
from __future__ import annotations

import inspect
import sys
from types import FrameType
from typing import Any, Callable, Optional

_ASYNC_FLAGS = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR | inspect.CO_ITERABLE_COROUTINE


class Builder:
    def __init__(self, module: str, qualname: str, args: list[Any], kwargs: dict[str, Any], *, direct: bool, problem: Optional[str]) -> None:
        self.module = module
        self.qualname = qualname
        self.args = args
        self.kwargs = kwargs
        self.direct = direct
        self.problem = problem


def _builder_from_frame(frame: FrameType, fn: Callable[..., Any]) -> Builder:
    code = frame.f_code
    module = frame.f_globals.get("__name__", "__main__")
    if code.co_name == "<module>":
        return Builder(fn.__module__, fn.__qualname__, [], {}, direct=True, problem=None)
    qualname = getattr(code, "co_qualname", code.co_name)
    problem = None
    if code.co_flags & _ASYNC_FLAGS:
        problem = (
            f"@levrt.remote {fn.__name__} is defined inside the async function {qualname}; define it at "
            "module level or inside a plain (non-async) function that builds the Cr (a mode)"
        )
    elif "<locals>" in qualname:
        problem = (
            f"@levrt.remote {fn.__name__} is defined inside {qualname}, a nested function the tool "
            "container cannot find again; define the function that builds the Cr at module level"
        )
    info = inspect.getargvalues(frame)
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    n_pos = code.co_argcount
    n_kwonly = code.co_kwonlyargcount
    names = code.co_varnames
    for name in names[:n_pos]:
        args.append(info.locals[name])
    if info.varargs:
        args.extend(info.locals[info.varargs])
    for name in names[n_pos : n_pos + n_kwonly]:
        kwargs[name] = info.locals[name]
    if info.keywords:
        kwargs.update(info.locals[info.keywords])
    return Builder(module, qualname, args, kwargs, direct=False, problem=problem)


class RemoteFunction:
    """A function marked with `@levrt.remote`. Calling it binds arguments and returns an `Entry`."""

    def __init__(self, fn: Callable[..., Any], builder: Builder) -> None:
        self.fn = fn
        self.builder = builder
        self.__name__ = fn.__name__
        self.__qualname__ = fn.__qualname__
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn

    def __call__(self, *args: Any, **kwargs: Any) -> "Entry":
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
    """Marks the function whose body runs inside the container: `Cr(image, entry=entry(ip))`."""
    if not callable(fn):
        raise TypeError("@levrt.remote decorates a function")
    return RemoteFunction(fn, _builder_from_frame(sys._getframe(1), fn))
