"""Package introspection: `python3 -m levrt.introspect <package-dir>` prints one JSON manifest.

The hub runs this inside a sandbox container, never in its own process. A broken package is
data, not a crash: every problem found is listed in `problems` and the exit code stays 0.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import json
import os
import re
import sys
import textwrap
import traceback
import typing
from types import ModuleType
from typing import Any, Callable, Optional

from .annot import Meta, Param
from .annot.cats import Attck, BlackArch

FACT_RE = re.compile(r"^\s*(Homepage|GitHub|Github|Type|Version|License|Author|Source|Docs|Documentation)\s*[:：]\s*(\S.*)$", re.M)
FENCE_RE = re.compile(r"```[a-zA-Z]*\n(.*?)```", re.S)


class _Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, level: str, where: str, message: str) -> None:
        self.items.append({"level": level, "where": where, "message": message})


def _type_name(annotation: Any) -> str:
    if annotation is inspect.Parameter.empty or annotation is Any:
        return "any"
    if isinstance(annotation, str):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return f"Optional[{_type_name(args[0])}]" if len(args) == 1 else "any"
    if origin is not None:
        args = typing.get_args(annotation)
        base = getattr(origin, "__name__", str(origin))
        return f"{base}[{', '.join(_type_name(a) for a in args)}]" if args else base
    return getattr(annotation, "__name__", str(annotation))


def _doc_parts(doc: str) -> tuple[str, Optional[str]]:
    doc = inspect.cleandoc(doc or "")
    m = FENCE_RE.search(doc)
    example = textwrap.dedent(m.group(1)).strip() if m else None
    first = doc.split("\n\n", 1)[0] if doc else ""
    if "```" in first:
        first = first.split("```", 1)[0]
    return " ".join(first.split()), example


def _cats(cats: Any, where: str, problems: _Problems) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {"attck": [], "blackarch": []}
    if cats is None:
        return out
    values: list[Any] = []
    if isinstance(cats, dict):
        for k, v in cats.items():
            if k not in (Attck, BlackArch):
                problems.add("error", where, f"unknown category family {k!r}; use Attck or BlackArch")
                continue
            values.extend(v if isinstance(v, (list, tuple)) else [v])
    elif isinstance(cats, (list, tuple)):
        values = list(cats)
    else:
        problems.add("error", where, f"cats must be a list or a dict, not {type(cats).__name__}")
    for v in values:
        if isinstance(v, Attck):
            out["attck"].append({"key": v.name, "id": v.id, "label": v.label})
        elif isinstance(v, BlackArch):
            out["blackarch"].append({"key": v.key, "label": v.label})  # type: ignore[attr-defined]
        else:
            problems.add("error", where, f"unknown category {v!r}; use members of Attck or BlackArch")
    return out


def _json_default(value: Any, where: str, problems: _Problems) -> Any:
    try:
        json.dumps(value, allow_nan=False)
        return value
    except (TypeError, ValueError):
        problems.add("error", where, f"default value {value!r} is not JSON-serialisable")
        return None


def _function(fn: Callable[..., Any], qualified: str, problems: _Problems) -> dict[str, Any]:
    meta: Meta = getattr(fn, "__lev_meta__", None) or Meta()
    where = qualified
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError) as e:
        problems.add("error", where, f"cannot read the signature: {e}")
        sig = inspect.Signature()
    try:
        hints = typing.get_type_hints(fn)
    except Exception:
        hints = {}
    by_param = {p.name: p for p in meta.params}
    params = []
    for name, p in sig.parameters.items():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        has_default = p.default is not inspect.Parameter.empty
        ann: Param | None = by_param.get(name)
        params.append({
            "name": name,
            "type": _type_name(hints.get(name, p.annotation)),
            "required": not has_default,
            "default": _json_default(p.default, f"{where}({name})", problems) if has_default else None,
            "desc": ann.desc if ann else None,
            "holder": ann.holder if ann else None,
        })
    for name in by_param:
        if name not in sig.parameters:
            problems.add(
                "error", where,
                f"annot.Param({name!r}) names no parameter of {fn.__name__}({', '.join(sig.parameters)})",
            )
    description, example = _doc_parts(fn.__doc__ or "")
    return {
        "name": fn.__name__,
        "qualified": qualified,
        "module": fn.__module__,
        "kind": "workflow" if inspect.iscoroutinefunction(fn) else "mode",
        "desc": meta.desc or description,
        "description": description,
        "example": example,
        "doc": inspect.cleandoc(fn.__doc__ or ""),
        "params": params,
        "cats": _cats(meta.cats, where, problems),
        "tags": list(meta.tags),
    }


def _version(package_dir: str, problems: _Problems) -> Optional[str]:
    path = os.path.join(package_dir, "pyproject.toml")
    if not os.path.exists(path):
        problems.add("error", "pyproject.toml", "missing: it must give [project] name and version")
        return None
    try:
        import tomllib

        with open(path, "rb") as f:
            data = tomllib.load(f)
    except Exception as e:
        problems.add("error", "pyproject.toml", f"cannot be read: {e}")
        return None
    version = data.get("project", {}).get("version")
    if not isinstance(version, str) or not version:
        problems.add("error", "pyproject.toml", "[project] version is missing")
        return None
    return version


def _images(package_dir: str, pkg_path: str) -> list[str]:
    found: list[str] = []
    for root, _dirs, files in os.walk(pkg_path):
        for name in files:
            if not name.endswith(".py"):
                continue
            try:
                tree = ast.parse(open(os.path.join(root, name), encoding="utf-8").read())
            except (SyntaxError, OSError, UnicodeDecodeError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and (getattr(node.func, "id", None) == "Cr" or getattr(node.func, "attr", None) == "Cr"):
                    if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                        found.append(node.args[0].value)
                    for kw in node.keywords:
                        if kw.arg == "image" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                            found.append(kw.value.value)
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                    if any("IMAGE" in n.upper() for n in names):
                        found.append(node.value.value)
    return sorted(set(found))


def _locate(package_dir: str, problems: _Problems) -> Optional[tuple[str, str]]:
    lev_dir = os.path.join(package_dir, "lev")
    found = []
    if os.path.isdir(lev_dir):
        for ns in sorted(os.listdir(lev_dir)):
            if not os.path.isdir(os.path.join(lev_dir, ns)):
                continue
            for name in sorted(os.listdir(os.path.join(lev_dir, ns))):
                if os.path.isfile(os.path.join(lev_dir, ns, name, "__init__.py")):
                    found.append((ns, name))
    if not found:
        problems.add("error", "layout", "no lev/<ns>/<name>/__init__.py in the package")
        return None
    if len(found) > 1:
        problems.add("error", "layout", f"several packages in one archive: {found}")
    return found[0]


def manifest(package_dir: str) -> dict[str, Any]:
    problems = _Problems()
    package_dir = os.path.abspath(package_dir)
    out: dict[str, Any] = {
        "package": None, "namespace": None, "name": None, "version": _version(package_dir, problems),
        "desc": "", "doc": "", "cats": {"attck": [], "blackarch": []}, "tags": [],
        "tools": [], "modes": [], "workflows": [], "exports": [], "images": [], "problems": problems.items,
    }
    located = _locate(package_dir, problems)
    if not located:
        return out
    ns, name = located
    module_name = f"lev.{ns}.{name}"
    out.update(package=module_name, namespace=ns, name=name)
    out["images"] = _images(package_dir, os.path.join(package_dir, "lev", ns, name))
    # in-process callers (tests) may introspect several packages: start from a clean `lev`
    for mod in [m for m in sys.modules if m == "lev" or m.startswith("lev.")]:
        del sys.modules[mod]
    if package_dir in sys.path:
        sys.path.remove(package_dir)
    sys.path.insert(0, package_dir)
    importlib.invalidate_caches()
    try:
        pkg = importlib.import_module(module_name)
    except BaseException as e:
        tb = traceback.format_exc(limit=-3)
        where = module_name
        if isinstance(e, SyntaxError) and e.filename:
            where = f"{os.path.relpath(e.filename, package_dir)}:{e.lineno}"
        problems.add("error", where, f"the package cannot be imported: {e.__class__.__name__}: {e}\n{tb}")
        return out
    lev = getattr(pkg, "__lev__", None)
    if not isinstance(lev, Meta) or lev.exports is None:
        problems.add("error", f"{module_name}.__lev__", "missing: __init__.py must set __lev__ = annot.meta([...exports])")
        return out
    out["desc"] = lev.desc or _doc_parts(pkg.__doc__ or "")[0]
    out["doc"] = inspect.cleandoc(pkg.__doc__ or "")
    out["cats"] = _cats(lev.cats, "__lev__", problems)
    out["tags"] = list(lev.tags)
    for i, item in enumerate(lev.exports):
        if isinstance(item, ModuleType):
            tool_name = item.__name__.rsplit(".", 1)[-1]
            tool_lev = getattr(item, "__lev__", None)
            fns = getattr(tool_lev, "exports", None)
            if fns is None:
                problems.add("warning", item.__name__, "tool module without __lev__; exporting its annotated functions")
                fns = [v for v in vars(item).values() if inspect.isfunction(v) and hasattr(v, "__lev_meta__")]
            modes = []
            for fn in fns:
                if not callable(fn) or isinstance(fn, ModuleType):
                    problems.add("error", f"{item.__name__}.__lev__", f"export {fn!r} is not a function")
                    continue
                f = _function(fn, f"{tool_name}.{fn.__name__}", problems)
                modes.append(f)
                (out["workflows"] if f["kind"] == "workflow" else out["modes"]).append(f)
            doc = inspect.cleandoc(item.__doc__ or "")
            out["tools"].append({
                "name": tool_name,
                "module": item.__name__,
                "desc": (tool_lev.desc if isinstance(tool_lev, Meta) else "") or _doc_parts(doc)[0],
                "doc": doc,
                "facts": {k.replace("Github", "GitHub"): v.strip() for k, v in FACT_RE.findall(doc)},
                "cats": _cats(tool_lev.cats if isinstance(tool_lev, Meta) else None, item.__name__, problems),
                "tags": list(tool_lev.tags) if isinstance(tool_lev, Meta) else [],
                "modes": modes,
            })
            out["exports"].append({"kind": "tool", "name": tool_name})
        elif callable(item) and not inspect.isclass(item):
            f = _function(item, item.__name__, problems)
            (out["workflows"] if f["kind"] == "workflow" else out["modes"]).append(f)
            out["exports"].append({"kind": f["kind"], "name": item.__name__})
        else:
            problems.add("error", f"{module_name}.__lev__", f"export #{i + 1} ({item!r}) is neither a function nor a tool module")
    if not out["modes"] and not out["workflows"]:
        problems.add("error", f"{module_name}.__lev__", "exports no mode and no workflow")
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python3 -m levrt.introspect <package-dir>", file=sys.stderr)
        return 2
    # package code may print on import: keep stdout for the manifest alone
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        data = manifest(argv[0])
    finally:
        sys.stdout = real_stdout
    json.dump(data, real_stdout, ensure_ascii=False, default=str)
    real_stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
