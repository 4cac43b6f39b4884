"""Cr.package (which package's code built a Cr) and the planner that rebuilds it (levrt._plan)."""
import json
import os
import subprocess
import sys

import pytest
from conftest import HERE, RUNTIME

DEP = os.path.join(HERE, "fixtures", "levdep.net")


@pytest.fixture
def dep(rt, on_path):
    on_path(DEP)
    import lev.levdep.net as net

    return net


def test_a_dependencys_mode_names_its_package(dep):
    assert dep.hostnet("x").spec()["package"] == "levdep.net"
    assert dep.hostnet("x").spec()["entry"]["builder"]["module"] == "lev.levdep.net"


def test_the_runs_own_package_and_scripts_name_none(dep):
    import lev.levtest.rt.tools as tools
    from levrt import Cr

    assert tools.scan("x").spec()["package"] is None
    assert Cr("img").spec()["package"] is None


def test_the_builder_module_decides_not_the_caller(dep):
    """A workflow wrapping a dependency's entry in its own Cr still names the dependency: the
    runner then checks the claim (and finds the Cr differs)."""
    from levrt import Cr

    forged = Cr(dep.PY, host=True, entry=dep.hostnet("x").entry, env=["LD_PRELOAD=/tmp/x.so"])
    assert forged.spec()["package"] == "levdep.net"


def test_no_running_package_means_no_origin(dep, monkeypatch):
    monkeypatch.delenv("LEV_PACKAGE")
    assert dep.hostnet("x").spec()["package"] is None


def test_rebuild_makes_the_same_cr(dep):
    from levrt._plan import rebuild

    spec = dep.shared("w").spec()
    again = rebuild(spec["entry"]).spec()
    assert again == spec


def test_rebuild_refuses_direct_entries(dep):
    from levrt._exceptions import InvalidRequest
    from levrt._plan import rebuild

    with pytest.raises(InvalidRequest, match="module-level"):
        rebuild({"builder": {"module": "lev.levdep.net", "qualname": "plain", "args": [], "kwargs": {}, "direct": True}, "path": []})


@pytest.mark.parametrize(
    "module,qualname,why",
    [
        ("lev.levdep.net", "Cr", "defined elsewhere|not a function"),  # a class it only imports (the attack)
        ("lev.levdep.net", "pathlib", "not a function"),  # a module it imports
        ("lev.levdep.net", "again", "defined elsewhere"),  # a mode under another name
        ("lev.levdep.net", "quick", "partial, not a function"),
        ("lev.levdep.net", "build", "not a function"),  # a lambda
        ("lev.levdep.net", "Tool", "not a function"),
        ("lev.levdep.net", "Tool.hostnet", "attribute chain"),
        ("lev.levdep.net", "hostnet.__wrapped__", "attribute chain"),
        ("levrt", "Cr", "not a function"),
        ("lev.levdep.net", "nothing_here", "cannot find"),
    ],
)
def test_rebuild_calls_only_functions_defined_where_the_claim_says(dep, module, qualname, why):
    from levrt._exceptions import InvalidRequest
    from levrt._plan import rebuild

    entry = {"builder": {"module": module, "qualname": qualname, "args": ["img"], "kwargs": {"host": True, "cmd": ["id"]}}, "path": []}
    with pytest.raises(InvalidRequest, match=why):
        rebuild(entry)


def test_check_mode_accepts_the_modes_themselves(dep):
    from levrt._plan import check_mode

    for name in ("hostnet", "shared", "plain"):
        check_mode("lev.levdep.net", name)


def _plan(env_plan):
    env = {**os.environ, "PYTHONPATH": f"{RUNTIME}:{DEP}", "LEV_PACKAGE": "lev.levdep.net"}
    env.pop("LEV_PLAN", None)
    if env_plan is not None:
        env["LEV_PLAN"] = env_plan
    return subprocess.run([sys.executable, "-m", "levrt._plan"], env=env, capture_output=True, text=True, timeout=60)


def test_plan_main_prints_the_rebuilt_spec():
    entry = {"builder": {"module": "lev.levdep.net", "qualname": "hostnet", "args": ["hi"], "kwargs": {}}, "path": []}
    p = _plan(json.dumps(entry))
    assert p.returncode == 0, p.stderr
    spec = json.loads(p.stdout)
    assert spec["host"] is True and spec["entry"] == entry and spec["package"] is None


def test_plan_main_fails_without_a_plan_or_with_a_bad_builder():
    assert _plan(None).returncode == 2
    bad = {"builder": {"module": "lev.levdep.net", "qualname": "nothing_here", "args": [], "kwargs": {}}, "path": []}
    p = _plan(json.dumps(bad))
    assert p.returncode == 1 and p.stdout == ""


def test_lev_deps_makes_the_lev_namespace_from_lev_folders_only(tmp_path):
    """An isolated container: package roots are not on sys.path, only their lev/ folders count."""
    evil = tmp_path / "evil"
    (evil / "lev" / "evil" / "x").mkdir(parents=True)
    (evil / "lev" / "evil" / "x" / "__init__.py").write_text("")
    (evil / "json.py").write_text("raise SystemExit('evil json imported')\n")
    (evil / "sitecustomize.py").write_text("raise SystemExit('evil sitecustomize ran')\n")
    code = "import json, levrt, lev.levdep.net as n, lev.evil.x; print(n.__file__); print(json.__file__)"
    env = {**os.environ, "PYTHONPATH": RUNTIME, "LEV_DEPS": f"{DEP}:{evil}", "LEV_PACKAGE": "lev.levdep.net"}
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, cwd=str(tmp_path))
    assert p.returncode == 0, p.stderr
    out = p.stdout.splitlines()
    assert out[0] == os.path.join(DEP, "lev", "levdep", "net", "__init__.py")
    assert not out[1].startswith(str(evil))
