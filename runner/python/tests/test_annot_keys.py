"""annot.Keys: key paths per schema, checked when written and recorded by introspection."""
import re

import pytest

from conftest import HELLO, NMAP
from levrt import annot
from levrt.introspect import manifest
from test_introspect import problems, write_pkg


@pytest.fixture(autouse=True)
def clean(on_path):
    yield


def test_keys_hold_a_schema_and_its_paths():
    k = annot.Keys("port_os@1.0", ["target", "hosts[].ip", "hosts[].ports[].port", "a[].b.c"])
    assert (k.schema, k.paths) == ("port_os@1.0", ["target", "hosts[].ip", "hosts[].ports[].port", "a[].b.c"])
    assert "Keys" in annot.__all__
    m = annot.meta([], keys=[k])
    assert m.keys == [k]
    assert annot.meta([]).keys == []


@pytest.mark.parametrize("schema, paths, error", [
    ("", ["a"], ValueError),
    ("a|b", ["a"], ValueError),
    ("x", "target", TypeError),
    ("x", [], TypeError),
    ("x", ["hosts[]"], ValueError),
    ("x", ["hosts..ip"], ValueError),
    ("x", ["a b"], ValueError),
    ("x", ["hosts[x].ip"], ValueError),
    ("x", [3], ValueError),
    ("x", [f"f{i}" for i in range(33)], ValueError),
])
def test_bad_keys_are_refused_when_written(schema, paths, error):
    with pytest.raises(error):
        annot.Keys(schema, paths)


def test_keys_may_name_fields_a_comparison_ignores():
    k = annot.Keys("port_os@1.0", ["target", "hosts[].ip"], ignore=["hosts[].os", "scanned_at"])
    assert k.ignore == ["hosts[].os", "scanned_at"]
    assert annot.Keys("x", ["a"]).ignore == []
    assert "ignore=['hosts[].os', 'scanned_at']" in repr(k) and "ignore" not in repr(annot.Keys("x", ["a"]))


@pytest.mark.parametrize("ignore, error, message", [
    ("hosts[].os", TypeError, "ignore is a list"),
    ([""], ValueError, "ignore: field ''"),
    (["hosts[]"], ValueError, "ignore: field 'hosts"),
    (["a..b"], ValueError, "ignore: field"),
    ([f"f{i}" for i in range(33)], ValueError, "at most 32 ignored fields"),
    (["hosts"], ValueError, "key path 'hosts[].ip' is under the ignored field 'hosts'"),
    (["hosts.ip"], ValueError, "key path 'hosts[].ip' is under the ignored field 'hosts.ip'"),
])
def test_bad_ignored_fields_are_refused_when_written(ignore, error, message):
    with pytest.raises(error, match=re.escape(message)):
        annot.Keys("x", ["target", "hosts[].ip"], ignore=ignore)


def test_meta_refuses_keys_that_are_not_Keys():
    with pytest.raises(TypeError, match="annot.Keys"):
        annot.meta([], keys=[("port_os", ["a"])])
    with pytest.raises(TypeError, match="list of annot.Keys"):
        annot.meta([], keys=annot.Keys("x", ["a"]))


def test_the_nmap_example_declares_its_keys():
    m = manifest(NMAP)
    assert problems(m) == []
    assert m["keys"] == [
        {"schema": "szczecin/nmap_python.port_os@1.0", "paths": ["target", "hosts[].ip", "hosts[].ports[].port", "hosts[].ports[].protocol"], "ignore": ["hosts[].os"]},
        {"schema": "szczecin/nmap_python.alive@1.0", "paths": ["target"]},
    ]


def test_packages_without_keys_are_unchanged():
    m = manifest(HELLO)
    assert problems(m) == [] and m["keys"] == []


def test_keys_from_the_package_a_tool_and_a_function_with_full_and_short_schemas(tmp_path):
    root = write_pkg(tmp_path / "pkg", {
        "__init__.py": """
            from levrt import annot
            from . import tool
            from .flow import flow
            __lev__ = annot.meta([tool, flow], keys=[annot.Keys("other/pkg.scan@2.0", ["id"])])
        """,
        "tool.py": """
            from levrt import annot
            @annot.meta(keys=[annot.Keys("probe@1.0", ["host"])])
            def probe(host: str):
                pass
            __lev__ = annot.meta([probe], keys=[annot.Keys("alice/demo.scan@1.0", ["items[].name"])])
        """,
        "flow.py": """
            from levrt import annot
            @annot.meta(keys=[annot.Keys("probe@1.0", ["host"])])
            async def flow():
                pass
        """,
    })
    m = manifest(root)
    assert problems(m) == []
    assert m["keys"] == [
        {"schema": "other/pkg.scan@2.0", "paths": ["id"]},
        {"schema": "alice/demo.scan@1.0", "paths": ["items[].name"]},
        {"schema": "alice/demo.probe@1.0", "paths": ["host"]},
    ]


def test_one_schema_declared_twice_differently_is_a_problem(tmp_path):
    root = write_pkg(tmp_path / "pkg", {
        "__init__.py": """
            from levrt import annot
            @annot.meta(keys=[annot.Keys("scan@1.0", ["a"])])
            async def one():
                pass
            @annot.meta(keys=[annot.Keys("alice/demo.scan@1.0", ["b"])])
            async def two():
                pass
            __lev__ = annot.meta([one, two])
        """,
    })
    m = manifest(root)
    assert problems(m) == ["key paths for alice/demo.scan@1.0 are declared twice, differently: ['a'] and ['b']"]
    assert m["keys"] == [{"schema": "alice/demo.scan@1.0", "paths": ["a"]}]


def test_ignored_fields_are_recorded_and_a_schema_declared_twice_must_agree_on_them(tmp_path):
    root = write_pkg(tmp_path / "pkg", {
        "__init__.py": """
            from levrt import annot
            @annot.meta(keys=[annot.Keys("scan@1.0", ["a"], ignore=["b[].c"])])
            async def one():
                pass
            @annot.meta(keys=[annot.Keys("alice/demo.scan@1.0", ["a"])])
            async def two():
                pass
            __lev__ = annot.meta([one, two], keys=[annot.Keys("alice/demo.other@1.0", ["x"])])
        """,
    })
    m = manifest(root)
    assert problems(m) == ["key paths for alice/demo.scan@1.0 are declared twice, differently: ['a', 'ignore b[].c'] and ['a']"]
    assert m["keys"] == [{"schema": "alice/demo.other@1.0", "paths": ["x"]}, {"schema": "alice/demo.scan@1.0", "paths": ["a"], "ignore": ["b[].c"]}]
