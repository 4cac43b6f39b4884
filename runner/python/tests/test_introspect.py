"""Introspection: the example packages' manifests, and broken packages reported as data."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import FIXTURE, HELLO, NMAP, RUNTIME
from levrt.introspect import manifest


@pytest.fixture(autouse=True)
def clean(on_path):
    """manifest() imports packages into this process: forget them afterwards."""
    yield


def write_pkg(root, files, version='version = "0.1.0"\n', name="lev.alice.demo"):
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n{version}')
    base = root / "lev" / "alice" / "demo"
    base.mkdir(parents=True)
    for fname, text in files.items():
        (base / fname).write_text(textwrap.dedent(text))
    return str(root)


def problems(m, severity="error"):
    return [p["message"] for p in m["problems"] if p["severity"] == severity]


def test_nmap_example_manifest():
    m = manifest(NMAP)
    assert problems(m) == [] and problems(m, "warning") == []
    assert (m["package"], m["namespace"], m["name"], m["version"]) == ("lev.szczecin.nmap_python", "szczecin", "nmap_python", "1.0.0")
    assert m["desc"] == "nmap-update"
    assert m["cats"] == {
        "attck": [{"key": "Reconnaissance", "id": "TA0043", "label": "Reconnaissance"}, {"key": "Discovery", "id": "TA0007", "label": "Discovery"}],
        "blackarch": [{"key": "scanner", "label": "Scanner"}, {"key": "recon", "label": "Reconnaissance"}],
    }
    [tool] = m["tools"]
    assert (tool["name"], tool["module"]) == ("nmap", "lev.szczecin.nmap_python.nmap")
    assert tool["facts"]["Homepage"] == "https://nmap.org" and set(tool["facts"]) >= {"Homepage", "Type", "Version"}
    assert tool["doc"].startswith("Nmap")
    assert [f["qualified"] for f in m["modes"]] == ["nmap.raw", "nmap.alive", "nmap.port_os"]
    assert [f["qualified"] for f in tool["modes"]] == ["nmap.raw", "nmap.alive", "nmap.port_os"]
    assert [f["name"] for f in m["workflows"]] == [
        "alive_nmap_python", "port_os_nmap_python", "server_port", "background", "concurrent", "extra_namespace", "extra_namespace2",
    ]
    assert m["exports"][0] == {"kind": "tool", "name": "nmap"}
    raw, alive, port_os = m["modes"]
    assert raw["params"] == [{"name": "argv", "type": "list[str]", "required": True, "default": None, "desc": "command line arguments", "holder": None}]
    assert raw["kind"] == "mode" and raw["module"] == "lev.szczecin.nmap_python.nmap"
    assert port_os["params"][0] == {"name": "ip", "type": "str", "required": True, "default": None, "desc": "target ip or ip segment for scanning", "holder": "192.168.1.1/24", "kind": "target"}
    assert port_os["params"][1]["default"] == "" and port_os["params"][1]["required"] is False
    # the ports parameter (nmap -p syntax) is no target: no kind, as before
    assert "kind" not in port_os["params"][1]
    assert port_os["example"] == 'await nmap.port_os("127.0.0.1")'
    assert port_os["description"].startswith("TCP SYN scan")
    assert port_os["desc"] == "SYN scan target host open ports, host names and operating systems"
    server_port = next(f for f in m["workflows"] if f["name"] == "server_port")
    assert server_port["params"][0]["name"] == "ip" and server_port["kind"] == "workflow"
    concurrent = next(f for f in m["workflows"] if f["name"] == "concurrent")
    assert concurrent["params"][0] == {"name": "ips", "type": "list[str]", "required": False, "default": ["127.0.0.1"], "desc": concurrent["params"][0]["desc"], "holder": "127.0.0.1", "kind": "target"}
    assert m["images"] == ["levhub/nmap:bookworm"]


def test_hello_example_manifest():
    m = manifest(HELLO)
    assert problems(m) == [] and problems(m, "warning") == []
    assert m["version"] == "0.1.0" and m["tags"] == ["hello", "example"]
    assert [f["qualified"] for f in m["modes"]] == ["greet.hello", "greet.hi", "greet.motd", "greet.sleep"]
    assert [f["qualified"] for f in m["workflows"]] == ["greet_all", "nap"]
    hi = m["modes"][1]
    assert [(p["name"], p["type"], p["required"], p["default"]) for p in hi["params"]] == [("name", "str", True, None), ("times", "int", False, 1)]
    assert m["images"] == ["levhub/python:bookworm"]


def test_fixture_manifest_types():
    m = manifest(FIXTURE)
    assert problems(m) == []
    listy = next(f for f in m["modes"] if f["name"] == "listy")
    assert [(p["name"], p["type"], p["default"]) for p in listy["params"]] == [
        ("ips", "list[str]", None), ("limit", "int", 2), ("strict", "bool", False), ("extra", "dict", {}),
    ]


def test_the_cli_prints_one_json_document_even_when_the_package_prints(tmp_path):
    d = write_pkg(tmp_path / "p", {"__init__.py": """
        import os
        print("noise from the package")
        os.write(1, b"noise on fd 1\\n")
        from levrt import annot
        async def wf(ip: str):
            pass
        __lev__ = annot.meta([wf])
    """})
    env = dict(os.environ, PYTHONPATH=RUNTIME)
    for argv in (["-m", "levrt.introspect", d], ["-m", "levrt", "introspect", d]):
        p = subprocess.run([sys.executable, *argv], capture_output=True, text=True, env=env, timeout=30)
        assert p.returncode == 0
        m = json.loads(p.stdout)
        assert m["package"] == "lev.alice.demo" and problems(m) == []
        assert "noise from the package" in p.stderr and "noise on fd 1" in p.stderr


def test_the_cli_exits_0_on_a_broken_package(tmp_path):
    d = write_pkg(tmp_path / "p", {"__init__.py": "import sys\nsys.exit(3)\n"})
    p = subprocess.run([sys.executable, "-m", "levrt.introspect", d], capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=RUNTIME), timeout=30)
    assert p.returncode == 0
    [msg] = problems(json.loads(p.stdout))
    assert "SystemExit" in msg


BROKEN = {
    "syntax error": ({"__init__.py": "def broken(:\n"}, ["SyntaxError"]),
    "import error": ({"__init__.py": "from . import missing_module\n"}, ["ImportError"]),
    "seed's undefined export name": ({"__init__.py": """
        from levrt import annot
        __lev__ = annot.meta([nmap_python])
    """}, ["NameError: name 'nmap_python' is not defined"]),
    "unknown category object": ({"__init__.py": """
        from levrt import annot
        @annot.meta(cats=["Recon"])
        async def wf():
            pass
        __lev__ = annot.meta([wf])
    """}, ["unknown category 'Recon'"]),
    "unknown category member": ({"__init__.py": """
        from levrt import annot
        from levrt.annot.cats import Attck
        @annot.meta(cats=[Attck.Recon])
        async def wf():
            pass
        __lev__ = annot.meta([wf])
    """}, ["Attck has no category 'Recon'"]),
    "export neither function nor module": ({"__init__.py": """
        from levrt import annot
        async def wf():
            pass
        __lev__ = annot.meta([wf, 42])
    """}, ["export #2 (42) is neither a function nor a tool module"]),
    "no __lev__": ({"__init__.py": "x = 1\n"}, ["__lev__ = annot.meta"]),
    "exports nothing": ({"__init__.py": "from levrt import annot\n__lev__ = annot.meta([])\n"}, ["exports no mode and no workflow"]),
    "non-JSON default": ({"__init__.py": """
        from levrt import annot
        async def wf(when: object = object()):
            pass
        __lev__ = annot.meta([wf])
    """}, ["is not JSON-serialisable"]),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_packages_are_data_not_crashes(tmp_path, case):
    files, expected = BROKEN[case]
    m = manifest(write_pkg(tmp_path, files))
    msgs = problems(m)
    for text in expected:
        assert any(text in msg for msg in msgs), (text, msgs)
    assert m["package"] == "lev.alice.demo" and m["version"] == "0.1.0"


def test_layout_and_version_problems(tmp_path):
    d = tmp_path / "a"
    d.mkdir()
    (d / "pyproject.toml").write_text('[project]\nname = "lev.alice.demo"\n')
    m = manifest(str(d))
    assert any("[project] version is missing" in x for x in problems(m))
    assert any("missing lev/alice/demo/__init__.py" in x for x in problems(m))
    assert m["package"] is None and m["version"] is None

    m = manifest(write_pkg(tmp_path / "b", {"__init__.py": "from levrt import annot\nasync def wf():\n    pass\n__lev__ = annot.meta([wf])\n"}, name="lev.bob.other"))
    assert any("pyproject.toml names lev.bob.other" in x for x in problems(m))


def test_tool_module_details(tmp_path):
    d = write_pkg(tmp_path, {
        "__init__.py": """
            from levrt import annot
            from . import tool
            __lev__ = annot.meta([tool])
        """,
        "tool.py": '''
            """A tool.

            Homepage: https://example.org
            GitHub: https://github.com/example/tool
            """
            from levrt import Cr, annot

            IMAGE = "example/tool:1"

            @annot.meta(desc="one")
            def one(a: "int | None" = None, b: str | None = None, c=3) -> Cr:
                """First paragraph
                continues here.

                More text.
                ```python
                    await tool.one()
                ```
                """
                return Cr(IMAGE)

            def two(sock: bytes) -> Cr:
                return Cr(image="example/other:2")
        ''',
    })
    m = manifest(d)
    assert problems(m) == []
    assert any("tool module without __lev__" in w for w in problems(m, "warning"))
    [tool] = m["tools"]
    assert tool["facts"] == {"Homepage": "https://example.org", "GitHub": "https://github.com/example/tool"}
    assert tool["desc"] == "A tool."
    assert m["images"] == ["example/other:2", "example/tool:1"]
    m2 = write_pkg(tmp_path / "x", {
        "__init__.py": "from levrt import annot\nfrom . import tool\n__lev__ = annot.meta([tool.one, tool.two])\n",
        "tool.py": open(os.path.join(d, "lev", "alice", "demo", "tool.py")).read(),
    })
    m2 = manifest(m2)
    one, two = m2["modes"]
    assert one["description"] == "First paragraph continues here."
    assert one["example"] == "await tool.one()"
    assert one["desc"] == "one"
    assert [(p["name"], p["type"]) for p in one["params"]] == [("a", "Optional[int]"), ("b", "Optional[str]"), ("c", "any")]
    assert two["desc"] == "" and two["params"][0]["type"] == "bytes"
    assert any("type bytes cannot come from a form" in w for w in problems(m2, "warning"))


def test_retries_in_the_manifest(tmp_path):
    """`annot.meta(retries=N)` reaches the manifest; a function without it says 0."""
    d = write_pkg(tmp_path, {
        "__init__.py": """
            from levrt import Cr, annot

            @annot.meta(desc="idempotent", retries=3)
            async def again():
                pass

            @annot.meta(desc="once")
            def once() -> Cr:
                return Cr("example/x:1")

            __lev__ = annot.meta([again, once])
        """,
    })
    m = manifest(d)
    assert problems(m) == []
    assert [(f["name"], f["retries"]) for f in m["workflows"] + m["modes"]] == [("again", 3), ("once", 0)]
    bad = write_pkg(tmp_path / "bad", {
        "__init__.py": """
            from levrt import annot

            @annot.meta(retries=99)
            async def too_many():
                pass

            __lev__ = annot.meta([too_many])
        """,
    })
    assert any("retries is a whole number from 0 to 5, not 99" in p for p in problems(manifest(bad)))


def test_privileges_per_function_and_package(tmp_path):
    """What each function visibly asks for, read from the source: host, caps, images, services,
    ports, followed through calls to the package's other functions; nothing runs."""
    root = write_pkg(tmp_path / "priv", {
        "__init__.py": '''
            from levrt import annot
            from . import scan
            from .flows import both, plain_flow
            __lev__ = annot.meta([scan, both, plain_flow])
        ''',
        "scan.py": '''
            import levrt
            from levrt import Cr, annot
            IMAGE = "levhub/nmap:bookworm"
            CAP = "NET_ADMIN"

            @levrt.remote
            def entry():
                pass

            @annot.meta(desc="raw")
            def raw() -> Cr:
                return Cr(IMAGE, host=True, entry=entry())

            @annot.meta(desc="admin")
            def admin() -> Cr:
                return Cr(".alice.tools:v1", caps=[CAP, "NET_RAW"], ports=[8080, 53], entry=entry())

            @annot.meta(desc="svc")
            def svc(flag: bool = False) -> Cr:
                db = Cr("levhub/python:bookworm", entry=entry())
                return Cr("levhub/python:bookworm", host=flag, services={"db": db}, entry=entry())

            @annot.meta(desc="quiet")
            def quiet() -> Cr:
                return Cr("levhub/python:bookworm", host=False, services={}, entry=entry())

            __lev__ = annot.meta([raw, admin, svc, quiet])
        ''',
        "flows.py": '''
            from levrt import annot
            from . import scan

            @annot.meta(desc="both")
            async def both():
                await scan.raw()
                await scan.admin()

            @annot.meta(desc="plain")
            async def plain_flow():
                return 1
        ''',
    })
    m = manifest(root)
    assert problems(m) == []
    by = {f["qualified"]: f["privileges"] for f in m["modes"] + m["workflows"]}
    none = {"hostNetwork": False, "caps": [], "images": [], "services": False, "ports": []}
    assert by["scan.raw"] == {**none, "hostNetwork": True, "images": ["levhub/nmap:bookworm"]}
    assert by["scan.admin"] == {**none, "caps": ["NET_ADMIN", "NET_RAW"], "images": [".alice.tools:v1"], "ports": [53, 8080]}
    # host=<a variable> may be True at run time: declared as a need
    assert by["scan.svc"] == {**none, "hostNetwork": True, "images": ["levhub/python:bookworm"], "services": True}
    assert by["scan.quiet"] == {**none, "images": ["levhub/python:bookworm"]}
    assert by["both"] == {**none, "hostNetwork": True, "caps": ["NET_ADMIN", "NET_RAW"], "images": [".alice.tools:v1", "levhub/nmap:bookworm"], "ports": [53, 8080]}
    assert by["plain_flow"] == none
    assert m["privileges"] == {
        "hostNetwork": True, "caps": ["NET_ADMIN", "NET_RAW"],
        "images": [".alice.tools:v1", "levhub/nmap:bookworm", "levhub/python:bookworm"], "services": True, "ports": [53, 8080],
    }


def test_example_privileges():
    nmap_m = manifest(NMAP)
    assert nmap_m["privileges"]["hostNetwork"] is True
    assert all(f["privileges"]["hostNetwork"] for f in nmap_m["modes"])
    port_os = next(f for f in nmap_m["workflows"] if f["name"] == "port_os_nmap_python")
    assert port_os["privileges"]["hostNetwork"] is True and port_os["privileges"]["images"] == ["levhub/nmap:bookworm"]
    hello = manifest(HELLO)
    assert hello["privileges"]["hostNetwork"] is False and hello["privileges"]["caps"] == []


def test_param_kind_marks_target_parameters(tmp_path):
    from levrt import annot

    assert annot.Param("ip", kind="cidr").kind == "cidr"
    assert annot.Param("ip").kind is None
    assert "kind='url'" in repr(annot.Param("u", kind="url"))
    with pytest.raises(ValueError, match="kind is one of file, secret, target, cidr, host, url, port"):
        annot.Param("ip", kind="address")
    root = write_pkg(tmp_path / "pkg", {"__init__.py": """
        from levrt import annot

        @annot.meta(desc="d", params=[annot.Param("url", "a site", kind="url"), annot.Param("n", "a count")])
        async def probe(url: str, n: int = 1):
            pass

        __lev__ = annot.meta([probe])
    """})
    m = manifest(root)
    assert problems(m) == []
    [fn] = m["workflows"]
    assert fn["params"][0]["kind"] == "url"
    assert "kind" not in fn["params"][1]
