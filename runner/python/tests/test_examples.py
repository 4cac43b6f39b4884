"""The example packages run through `python3 -m levrt._workflow` against the fake runner. A fake
`nmap` on PATH answers with canned XML: nothing is scanned (the real runner's integration tests
run the real nmap against 127.0.0.1 only)."""
import asyncio
import base64
import os
import stat

import pytest

from conftest import HELLO, NMAP
from fake_runner import FakeRunner

ALIVE = "szczecin/nmap_python.alive@1.0"
PORT_OS = "szczecin/nmap_python.port_os@1.0"

FAKE_NMAP = r'''#!/usr/bin/env python3
"""A stand-in for nmap: canned XML for 127.0.0.1, refuses any other target."""
import os, sys, time
args = sys.argv[1:]
target = args[-1]
if target != "127.0.0.1":
    sys.exit("fake nmap: only 127.0.0.1 in tests, not " + target)
time.sleep(float(os.environ.get("FAKE_NMAP_SLEEP", "0")))
host = '<host><status state="up"/><address addr="127.0.0.1" addrtype="ipv4"/><hostnames><hostname name="localhost"/></hostnames>'
if "-sS" in args:
    host += ('<ports><port protocol="tcp" portid="22"><state state="open"/>'
             '<service name="ssh" product="OpenSSH" version="9.2p1"/></port></ports>'
             '<os><osmatch name="Linux 5.0 - 6.2" accuracy="100"/></os>')
host += "</host>"
if "-oX" in args:
    print('<?xml version="1.0"?><nmaprun args="nmap %s">%s</nmaprun>' % (" ".join(args), host))
else:
    print("Nmap scan report for 127.0.0.1\nHost is up.\n22/tcp open ssh")
'''


@pytest.fixture
def fake_nmap(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    nmap = bin_dir / "nmap"
    nmap.write_text(FAKE_NMAP)
    nmap.chmod(nmap.stat().st_mode | stat.S_IEXEC)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}


def call(package_dir, package, function, args=None, env=None):
    async def main():
        async with FakeRunner(package_dir, package=package, function=function.split(".")[-1], env=env) as fake:
            code, out, err = await fake.run_workflow(function, args)
            return fake, code, out, err

    return asyncio.run(main())


def nmap(function, args=None, env=None, **more):
    return call(NMAP, "lev.szczecin.nmap_python", function, args, dict(env or {}, **more))


def test_nmap_raw_stores_nmaps_output(fake_nmap):
    fake, code, _, err = nmap("nmap.raw", {"argv": ["-sT", "-p", "22", "127.0.0.1"]}, fake_nmap)
    assert code == 0, err
    doc = fake.docs["szczecin/nmap_python.raw"][1]
    assert doc["argv"] == ["-sT", "-p", "22", "127.0.0.1"] and doc["returncode"] == 0
    assert "22/tcp open ssh" in doc["stdout"]
    assert fake.specs[0]["host"] is True and fake.specs[0]["image"] == "levhub/nmap:bookworm"


def test_nmap_alive_and_port_os_parse_the_xml(fake_nmap):
    fake, code, _, err = nmap("nmap.alive", {"ip": "127.0.0.1"}, fake_nmap)
    assert code == 0, err
    assert fake.docs[ALIVE][1] == {"target": "127.0.0.1", "alive": ["127.0.0.1"]}
    fake, code, _, err = nmap("nmap.port_os", {"ip": "127.0.0.1", "ports": "22"}, fake_nmap)
    assert code == 0, err
    assert fake.docs[PORT_OS][1] == {
        "target": "127.0.0.1",
        "hosts": [{
            "ip": "127.0.0.1", "hostnames": ["localhost"], "status": "up",
            "ports": [{"port": 22, "protocol": "tcp", "state": "open", "service": "ssh", "product": "OpenSSH", "version": "9.2p1"}],
            "os": [{"name": "Linux 5.0 - 6.2", "accuracy": 100}],
        }],
    }


def test_nmap_failure_is_a_task_failure(fake_nmap):
    fake, code, _, err = nmap("alive_nmap_python", {"ip": "10.0.0.1"}, fake_nmap)
    assert code == 1
    assert "TaskFailed" in err and "only 127.0.0.1" in err


def test_server_port_scans_each_alive_host(fake_nmap):
    fake, code, out, err = nmap("server_port", {"ip": "127.0.0.1"}, fake_nmap)
    assert code == 0, err
    assert set(fake.docs) == {ALIVE, PORT_OS}
    assert "'port': 22" in out


def test_alive_and_port_os_workflows_print_their_documents(fake_nmap):
    _, code, out, err = nmap("alive_nmap_python", {"ip": "127.0.0.1"}, fake_nmap)
    assert code == 0, err
    assert "'alive': ['127.0.0.1']" in out
    _, code, out, err = nmap("port_os_nmap_python", {"ip": "127.0.0.1"}, fake_nmap)
    assert code == 0, err
    assert "'target': '127.0.0.1'" in out


def test_background_signals_the_task_and_reads_what_it_stored(fake_nmap):
    fake, code, out, err = nmap("background", {"ip": "127.0.0.1"}, fake_nmap, FAKE_NMAP_SLEEP="30")
    assert code == 0, err
    assert fake.ops.count("signal") == 1
    assert fake.tasks[1]["signalled"]


def test_concurrent_with_limit_and_result_all(fake_nmap):
    fake, code, out, err = nmap("concurrent", {"ips": ["127.0.0.1", "127.0.0.1", "127.0.0.1"]}, fake_nmap)
    assert code == 0, err
    assert len(fake.docs[ALIVE]) == 3 and fake.max_running <= 2
    assert out.count("'target': '127.0.0.1'") == 3


def test_extra_namespaces_nest(fake_nmap):
    fake, code, _, err = nmap("extra_namespace", {"ip": "127.0.0.1"}, fake_nmap)
    assert code == 0, err
    assert set(fake.docs) == {f"demo1|{PORT_OS}"}
    fake, code, _, err = nmap("extra_namespace2", {"ip": "127.0.0.1"}, fake_nmap)
    assert code == 0, err
    assert set(fake.docs) == {f"demo2|demo1|{PORT_OS}"}


def test_the_authors_main_py(fake_nmap):
    fake, code, _, err = nmap("main.py", {}, fake_nmap)
    assert code == 0, err
    assert len(fake.specs) == 3


def test_hello_modes_and_workflow():
    fake, code, out, err = call(HELLO, "lev.levhub.hello", "greet.hello", {"name": "Ada"})
    assert code == 0, err
    assert fake.docs["levhub/hello.hello"][1] == {"greeting": "hello, Ada"}
    fake, code, _, err = call(HELLO, "lev.levhub.hello", "hi", {"name": "Grace", "times": 2})
    assert code == 0, err
    assert fake.docs["levhub/hello.hi@1.0"][1]["lines"] == ["hi Grace (1/2)", "hi Grace (2/2)"]
    fake, code, _, err = call(HELLO, "lev.levhub.hello", "greet.hi", {"name": "Grace", "times": 0})
    assert code == 1 and "times must be between 1 and 100" in err
    fake, code, out, err = call(HELLO, "lev.levhub.hello", "greet_all", {"names": ["Ada", "Grace", "Linus"]})
    assert code == 0, err
    assert len(fake.docs["party|levhub/hello.hello"]) == 3 and fake.max_running <= 2
    assert fake.docs["levhub/hello.greet_all"][0] == {"count": 3}
    assert "hello, Linus" in out


def test_hello_motd_sends_bytes_a_package_file_and_env(on_path):
    on_path(HELLO)
    from lev.levhub.hello import greet

    spec = greet.motd("sig").spec()
    assert spec["env"] == ["HELLO_LANG=en"]
    assert spec["files"]["/etc/hello/signature"] == {"b64": base64.b64encode(b"sig").decode()}
    assert spec["files"]["/etc/hello/motd.txt"] == {"path": "data/motd.txt"}
    assert os.path.isfile(os.path.join(HELLO, "data", "motd.txt"))
    assert spec["schema"] == "levhub/hello.motd"
