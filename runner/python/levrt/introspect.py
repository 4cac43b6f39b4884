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

from ._refs import File, Secret
from ._remote import returns_cr
from .annot import REF_KINDS, TARGET_KINDS, Assets, Findings, Keys, Meta, Param
from .annot._mapping import mapping_problem
from .annot.cats import Attck, BlackArch

FACT_RE = re.compile(r"^\s*(Homepage|GitHub|Github|Type|Version|License|Author|Source|Docs|Documentation)\s*[:：]\s*(\S.*)$", re.M)
_UnionType = getattr(types, "UnionType", None)  # `str | None` (3.10+)
FENCE_RE = re.compile(r"```[a-zA-Z]*\n(.*?)```", re.S)


#: Every problem introspection reports, by code (one closed set; `ManifestProblem` in
#: runner/src/manifest/introspect.ts). An error refuses an upload; a warning is shown on the package page.
PROBLEM_CODES = {
    "pyproject": "pyproject.toml is missing, unreadable or incomplete",
    "layout": "the files are not laid out as lev/<ns>/<name>/",
    "import-error": "the package cannot be imported",
    "missing-dependency": "the package imports a Leviathan package that is not available",
    "no-exports": "__lev__ is missing or exports nothing",
    "bad-export": "an export is not a function or a tool module",
    "lev-plain-list": "__lev__ is a plain list",
    "tool-without-lev": "a tool module has no __lev__",
    "exported-twice": "a function is exported twice",
    "undescribable": "a function's signature or details cannot be read",
    "unknown-param": "annot.Param names no parameter of its function",
    "positional-only": "a positional-only parameter cannot be given by name",
    "type-not-json": "a parameter's type cannot come from a form or JSON",
    "default-not-json": "a parameter's default value is not JSON",
    "file-default": "a file parameter's default is not None",
    "secret-default": "a secret parameter's default is not None",
    "category": "a category is not a member of Attck or BlackArch",
    "keys": "key paths are declared twice, differently",
    "assets": "a schema's asset mapping is declared twice, differently",
    "findings": "a schema's finding mapping is declared twice differently, or asks for an asset its schema does not map",
    "introspection-failed": "introspection itself failed",
}


class _Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, severity: str, where: str, code: str, message: str) -> None:
        assert severity in ("error", "warning") and code in PROBLEM_CODES, (severity, code)
        self.items.append({"severity": severity, "where": where, "code": code, "message": message})


_JSON_TYPES = {"str", "int", "float", "bool", "list", "dict", "any", "tuple", "None", "file", "secret"}
#: parameter types that take a typed reference (a file, a secret), never JSON
_REF_TYPES = ("file", "secret")


def _ref_text(kind: str) -> re.Pattern[str]:
    name = kind.capitalize()
    return re.compile(rf"^(?:Optional\[\s*(?:levrt\.)?{name}\s*\]|(?:levrt\.)?{name}(?:\s*\|\s*None)?|None\s*\|\s*(?:levrt\.)?{name})$")


_REF_TEXT = {kind: _ref_text(kind) for kind in _REF_TYPES}


def _type_name(annotation: Any) -> str:
    """The form type of a parameter: `str`, `int`, `list[str]`, `Optional[int]`, `dict`, `file`,
    `secret`, `any`… A `levrt.File` (also `Optional[File]`, `File | None`) is `file`: a file the
    user gives; a `levrt.Secret` likewise `secret`: a secret of the run's project."""
    if annotation is inspect.Parameter.empty or annotation is Any or annotation is object:
        return "any"
    if annotation is None or annotation is type(None):
        return "None"
    if annotation is File:
        return "file"
    if annotation is Secret:
        return "secret"
    if isinstance(annotation, str):
        return next((kind for kind, text in _REF_TEXT.items() if text.match(annotation.strip())), annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Union or (_UnionType is not None and origin is _UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            inner = _type_name(args[0])
            return inner if inner in _REF_TYPES else f"Optional[{inner}]"
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
                problems.add("error", where, "category", f"unknown category family {k!r}; use Attck or BlackArch")
                continue
            values.extend(v if isinstance(v, (list, tuple)) else [v])
    elif isinstance(cats, (list, tuple)):
        values = list(cats)
    else:
        problems.add("error", where, "category", f"cats must be a list or a dict, not {type(cats).__name__}")
    for v in values:
        if isinstance(v, Attck):
            out["attck"].append({"key": v.name, "id": v.id, "label": v.label})
        elif isinstance(v, BlackArch):
            out["blackarch"].append({"key": v.key, "label": v.label})
        else:
            problems.add("error", where, "category", f"unknown category {v!r}; use members of Attck or BlackArch")
    return out


def _json_default(value: Any, where: str, problems: _Problems) -> Any:
    try:
        json.dumps(value, allow_nan=False)
        return value
    except (TypeError, ValueError):
        problems.add("error", where, "default-not-json", f"default value {value!r} is not JSON-serialisable")
        return None


def _function(fn: Callable[..., Any], qualified: str, problems: _Problems) -> dict[str, Any]:
    meta: Meta = getattr(fn, "__lev_meta__", None) or Meta()
    where = qualified
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError) as e:
        problems.add("error", where, "undescribable", f"cannot read the signature: {e}")
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
        kind = getattr(ann, "kind", None) if ann is not None else None
        # `annot.Param(kind="secret")` says what the parameter takes, whatever its annotation
        type_name = kind if kind in REF_KINDS else _type_name(hints.get(name, p.annotation))
        if not _json_type(type_name):
            problems.add(
                "warning", f"{where}({name})", "type-not-json",
                f"type {type_name} cannot come from a form or JSON; the value arrives as JSON (str, int, float, bool, list, dict)",
            )
        if p.kind is p.POSITIONAL_ONLY:
            problems.add("error", f"{where}({name})", "positional-only", "positional-only parameters cannot be given by name from a form")
        default = p.default if has_default else None
        if type_name in _REF_TYPES and default is not None:
            problems.add(
                "warning", f"{where}({name})", f"{type_name}-default",
                f"a {type_name} parameter's default can only be None (no {type_name}), not {default!r:.60}; it is shown without one",
            )
            default = None
        params.append({
            "name": name,
            "type": type_name,
            "required": not has_default,
            "default": _json_default(default, f"{where}({name})", problems),
            "desc": ann.desc if ann else None,
            "holder": ann.holder if ann else None,
            # present only on target parameters: manifests without it read as before
            **({"kind": kind} if kind in TARGET_KINDS else {}),
        })
    for name in by_param:
        if name not in sig.parameters:
            # a typo in a published package: shown on its page, the rest of it still works
            problems.add(
                "warning", where, "unknown-param",
                f"annot.Param({name!r}) names no parameter of {fn.__name__}({', '.join(sig.parameters)}); its description is not shown",
            )
    description, example = _doc_parts(fn.__doc__ or "")
    return {
        "name": fn.__name__,
        "qualified": qualified,
        "module": fn.__module__,
        # an `async def` is a workflow, as in Leviathan, unless it says it builds a Cr (`-> Cr`)
        "kind": "workflow" if inspect.iscoroutinefunction(fn) and not returns_cr(fn) else "mode",
        "desc": meta.desc or description,
        "description": description,
        "example": example,
        "doc": inspect.cleandoc(fn.__doc__ or ""),
        "params": params,
        "cats": _cats(meta.cats, where, problems),
        "tags": list(meta.tags),
        "retries": meta.retries,
    }


def _pyproject(package_dir: str, problems: _Problems) -> tuple[Optional[str], Optional[str], list[str]]:
    """[project] name, version and dependencies from pyproject.toml."""
    path = os.path.join(package_dir, "pyproject.toml")
    if not os.path.exists(path):
        problems.add("error", "pyproject.toml", "pyproject", "missing: it must give [project] name and version")
        return None, None, []
    try:
        import tomllib
    except ImportError:  # Python < 3.11 on an author's machine
        problems.add("warning", "pyproject.toml", "pyproject", "cannot be read without tomllib (Python 3.11+)")
        return None, None, []
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except Exception as e:
        problems.add("error", "pyproject.toml", "pyproject", f"cannot be read: {e}")
        return None, None, []
    project: dict[str, Any] = data["project"] if isinstance(data.get("project"), dict) else {}
    name = project.get("name") if isinstance(project.get("name"), str) else None
    version = project.get("version")
    if not isinstance(version, str) or not version:
        problems.add("error", "pyproject.toml", "pyproject", "[project] version is missing")
        version = None
    deps = project.get("dependencies")
    return name, version, [d for d in deps if isinstance(d, str)] if isinstance(deps, list) else []


_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_LEV_MODULE = re.compile(r"\blev\.([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)")


def _norm(name: str) -> str:
    """A distribution name as pip compares them (pdm writes lev.a.b_c as lev-a-b-c)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _missing_dependency(e: ModuleNotFoundError, source_line: str, declared: list[str]) -> Optional[str]:
    """For `No module named 'lev.<ns>…'`: which Leviathan package is missing, whether pyproject.toml
    declares it, and how to get it (`lev add`). None when the missing module is not a `lev.` one."""
    parts = (e.name or "").split(".")
    if len(parts) < 2 or parts[0] != "lev":
        return None
    ns = parts[1]
    wanted: Optional[tuple[str, str]] = (parts[1], parts[2]) if len(parts) >= 3 else None
    if wanted is None:  # `No module named 'lev.joe'`: the import statement names the package
        m = next((m for m in _LEV_MODULE.finditer(source_line) if m.group(1) == ns), None)
        wanted = (m.group(1), m.group(2)) if m else None
    names = [(r, m.group(1)) for r in declared if (m := _REQUIREMENT_NAME.match(r))]
    if wanted is not None:
        match = [r.strip() for r, n in names if _norm(n) == _norm(f"lev.{wanted[0]}.{wanted[1]}")]
        what, add = f"lev.{wanted[0]}.{wanted[1]}", f"lev add {wanted[0]}.{wanted[1]}"
    else:
        match = [r.strip() for r, n in names if _norm(n).startswith(_norm(f"lev.{ns}") + "-")]
        what, add = f"a package of namespace '{ns}' (lev.{ns}.…)", f"lev add {ns}.<name>"
    if match:
        return (
            f"the package imports {what}, which pyproject.toml declares ({', '.join(match)}), but it is not available: "
            f"on the hub, that version must be published and visible to you; locally, `{add}` fetches it into .lev/deps"
        )
    return (
        f"the package imports {what}, which pyproject.toml does not declare as a dependency: "
        f"`{add}` records the requirement (lev.<ns>.<name>==<version>) and fetches it"
    )


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
        problems.add("error", "pyproject.toml", "pyproject", f"[project] name must be lev.<namespace>.<name>, not {declared!r}")
    if not found:
        expect = f"lev/{wanted[0]}/{wanted[1]}/__init__.py" if wanted else "lev/<ns>/<name>/__init__.py"
        problems.add("error", "layout", "layout", f"missing {expect}: a package's code lives in lev/<ns>/<name>/ with an __init__.py")
        return None
    if wanted and wanted not in found:
        problems.add(
            "error", "layout", "layout",
            f"pyproject.toml names {declared} but the code is in lev/{found[0][0]}/{found[0][1]}/ (expected lev/{wanted[0]}/{wanted[1]}/)",
        )
    if len(found) > 1:
        problems.add("error", "layout", "layout", f"several packages in one directory: {', '.join('lev.' + '.'.join(f) for f in found)}")
        if wanted in found:
            return wanted
    return found[0]


def _empty(version: Optional[str]) -> dict[str, Any]:
    return {
        "package": None, "namespace": None, "name": None, "version": version,
        "desc": "", "doc": "", "cats": {"attck": [], "blackarch": []}, "tags": [],
        "exports": [], "tools": [], "modes": [], "workflows": [], "images": [],
        "privileges": _no_privileges(), "keys": [], "assets": [], "findings": [], "problems": [],
    }


def _add_keys(out: dict[str, Any], meta: Any, where: str, problems: _Problems) -> None:
    """The key paths (and ignored fields, when any) a `Meta` declares, by full schema name; one
    schema declared twice otherwise is an error (which would the hub use?)."""
    declared = getattr(meta, "keys", None) if isinstance(meta, Meta) else None
    for k in declared or []:
        if not isinstance(k, Keys):
            continue
        schema = k.schema if "/" in k.schema else f"{out['namespace']}/{out['name']}.{k.schema}"
        entry: dict[str, Any] = {"schema": schema, "paths": list(k.paths)}
        if k.ignore:
            entry["ignore"] = list(k.ignore)
        same = next((d for d in out["keys"] if d["schema"] == schema), None)
        if same is None:
            out["keys"].append(entry)
        elif same != entry:
            first = same["paths"] + [f"ignore {i}" for i in same.get("ignore", [])]
            second = entry["paths"] + [f"ignore {i}" for i in entry.get("ignore", [])]
            problems.add("error", where, "keys", f"key paths for {schema} are declared twice, differently: {first} and {second}")


def _full_schema(out: dict[str, Any], schema: str) -> str:
    return schema if "/" in schema else f"{out['namespace']}/{out['name']}.{schema}"


def _add_mappings(out: dict[str, Any], meta: Any, where: str, problems: _Problems) -> None:
    """The asset and finding mappings a `Meta` declares, by full schema name. One schema has one
    asset mapping; its finding mappings are told apart by their key template. The same declaration
    made twice (a tool's and a function's) is recorded once; made differently, it is an error."""
    if not isinstance(meta, Meta):
        return
    for a in getattr(meta, "assets", None) or []:
        if not isinstance(a, Assets):
            continue
        entry = a.manifest(_full_schema(out, a.schema))
        same = next((d for d in out["assets"] if d["schema"] == entry["schema"]), None)
        if same is None:
            out["assets"].append(entry)
        elif same != entry:
            problems.add("error", where, "assets", f"the asset mapping of {entry['schema']} is declared twice, differently: {same} and {entry}")
    for f in getattr(meta, "findings", None) or []:
        if not isinstance(f, Findings):
            continue
        entry = f.manifest(_full_schema(out, f.schema))
        same = next((d for d in out["findings"] if d["schema"] == entry["schema"] and d["key"] == entry["key"]), None)
        if same is None:
            out["findings"].append(entry)
        elif same != entry:
            problems.add("error", where, "findings", f"the finding mapping of {entry['schema']} with key {entry['key']!r} is declared twice, differently")


def _check_finding_assets(out: dict[str, Any], problems: _Problems) -> None:
    """A finding that asks for an asset its schema's Assets (in this package) cannot give is an error."""
    for f in out["findings"]:
        assets = next((a for a in out["assets"] if a["schema"] == f["schema"]), None)
        problem = mapping_problem(assets, f)
        if problem:
            problems.add("error", f["schema"], "findings", f"the finding mapping {f['key']!r} of {f['schema']} {problem}")


def _is_function(obj: Any) -> bool:
    return callable(obj) and not inspect.isclass(obj) and not isinstance(obj, ModuleType) and hasattr(obj, "__name__")


def _import_error(e: BaseException, module_name: str, package_dir: str, declared: list[str], problems: _Problems) -> None:
    tb = traceback.format_exc(limit=-4)
    where = module_name
    line = ""
    if isinstance(e, SyntaxError) and e.filename:
        where = f"{os.path.relpath(e.filename, package_dir)}:{e.lineno}"
    else:  # the innermost frame in the package's own files
        for fs in reversed(traceback.extract_tb(e.__traceback__)):
            if fs.filename.startswith(package_dir + os.sep):
                where = f"{os.path.relpath(fs.filename, package_dir)}:{fs.lineno}"
                line = fs.line or ""
                break
    missing = _missing_dependency(e, line, declared) if isinstance(e, ModuleNotFoundError) else None
    if missing:
        problems.add("error", where, "missing-dependency", f"{missing} ({e.__class__.__name__}: {e})")
        return
    problems.add("error", where, "import-error", f"the package cannot be imported: {e.__class__.__name__}: {e}\n{tb}")


def manifest(package_dir: str) -> dict[str, Any]:
    """The manifest of the package in `package_dir` (imports it: run in a sandbox)."""
    problems = _Problems()
    package_dir = os.path.abspath(package_dir)
    declared, version, requirements = _pyproject(package_dir, problems)
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
        _import_error(e, module_name, package_dir, requirements, problems)
        return out
    lev = getattr(pkg, "__lev__", None)
    if isinstance(lev, (list, tuple)):
        problems.add("warning", f"{module_name}.__lev__", "lev-plain-list", "__lev__ is a plain list; write __lev__ = annot.meta([...])")
        lev = Meta(list(lev))
    if not isinstance(lev, Meta) or lev.exports is None:
        problems.add(
            "error", f"{module_name}.__lev__", "no-exports",
            "missing: lev/{0}/{1}/__init__.py must set __lev__ = annot.meta([...exports])".format(ns, name)
            if lev is None else f"__lev__ must be annot.meta([...exports]), not {lev!r:.80}",
        )
        return out
    out["desc"] = lev.desc or _doc_parts(pkg.__doc__ or "")[0]
    out["doc"] = inspect.cleandoc(pkg.__doc__ or "")
    out["cats"] = _cats(lev.cats, "__lev__", problems)
    out["tags"] = list(lev.tags)
    _add_keys(out, lev, "__lev__", problems)
    _add_mappings(out, lev, "__lev__", problems)
    seen: set[str] = set()

    def add(fn: Any, qualified: str) -> Optional[dict[str, Any]]:
        if qualified in seen:
            problems.add("warning", qualified, "exported-twice", f"{qualified} is exported twice")
            return None
        seen.add(qualified)
        try:
            f = _function(fn, qualified, problems)
        except Exception as e:  # an exotic callable: a problem, not a crash
            problems.add("error", qualified, "undescribable", f"cannot be described: {e.__class__.__name__}: {e}")
            return None
        _add_keys(out, getattr(fn, "__lev_meta__", None), qualified, problems)
        _add_mappings(out, getattr(fn, "__lev_meta__", None), qualified, problems)
        # a function the sources do not show (made at import time): the package's union
        f["privileges"] = by_function.get((f["module"], getattr(fn, "__name__", "")), out["privileges"])
        (out["workflows"] if f["kind"] == "workflow" else out["modes"]).append(f)
        return f

    for i, item in enumerate(lev.exports):
        if isinstance(item, ModuleType):
            tool_name = item.__name__.rsplit(".", 1)[-1]
            tool_lev = getattr(item, "__lev__", None)
            _add_keys(out, tool_lev, item.__name__, problems)
            _add_mappings(out, tool_lev, item.__name__, problems)
            fns = getattr(tool_lev, "exports", None)
            if fns is None:
                problems.add("warning", item.__name__, "tool-without-lev", "tool module without __lev__ = annot.meta([...]); exporting its annotated functions")
                fns = [
                    v for v in vars(item).values()
                    if inspect.isfunction(v) and hasattr(v, "__lev_meta__") and v.__module__ == item.__name__
                ]
            modes = []
            for fn in fns:
                if not _is_function(fn):
                    problems.add("error", f"{item.__name__}.__lev__", "bad-export", f"export {fn!r:.80} is not a function (a tool's exports are its modes)")
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
                "error", f"{module_name}.__lev__", "bad-export",
                f"export #{i + 1} ({item!r:.80}) is neither a function nor a tool module",
            )
    if not out["modes"] and not out["workflows"]:
        problems.add("error", f"{module_name}.__lev__", "no-exports", "exports no mode and no workflow")
    _check_finding_assets(out, problems)
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
            "severity": "error",
            "where": "introspection",
            "code": "introspection-failed",
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
