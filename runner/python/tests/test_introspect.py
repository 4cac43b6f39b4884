import os
import textwrap

import pytest

from conftest import EXAMPLES
from levrt.introspect import manifest


def write_pkg(tmp_path, files, version="0.1.0"):
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "lev.alice.demo"\nversion = "{version}"\n')
    base = tmp_path / "lev" / "alice" / "demo"
    base.mkdir(parents=True)
    for name, text in files.items():
        (base / name).write_text(textwrap.dedent(text))
    return str(tmp_path)


def problems(m, level="error"):
    return [p["message"] for p in m["problems"] if p["level"] == level]


def test_nmap_example_manifest():
    m = manifest(os.path.join(EXAMPLES, "szczecin.nmap_python"))
    assert problems(m) == []
    assert (m["package"], m["namespace"], m["name"], m["version"]) == ("lev.szczecin.nmap_python", "szczecin", "nmap_python", "1.0.0")
    assert [t["name"] for t in m["tools"]] == ["nmap"]
    tool = m["tools"][0]
    assert tool["facts"]["Homepage"] == "https://nmap.org"
    assert [f["qualified"] for f in m["modes"]] == ["nmap.raw", "nmap.alive", "nmap.port_os"]
    assert {f["name"] for f in m["workflows"]} == {"alive_nmap_python", "port_os_nmap_python", "server_port", "background", "concurrent", "extra_namespace", "extra_namespace2"}
    raw = m["modes"][0]
    assert raw["params"] == [{"name": "argv", "type": "list[str]", "required": True, "default": None, "desc": "command line arguments", "holder": None}]
    port_os = m["modes"][2]
    assert port_os["params"][1] == {"name": "ports", "type": "str", "required": False, "default": "", "desc": port_os["params"][1]["desc"], "holder": "22,80,443"}
    assert port_os["example"] == 'await nmap.port_os("127.0.0.1")'
    assert port_os["cats"]["attck"][0] == {"key": "Reconnaissance", "id": "TA0043", "label": "Reconnaissance"}
    assert {"key": "scanner", "label": "Scanner"} in m["cats"]["blackarch"]
    assert m["images"] == ["levhub/nmap:bookworm"]
    concurrent = next(f for f in m["workflows"] if f["name"] == "concurrent")
    assert concurrent["params"][0]["default"] == ["127.0.0.1"]


def test_hello_example_manifest():
    m = manifest(os.path.join(EXAMPLES, "levhub.hello"))
    assert problems(m) == []
    assert [f["qualified"] for f in m["workflows"]] == ["greet_all", "nap"]
    assert m["tags"] == ["hello", "example"]



def test_broken_packages_are_data_not_crashes(tmp_path):
    (tmp_path / "a").mkdir()
    d = write_pkg(tmp_path / "a", {"__init__.py": """
        from levrt import annot
        @annot.meta(params=[annot.Param("server", "list of ips")])
        async def server_port(ip: str):
            pass
        __lev__ = annot.meta([server_port])
    """})
    assert problems(manifest(d)) == ["annot.Param('server') names no parameter of server_port(ip)"]

    (tmp_path / "b").mkdir()
    d = write_pkg(tmp_path / "b", {"__init__.py": "def broken(:\n"})
    [msg] = problems(manifest(d))
    assert "SyntaxError" in msg

    (tmp_path / "c").mkdir()
    d = write_pkg(tmp_path / "c", {"__init__.py": """
        from levrt import annot
        @annot.meta(cats=["Recon"])
        async def wf():
            pass
        __lev__ = annot.meta([wf, 42])
    """})
    msgs = problems(manifest(d))
    assert any("unknown category 'Recon'" in m for m in msgs)
    assert any("export #2 (42) is neither a function nor a tool module" in m for m in msgs)

    (tmp_path / "d").mkdir()
    d = write_pkg(tmp_path / "d", {"__init__.py": "x = 1\n"})
    assert any("__lev__" in m for m in problems(manifest(d)))

    (tmp_path / "e").mkdir()
    d = write_pkg(tmp_path / "e", {"__init__.py": """
        from levrt import annot
        from levrt.annot.cats import Attck
        @annot.meta(cats=[Attck.Recon])
        async def wf():
            pass
        __lev__ = annot.meta([wf])
    """})
    assert any("Attck has no category 'Recon'" in m for m in problems(manifest(d)))
