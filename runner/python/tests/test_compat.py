"""The compatibility corpus (tests/fixtures/compat/): small packages written from every idiom of
Leviathan's developer guide and API chapter (`levdoc.*`) and of packages third-party authors
published (`wild.*`). Each is introspected here; the ones that can run without Docker run against
the fake runner. runner/test/compat.int.test.ts runs them on Docker as `lev exec` would."""
import asyncio
import json
import os
import textwrap

import pytest

from conftest import HERE
from fake_runner import FakeRunner
from levrt.introspect import PROBLEM_CODES, manifest

COMPAT = os.path.join(HERE, "fixtures", "compat")
REF = "cracker-file-0000000001"


def pkg(name):
    return os.path.join(COMPAT, name)


@pytest.fixture(autouse=True)
def clean(on_path):
    yield


def by_severity(m, severity):
    return [(p["code"], p["where"], p["message"]) for p in m["problems"] if p["severity"] == severity]


def function(m, qualified):
    return next(f for f in [*m["modes"], *m["workflows"], *(f for t in m["tools"] for f in t["modes"])] if f["qualified"] == qualified)


def test_every_problem_is_structured_with_a_known_code():
    for name in sorted(os.listdir(COMPAT)):
        for p in manifest(pkg(name))["problems"]:
            assert set(p) == {"severity", "where", "code", "message"}, p
            assert p["severity"] in ("error", "warning") and p["code"] in PROBLEM_CODES


def test_the_developer_guide_package_introspects_with_one_warning():
    """Chapters 5-12: tool module with facts and a tool-level __lev__, chapter 9's Param typo, the
    package's private image `.ns.name:tag`, a workflow module."""
    m = manifest(pkg("levdoc.hello_world"))
    assert by_severity(m, "error") == []
    assert by_severity(m, "warning") == [
        ("unknown-param", "hello.exp", "annot.Param('name') names no parameter of exp(length); its description is not shown"),
    ]
    [tool] = m["tools"]
    assert tool["facts"] == {"Homepage": "-", "GitHub": "-", "Type": "IMAGE-BASED", "Version": "v1.0.0"}
    assert tool["desc"] == "hello world"
    assert [c["key"] for c in tool["cats"]["attck"]] == ["Reconnaissance"]
    assert [c["key"] for c in tool["cats"]["blackarch"]] == ["misc"]
    assert tool["tags"] == ["hello", "greeting"]
    exp = function(m, "hello.exp")
    assert exp["kind"] == "mode" and exp["params"][0]["desc"] is None and exp["cats"] == {"attck": [], "blackarch": []}
    assert function(m, "hello_world")["params"][0]["holder"] == "9"
    assert m["images"] == [".levdoc.hello_world:v1.0", "alpine:latest"]


def test_the_api_chapter_package_introspects_cleanly():
    m = manifest(pkg("levdoc.api"))
    assert m["problems"] == []
    assert [w["qualified"] for w in m["workflows"]] == ["main", "current", "background", "files_and_services"]
    assert [c["key"] for c in m["cats"]["blackarch"]] == ["scanner", "code-audit"]
    assert function(m, "current")["params"][0] == {
        "name": "urls", "type": "list[str]", "required": False,
        "default": ["a.example", "b.example", "c.example"], "desc": "host names", "holder": None,
    }


def test_published_file_parameters_are_file_fields():
    m = manifest(pkg("wild.cracker"))
    assert by_severity(m, "error") == []
    # the typo of a published workflow is a warning on the package page, not a refusal
    assert [w[:2] for w in by_severity(m, "warning")] == [("unknown-param", "crack_file")]
    assert "birtday" in by_severity(m, "warning")[0][2]
    extract = function(m, "john.extract_hash")
    assert extract["params"][0] == {
        "name": "file_to_extract", "type": "file", "required": False, "default": None,
        "desc": "File to extract the password hash from", "holder": None,
    }
    assert [(p["name"], p["type"]) for p in function(m, "crack_file")["params"]] == [
        ("file_to_extract", "file"), ("wordlist", "file"), ("birthday", "str"),
    ]
    raw = function(m, "john.raw")
    assert raw["params"] == [{"name": "argv", "type": "list[str]", "required": True, "default": None,
                              "desc": "command line arguments", "holder": None}]  # annot.ARGV
    [tool] = m["tools"]
    assert [c["key"] for c in tool["cats"]["attck"]] == ["CredentialAccess", "LateralMovement"]
    assert tool["tags"] == ["password", "john"]
    assert all(f["cats"] == {"attck": [], "blackarch": []} and f["tags"] == [] for f in tool["modes"])
    assert m["images"] == [".wild.cracker:v1.0", "2746dc3d57b0"]


def test_an_async_mode_annotated_cr_is_a_mode_and_file_imported_unused_is_fine():
    m = manifest(pkg("wild.cewl"))
    assert m["problems"] == []
    wordlist = function(m, "cewl.Wordlist")
    assert wordlist["kind"] == "mode"
    assert [(p["name"], p["type"], p["required"]) for p in wordlist["params"]] == [
        ("url", "str", False), ("min_length", "int", False), ("word_list", "file", False),
    ]
    assert function(m, "count_words")["kind"] == "workflow"
    assert [e["kind"] for e in m["exports"]] == ["tool", "workflow"]


@pytest.mark.parametrize("annotation", ["File = None", "Optional[File] = None", "File | None = None", "'File'", "levrt.File = None"])
def test_every_spelling_of_a_file_parameter(tmp_path, annotation):
    from test_introspect import write_pkg

    d = write_pkg(tmp_path, {"__init__.py": f"""
        from typing import Optional
        import levrt
        from levrt import annot, File, Cr
        def m(f: {annotation}) -> Cr:
            return Cr("img", files={{"/f": f}})
        __lev__ = annot.meta([m])
    """})
    [param] = manifest(d)["modes"][0]["params"]
    assert param["type"] == "file"
    assert param["required"] == ("=" not in annotation)


def test_a_file_default_other_than_none_is_a_warning(tmp_path):
    from test_introspect import write_pkg

    m = manifest(write_pkg(tmp_path, {"__init__.py": """
        from levrt import annot, File, Cr
        def m(f: File = "words.txt") -> Cr:
            return Cr("img")
        __lev__ = annot.meta([m])
    """}))
    assert [p["code"] for p in m["problems"]] == ["file-default"]
    assert m["modes"][0]["params"][0]["default"] is None


# ---------------------------------------------------------------- a missing dependency


def test_a_declared_dependency_that_is_not_available_names_the_requirement_and_lev_add():
    m = manifest(pkg("wild.needs_dep"))
    [(code, where, message)] = by_severity(m, "error")
    assert code == "missing-dependency"
    assert where == "lev/wild/needs_dep/asset.py:2"
    assert "lev.joe.jsfuck, which pyproject.toml declares (lev.joe.jsfuck>=1.0)" in message
    assert "`lev add joe.jsfuck`" in message
    assert "No module named 'lev.joe'" in message


def _dep_pkg(tmp_path, deps, imports, extra_ns=False):
    root = tmp_path / "p"
    base = root / "lev" / "alice" / "demo"
    base.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "lev.alice.demo"\nversion = "0.1.0"\ndependencies = {json.dumps(deps)}\n'
    )
    (base / "__init__.py").write_text(textwrap.dedent(f"""
        {imports}
        from levrt import annot
        async def wf():
            pass
        __lev__ = annot.meta([wf])
    """))
    if extra_ns:  # another package of namespace joe is on the path: the error names lev.joe.jsfuck itself
        other = tmp_path / "dep" / "lev" / "joe" / "other"
        other.mkdir(parents=True)
        (other / "__init__.py").write_text("")
    return str(root)


@pytest.mark.parametrize("deps, imports, extra_ns, expected", [
    ([], "from lev.joe.jsfuck import jsfuck", False,
     "imports lev.joe.jsfuck, which pyproject.toml does not declare as a dependency: `lev add joe.jsfuck` records"),
    (["lev-joe-js-fuck==1.0.0"], "from lev.joe.js_fuck import x", False,
     "imports lev.joe.js_fuck, which pyproject.toml declares (lev-joe-js-fuck==1.0.0)"),
    (["lev.joe.jsfuck"], "import lev.joe.jsfuck", True, "imports lev.joe.jsfuck, which pyproject.toml declares (lev.joe.jsfuck)"),
    (["lev.joe.a", "lev.joe.b"], "__import__('lev.' + 'joe' + '.a')", False,
     "imports a package of namespace 'joe' (lev.joe.…), which pyproject.toml declares (lev.joe.a, lev.joe.b)"),
])
def test_missing_dependency_messages(tmp_path, on_path, deps, imports, extra_ns, expected):
    d = _dep_pkg(tmp_path, deps, imports, extra_ns)
    if extra_ns:
        on_path(str(tmp_path / "dep"))
    [(code, _, message)] = by_severity(manifest(d), "error")
    assert code == "missing-dependency" and expected in message, message


def test_a_missing_module_that_is_not_a_leviathan_package_stays_an_import_error(tmp_path):
    m = manifest(_dep_pkg(tmp_path, [], "import numpy_that_is_not_here"))
    [(code, _, message)] = by_severity(m, "error")
    assert code == "import-error" and "numpy_that_is_not_here" in message


# ---------------------------------------------------------------- running (fake runner, no Docker)


def run_workflow(name, function, args=None):
    async def main():
        async with FakeRunner(pkg(name), package=f"lev.{name}", function=function) as fake:
            code, out, err = await fake.run_workflow(function, args)
            return fake, code, out, err

    return asyncio.run(main())


def test_the_developer_guide_workflow_and_script_run():
    fake, code, out, err = run_workflow("levdoc.hello_world", "hello_world", {"length": 4})
    assert code == 0, err
    assert "hello_world: 2.7183" in out
    assert "DEBUG:lev:[lev app - hello world] Hello, world!" in err
    assert [s["image"] for s in fake.specs] == ["alpine:latest", "alpine:latest", ".levdoc.hello_world:v1.0"]
    assert [s["schema"] for s in fake.specs] == ["levdoc/hello_world.hello", "levdoc/hello_world.hi", "levdoc/hello_world.exp"]
    fake, code, out, err = run_workflow("levdoc.hello_world", "main.py")
    assert code == 0, err
    assert out.splitlines()[:2] == ["Hello, world!", "2.718281828"]


def test_the_api_chapter_workflows_run():
    for function, expected in [
        ("main", "main ok"),
        ("current", "current: ['a.example', 'b.example', 'c.example', 'last.example']"),
        ("background", "background: "),  # signalled at once, as the example does: it may have stored nothing
    ]:
        fake, code, out, err = run_workflow("levdoc.api", function)
        assert code == 0, err
        assert expected in out, (out, err)


def test_file_arguments_reach_the_workflow_as_handles_and_the_modes_as_references():
    args = {
        "file_to_extract": {"$lev": "file", "id": REF, "name": "secret.zip", "size": 11},
        "wordlist": {"$lev": "file", "id": REF + "w", "name": "words.txt", "size": 20},
        "birthday": "01012000",
    }
    fake, code, out, err = run_workflow("wild.cracker", "crack_file", args)
    assert code == 0, err
    [spec] = fake.specs  # the file is not on this machine: the entry finds none and the workflow stops
    assert spec["files"] == {"/file_to_extract": {"$lev": "file", "id": REF}}
    assert spec["entry"]["builder"]["args"] == [args["file_to_extract"], False]
    assert spec["image"] == ".wild.cracker:v1.0"
    [doc] = fake.docs["wild/cracker.extract_hash"].values()
    assert doc["callback"] == {"name": "secret.zip", "size": 11}  # the handle was rebuilt in the tool
    assert "crack_file: no file" in out
    assert fake.docs["wild/cracker.crack_file"][0] == {"doc": {"msg": "no file to extract a hash from"}}


def test_a_file_parameter_left_empty_mounts_nothing():
    fake, code, out, err = run_workflow("wild.cracker", "john.extract_hash", {})
    assert code == 0, err
    assert fake.specs[0]["files"] == {}


def test_an_async_mode_runs_as_a_run_of_its_own_and_from_a_workflow():
    fake, code, out, err = run_workflow("wild.cewl", "cewl.Wordlist", {"min_length": 4})
    assert code == 0, err
    assert fake.specs[0]["schema"] == "wild/cewl.Wordlist"
    assert fake.specs[0]["entry"]["builder"]["qualname"] == "Wordlist"
    [doc] = fake.docs["wild/cewl.Wordlist"].values()
    assert doc == {"msg": "Success", "wordlist": [], "url": ""}
    fake, code, out, err = run_workflow("wild.cewl", "count_words", {"word_list": {"$lev": "file", "id": REF, "name": "w", "size": 1}})
    assert code == 0, err
    assert "count_words: 0" in out
    assert fake.specs[0]["files"] == {"/word_list": {"$lev": "file", "id": REF}}
    assert fake.docs["wild/cewl.count_words"][0] == {"doc": {"count": 0}}


def test_annot_argv_mode_runs():
    fake, code, out, err = run_workflow("wild.cracker", "john.raw", {"argv": ["--format", "zip"]})
    assert code == 0, err
    [doc] = fake.docs["wild/cracker.raw"].values()
    assert doc == {"result": "--format zip", "argc": 2}
