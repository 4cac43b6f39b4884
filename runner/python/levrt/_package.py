"""Finding a package's functions by the names users type."""
from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, Callable, Iterator, Optional

from ._exceptions import PackageError


def iter_exports(pkg: ModuleType) -> Iterator[tuple[str, Callable[..., Any], Optional[ModuleType]]]:
    """(qualified name, function, tool module or None) for every exported mode and workflow."""
    import inspect

    lev = getattr(pkg, "__lev__", None)
    for item in getattr(lev, "exports", None) or []:
        if inspect.ismodule(item):
            tool = item.__name__.rsplit(".", 1)[-1]
            tool_lev = getattr(item, "__lev__", None)
            fns = getattr(tool_lev, "exports", None)
            if fns is None:
                fns = [v for v in vars(item).values() if inspect.isfunction(v) and hasattr(v, "__lev_meta__") and v.__module__ == item.__name__]
            for fn in fns:
                if callable(fn):
                    yield f"{tool}.{fn.__name__}", fn, item
        elif callable(item):
            yield item.__name__, item, None


def resolve_function(package: str, name: str) -> Callable[..., Any]:
    import inspect

    try:
        pkg = importlib.import_module(package)
    except Exception as e:
        raise PackageError(f"cannot import {package}: {e.__class__.__name__}: {e}") from e
    exports = list(iter_exports(pkg))
    for qualified, fn, _ in exports:
        if qualified == name:
            return fn
    by_name = {id(fn): fn for q, fn, _ in exports if fn.__name__ == name}
    if len(by_name) == 1:
        return next(iter(by_name.values()))
    # a dotted path inside the package: asset.server_port, nmap.alive
    if "." in name:
        mod_name, attr = name.rsplit(".", 1)
        try:
            mod = importlib.import_module(f"{package}.{mod_name}")
            found = getattr(mod, attr, None)
            if callable(found):
                return found  # type: ignore[no-any-return]
        except ImportError:
            pass
    found = getattr(pkg, name, None)
    if callable(found) and not inspect.isclass(found):
        return found  # type: ignore[no-any-return]
    available = ", ".join(q for q, _, _ in exports) or "none"
    raise PackageError(f"{package} has no function '{name}'; it exports: {available}")


def resolve_qualname(module: str, qualname: str) -> Any:
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj
