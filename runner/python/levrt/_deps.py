"""The `lev` namespace of an isolated container: only the `lev/` folders of the listed package
directories, none of them on `sys.path` (so nothing at their roots — a `sitecustomize.py`, a
`json.py` — is ever importable). The origin package comes first."""
from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys


def mount_lev_namespace(dirs: list[str]) -> None:
    if "lev" in sys.modules:
        return
    spec = importlib.machinery.ModuleSpec("lev", None, is_package=True)
    spec.submodule_search_locations = [os.path.join(d, "lev") for d in dirs if d]
    sys.modules["lev"] = importlib.util.module_from_spec(spec)
