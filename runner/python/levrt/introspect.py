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
import types
import typing
from types import ModuleType
from typing import Any, Callable, Optional

from .annot import Keys, Meta, Param
from .annot.cats import Attck, BlackArch

FACT_RE = re.compile(r"^\s*(Homepage|GitHub|Github|Type|Version|License|Author|Source|Docs|Documentation)\s*[:：]\s*(\S.*)$", re.M)
_UnionType = getattr(types, "UnionType", None)  # `str | None` (3.10+)
FENCE_RE = re.compile(r"```[a-zA-Z]*\n(.*?)```", re.S)


class _Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, level: str, where: str, message: str) -> None:
        self.items.append({"level": level, "where": where, "message": message})


_JSON_TYPES = {"str", "int", "float", "bool", "list", "dict", "any", "tuple", "None"}


def _type_name(annotation: Any) -> str:
    """The form type of a parameter: `str`, `int`, `list[str]`, `Optional[int]`, `dict`, `any`…"""
    if annotation is inspect.Parameter.empty or annotation is Any or annotation is object:
        return "any"
    if annotation is None or annotation is type(None):
        return "None"
    if isinstance(annotation, str):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Union or (_UnionType is not None and origin is _UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return f"Optional[{_type_name(args[0])}]"
        return "any"
    if origin is typing.Literal:
        kinds = {type(a).__name__ for a in typing.get_args(annotation)}
        return kinds.pop() if len(kinds) == 1 else "any"
    if origin is not None:
        params = typing.get_args(annotation)
        base = getattr(origin, "__name__", str(origin))
        return f"{base}[{', '.join(_type_name(a) for a in params)}]" if params else base
    return getattr(annotation, "__name__", str(annotation))


def _json_type(name: str) -> bool:
    """Whether a form can give a value of this type (JSON: text, numbers, lists, objects)."""
    parts = [p for p in re.split(r"[\[\], ]+", name.replace("Optional", "")) if p]
    return all(p in _JSON_TYPES or p in ("List", "Dict", "Any") for p in parts)


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
            out["blackarch"].append({"key": v.key, "label": v.label})
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
        ann: Optional[Param] = by_param.get(name)
        type_name = _type_name(hints.get(name, p.annotation))
        if not _json_type(type_name):
            problems.add(
                "warning", f"{where}({name})",
                f"type {type_name} cannot come from a form or JSON; the value arrives as JSON (str, int, float, bool, list, dict)",
            )
        if p.kind is p.POSITIONAL_ONLY:
            problems.add("error", f"{where}({name})", "positional-only parameters cannot be given by name from a form")
        params.append({
            "name": name,
            "type": type_name,
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
        "retries": meta.retries,
    }


def _pyproject(package_dir: str, problems: _Problems) -> tuple[Optional[str], Optional[str]]:
    """[project] name and version from pyproject.toml."""
    path = os.path.join(package_dir, "pyproject.toml")
    if not os.path.exists(path):
        problems.add("error", "pyproject.toml", "missing: it must give [project] name and version")
        return None, None
    try:
        import tomllib
    except ImportError:  # Python < 3.11 on an author's machine
        problems.add("warning", "pyproject.toml", "cannot be read without tomllib (Python 3.11+)")
        return None, None
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except Exception as e:
        problems.add("error", "pyproject.toml", f"cannot be read: {e}")
        return None, None
    project: dict[str, Any] = data["project"] if isinstance(data.get("project"), dict) else {}
    name = project.get("name") if isinstance(project.get("name"), str) else None
    version = project.get("version")
    if not isinstance(version, str) or not version:
        problems.add("error", "pyproject.toml", "[project] version is missing")
        version = None
    return name, version


def _images(pkg_path: str) -> list[str]:
    """Image names given to `Cr(...)` in the package's sources, read with `ast` (nothing runs):
    string literals, and module-level string constants (`IMAGE = "…"; Cr(IMAGE, …)`)."""
    found: list[str] = []
    for root, dirs, files in os.walk(pkg_path):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            try:
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    tree = ast.parse(f.read())
            except (SyntaxError, OSError, UnicodeDecodeError, ValueError):
                continue  # reported by the import
            consts: dict[str, str] = {}
            for node in tree.body:
                if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Constant):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for t in targets:
                        if isinstance(t, ast.Name) and isinstance(node.value.value, str):
                            consts[t.id] = node.value.value

            def value(expr: ast.expr) -> Optional[str]:
                if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
                    return expr.value
                if isinstance(expr, ast.Name):
                    return consts.get(expr.id)
                return None

            for call in ast.walk(tree):
                if not isinstance(call, ast.Call):
                    continue
                if getattr(call.func, "id", None) != "Cr" and getattr(call.func, "attr", None) != "Cr":
                    continue
                args = list(call.args[:1]) + [kw.value for kw in call.keywords if kw.arg == "image"]
                for a in args:
                    v = value(a)
                    if v:
                        found.append(v)
    return sorted(set(found))


def _no_privileges() -> dict[str, Any]:
    return {"hostNetwork": False, "caps": [], "images": [], "services": False, "ports": []}


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    into["hostNetwork"] = into["hostNetwork"] or other["hostNetwork"]
    into["services"] = into["services"] or other["services"]
    for key in ("caps", "images", "ports"):
        into[key] = sorted(set(into[key]) | set(other[key]))


def _cr_privileges(call: ast.Call, value: Callable[[ast.expr], Any]) -> dict[str, Any]:
    """What one `Cr(...)` asks for. A `host=` that is not a literal False counts as asking: it may
    be True at run time, and a declaration errs on the side of showing a need."""
    out = _no_privileges()
    kw = {k.arg: k.value for k in call.keywords if k.arg}
    image = call.args[0] if call.args else kw.get("image")
    if image is not None and isinstance(value(image), str):
        out["images"] = [value(image)]
    host = call.args[2] if len(call.args) > 2 else kw.get("host")
    if host is not None and not (isinstance(host, ast.Constant) and host.value in (False, None)):
        out["hostNetwork"] = True
    caps = kw.get("caps")
    if isinstance(caps, (ast.List, ast.Tuple, ast.Set)):
        out["caps"] = sorted({v for v in (value(e) for e in caps.elts) if isinstance(v, str)})
    ports = call.args[8] if len(call.args) > 8 else kw.get("ports")
    if isinstance(ports, (ast.List, ast.Tuple, ast.Set)):
        out["ports"] = sorted({e.value for e in ports.elts if isinstance(e, ast.Constant) and type(e.value) is int})
    services = call.args[9] if len(call.args) > 9 else kw.get("services")
    if services is not None and not (isinstance(services, ast.Constant) and services.value is None) and not (
        isinstance(services, ast.Dict) and not services.keys
    ):
        out["services"] = True
    return out


def _privileges(pkg_path: str, module_prefix: str) -> tuple[dict[tuple[str, str], dict[str, Any]], dict[str, Any]]:
    """What each module-level function asks for through the `Cr(...)` calls it makes, directly or
    through the package's other module-level functions it calls (matched by name, so a shared name
    over-reports rather than hides), read with `ast`: nothing runs. Also the union of all."""
    direct: dict[tuple[str, str], dict[str, Any]] = {}
    calls: dict[tuple[str, str], set[str]] = {}
    union = _no_privileges()
    for root, dirs, files in os.walk(pkg_path):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            rel = os.path.relpath(os.path.join(root, name), pkg_path)[:-3].replace(os.sep, ".")
            module = module_prefix if rel == "__init__" else f"{module_prefix}.{rel.removesuffix('.__init__')}"
            try:
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    tree = ast.parse(f.read())
            except (SyntaxError, OSError, UnicodeDecodeError, ValueError):
                continue  # reported by the import
            consts: dict[str, Any] = {}
            for node in tree.body:
                if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Constant):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for t in targets:
                        if isinstance(t, ast.Name):
                            consts[t.id] = node.value.value

            def value(expr: ast.expr) -> Any:
                if isinstance(expr, ast.Constant):
                    return expr.value
                if isinstance(expr, ast.Name):
                    return consts.get(expr.id)
                return None

            def scan(node: ast.AST) -> tuple[dict[str, Any], set[str]]:
                found = _no_privileges()
                names: set[str] = set()
                for call in ast.walk(node):
                    if not isinstance(call, ast.Call):
                        continue
                    fname = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
                    if fname == "Cr":
                        _merge(found, _cr_privileges(call, value))
                    elif fname:
                        names.add(fname)
                return found, names

            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found, names = scan(node)
                    direct[(module, node.name)] = found
                    calls[(module, node.name)] = names
                    _merge(union, found)
            # module-level Cr(...) calls (outside any function) count for the package
            for node in tree.body:
                if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    _merge(union, scan(node)[0])
    by_name: dict[str, list[tuple[str, str]]] = {}
    for key in direct:
        by_name.setdefault(key[1], []).append(key)
    resolved: dict[tuple[str, str], dict[str, Any]] = {}
    for key in direct:
        total = _no_privileges()
        seen: set[tuple[str, str]] = set()
        todo = [key]
        while todo:
            k = todo.pop()
            if k in seen:
                continue
            seen.add(k)
            _merge(total, direct[k])
            for n in calls[k]:
                todo.extend(by_name.get(n, []))
        resolved[key] = total
    return resolved, union


def _locate(package_dir: str, declared: Optional[str], problems: _Problems) -> Optional[tuple[str, str]]:
    lev_dir = os.path.join(package_dir, "lev")
    found = []
    if os.path.isdir(lev_dir):
        for ns in sorted(os.listdir(lev_dir)):
            if not os.path.isdir(os.path.join(lev_dir, ns)) or ns == "__pycache__":
                continue
            for name in sorted(os.listdir(os.path.join(lev_dir, ns))):
                if os.path.isfile(os.path.join(lev_dir, ns, name, "__init__.py")):
                    found.append((ns, name))
    parts = declared.split(".") if declared else []
    wanted = (parts[1], parts[2]) if len(parts) == 3 and parts[0] == "lev" else None
    if declared and not wanted:
        problems.add("error", "pyproject.toml", f"[project] name must be lev.<namespace>.<name>, not {declared!r}")
    if not found:
        expect = f"lev/{wanted[0]}/{wanted[1]}/__init__.py" if wanted else "lev/<ns>/<name>/__init__.py"
        problems.add("error", "layout", f"missing {expect}: a package's code lives in lev/<ns>/<name>/ with an __init__.py")
        return None
    if wanted and wanted not in found:
        problems.add(
            "error", "layout",
            f"pyproject.toml names {declared} but the code is in lev/{found[0][0]}/{found[0][1]}/ (expected lev/{wanted[0]}/{wanted[1]}/)",
        )
    if len(found) > 1:
        problems.add("error", "layout", f"several packages in one directory: {', '.join('lev.' + '.'.join(f) for f in found)}")
        if wanted in found:
            return wanted
    return found[0]


def _empty(version: Optional[str]) -> dict[str, Any]:
    return {
        "package": None, "namespace": None, "name": None, "version": version,
        "desc": "", "doc": "", "cats": {"attck": [], "blackarch": []}, "tags": [],
        "exports": [], "tools": [], "modes": [], "workflows": [], "images": [],
        "privileges": _no_privileges(), "keys": [], "problems": [],
    }


def _add_keys(out: dict[str, Any], meta: Any, where: str, problems: _Problems) -> None:
    """The key paths a `Meta` declares, by full schema name; one schema declared twice with other
    paths is an error (which would the hub use?)."""
    declared = getattr(meta, "keys", None) if isinstance(meta, Meta) else None
    for k in declared or []:
        if not isinstance(k, Keys):
            continue
        schema = k.schema if "/" in k.schema else f"{out['namespace']}/{out['name']}.{k.schema}"
        same = next((d for d in out["keys"] if d["schema"] == schema), None)
        if same is None:
            out["keys"].append({"schema": schema, "paths": list(k.paths)})
        elif same["paths"] != list(k.paths):
            problems.add("error", where, f"key paths for {schema} are declared twice, differently: {same['paths']} and {list(k.paths)}")


def _is_function(obj: Any) -> bool:
    return callable(obj) and not inspect.isclass(obj) and not isinstance(obj, ModuleType) and hasattr(obj, "__name__")


def _import_error(e: BaseException, module_name: str, package_dir: str, problems: _Problems) -> None:
    tb = traceback.format_exc(limit=-4)
    where = module_name
    if isinstance(e, SyntaxError) and e.filename:
        where = f"{os.path.relpath(e.filename, package_dir)}:{e.lineno}"
    else:  # the innermost frame in the package's own files
        for fs in reversed(traceback.extract_tb(e.__traceback__)):
            if fs.filename.startswith(package_dir + os.sep):
                where = f"{os.path.relpath(fs.filename, package_dir)}:{fs.lineno}"
                break
    problems.add("error", where, f"the package cannot be imported: {e.__class__.__name__}: {e}\n{tb}")


def manifest(package_dir: str) -> dict[str, Any]:
    """The manifest of the package in `package_dir` (imports it: run in a sandbox)."""
    problems = _Problems()
    package_dir = os.path.abspath(package_dir)
    declared, version = _pyproject(package_dir, problems)
    out = _empty(version)
    out["problems"] = problems.items
    located = _locate(package_dir, declared, problems)
    if not located:
        return out
    ns, name = located
    module_name = f"lev.{ns}.{name}"
    out.update(package=module_name, namespace=ns, name=name)
    out["images"] = _images(os.path.join(package_dir, "lev", ns, name))
    by_function, out["privileges"] = _privileges(os.path.join(package_dir, "lev", ns, name), module_name)
    # in-process callers (tests) may introspect several packages: start from a clean `lev`
    for mod in [m for m in sys.modules if m == "lev" or m.startswith("lev.")]:
        del sys.modules[mod]
    if package_dir in sys.path:
        sys.path.remove(package_dir)
    sys.path.insert(0, package_dir)
    importlib.invalidate_caches()
    try:
        pkg = importlib.import_module(module_name)
    except BaseException as e:  # SystemExit and KeyboardInterrupt in package code are problems too
        _import_error(e, module_name, package_dir, problems)
        return out
    lev = getattr(pkg, "__lev__", None)
    if isinstance(lev, (list, tuple)):
        problems.add("warning", f"{module_name}.__lev__", "__lev__ is a plain list; write __lev__ = annot.meta([...])")
        lev = Meta(list(lev))
    if not isinstance(lev, Meta) or lev.exports is None:
        problems.add(
            "error", f"{module_name}.__lev__",
            "missing: lev/{0}/{1}/__init__.py must set __lev__ = annot.meta([...exports])".format(ns, name)
            if lev is None else f"__lev__ must be annot.meta([...exports]), not {lev!r:.80}",
        )
        return out
    out["desc"] = lev.desc or _doc_parts(pkg.__doc__ or "")[0]
    out["doc"] = inspect.cleandoc(pkg.__doc__ or "")
    out["cats"] = _cats(lev.cats, "__lev__", problems)
    out["tags"] = list(lev.tags)
    _add_keys(out, lev, "__lev__", problems)
    seen: set[str] = set()

    def add(fn: Any, qualified: str) -> Optional[dict[str, Any]]:
        if qualified in seen:
            problems.add("warning", qualified, f"{qualified} is exported twice")
            return None
        seen.add(qualified)
        try:
            f = _function(fn, qualified, problems)
        except Exception as e:  # an exotic callable: a problem, not a crash
            problems.add("error", qualified, f"cannot be described: {e.__class__.__name__}: {e}")
            return None
        _add_keys(out, getattr(fn, "__lev_meta__", None), qualified, problems)
        # a function the sources do not show (made at import time): the package's union
        f["privileges"] = by_function.get((f["module"], getattr(fn, "__name__", "")), out["privileges"])
        (out["workflows"] if f["kind"] == "workflow" else out["modes"]).append(f)
        return f

    for i, item in enumerate(lev.exports):
        if isinstance(item, ModuleType):
            tool_name = item.__name__.rsplit(".", 1)[-1]
            tool_lev = getattr(item, "__lev__", None)
            _add_keys(out, tool_lev, item.__name__, problems)
            fns = getattr(tool_lev, "exports", None)
            if fns is None:
                problems.add("warning", item.__name__, "tool module without __lev__ = annot.meta([...]); exporting its annotated functions")
                fns = [
                    v for v in vars(item).values()
                    if inspect.isfunction(v) and hasattr(v, "__lev_meta__") and v.__module__ == item.__name__
                ]
            modes = []
            for fn in fns:
                if not _is_function(fn):
                    problems.add("error", f"{item.__name__}.__lev__", f"export {fn!r:.80} is not a function (a tool's exports are its modes)")
                    continue
                f = add(fn, f"{tool_name}.{fn.__name__}")
                if f is not None:
                    modes.append(f)
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
        elif _is_function(item):
            f = add(item, item.__name__)
            if f is not None:
                out["exports"].append({"kind": f["kind"], "name": item.__name__})
        else:
            problems.add(
                "error", f"{module_name}.__lev__",
                f"export #{i + 1} ({item!r:.80}) is neither a function nor a tool module",
            )
    if not out["modes"] and not out["workflows"]:
        problems.add("error", f"{module_name}.__lev__", "exports no mode and no workflow")
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python3 -m levrt.introspect <package-dir>", file=sys.stderr)
        return 2
    # package code may print on import, even from C or a subprocess: point fd 1 at stderr while
    # it runs and keep the real stdout for the manifest alone
    sys.stdout.flush()
    real_fd = os.dup(1)
    os.dup2(2, 1)
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        data = manifest(argv[0])
    except BaseException as e:  # a bug here, or a package that defeats the guards: still data
        data = _empty(None)
        data["problems"].append({
            "level": "error",
            "where": "introspection",
            "message": f"introspection failed: {e.__class__.__name__}: {e}\n{traceback.format_exc(limit=-5)}",
        })
    finally:
        sys.stdout.flush()
        sys.stdout = real_stdout
        os.dup2(real_fd, 1)
        os.close(real_fd)
    text = json.dumps(data, ensure_ascii=False, default=_json_fallback)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    return 0


def _json_fallback(value: Any) -> Any:
    return repr(value)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
