"""The public API without any runner: exports, categories, annot, Cr validation and
serialisation, namespaces, ctx, Concurrent."""
import asyncio
import base64
import json
import pathlib

import pytest

import levrt
from levrt import Concurrent, Cr, InvalidRequest, annot, ctx, lev
from levrt.annot.cats import Attck, BlackArch

# LEVRT.md's tables, verbatim
ATTCK = """Reconnaissance TA0043 Reconnaissance · ResourceDevelopment TA0042 Resource Development ·
InitialAccess TA0001 Initial Access · Execution TA0002 Execution · Persistence TA0003 Persistence ·
PrivilegeEscalation TA0004 Privilege Escalation · DefenseEvasion TA0005 Defense Evasion ·
CredentialAccess TA0006 Credential Access · Discovery TA0007 Discovery ·
LateralMovement TA0008 Lateral Movement · Collection TA0009 Collection ·
CommandandControl TA0011 Command and Control · Exfiltration TA0010 Exfiltration ·
Impact TA0040 Impact · NetworkEffects TA0038 Network Effects ·
RemoteServiceEffects TA0039 Remote Service Effects"""
BLACKARCH = """webapp Web application · fuzzer Fuzzer · scanner Scanner ·
proxy Proxy · windows Windows · dos Denial of service · disassembler Disassembler ·
cracker Cracker · voip VoIP · exploitation Exploitation · recon Reconnaissance ·
spoof Spoofing · forensic Forensics · crypto Cryptography · backdoor Backdoor ·
networking Networking · misc Misc · defensive Defensive · wireless Wireless ·
automation Automation · sniffer Sniffer · binary Binary · packer Packer ·
reversing Reversing · mobile Mobile · malware Malware · code-audit Code audit ·
social Social engineering · honeypot Honeypot · hardware Hardware ·
fingerprint Fingerprinting · decompiler Decompiler · config Configuration ·
debugger Debugger · firmware Firmware · bluetooth Bluetooth · database Database ·
automobile Automobile (CAN) · nfc NFC · tunnel Tunnel · drone Drone ·
unpacker Unpacker · radio Radio · keylogger Keylogger · stego Steganography ·
anti-forensic Anti-forensics · ids Intrusion detection · gpu GPU"""


def table(text):
    return [item.split(None, 1) for item in " ".join(text.split()).split(" · ")]


# ---------------------------------------------------------------- exports and errors


def test_public_api_is_exactly_the_documented_list():
    assert sorted(levrt.__all__) == sorted([
        "ChannelError", "Collection", "Concurrent", "Cr", "Ctx", "Document", "Entry", "File", "ImageNotFound",
        "InvalidRequest", "LevrtError", "Namespace", "OutputTooLarge", "PackageError", "PolicyDenied",
        "QuotaExceeded", "RemoteFunction", "RunnerError", "Secret", "Task", "TaskCancelled", "TaskError", "TaskFailed",
        "TaskTimeout", "annot", "ctx", "lev", "remote", "run",
    ])
    for name in levrt.__all__:
        assert hasattr(levrt, name), name
    assert lev is ctx
    assert annot.cats.Attck is Attck


def test_exception_tree():
    for name in ["ChannelError", "RunnerError", "InvalidRequest", "PackageError", "TaskError"]:
        assert issubclass(getattr(levrt, name), levrt.LevrtError)
    for name in ["TaskFailed", "TaskTimeout", "TaskCancelled", "ImageNotFound"]:
        assert issubclass(getattr(levrt, name), levrt.TaskError)
    assert levrt.TaskFailed.__module__ == "levrt"  # tracebacks name what authors import
    from levrt._exceptions import error_from_reply

    e = error_from_reply({"type": "TaskTimeout", "message": "too slow", "traceback": "tb", "task": 3})
    assert isinstance(e, levrt.TaskTimeout) and (e.task, e.traceback, str(e)) == (3, "tb", "too slow")
    assert type(error_from_reply({"type": "Weird", "message": "x"})) is levrt.RunnerError


# ---------------------------------------------------------------- categories


def test_every_attck_tactic_with_its_id_and_label():
    expected = [(m, *rest.split(None, 1)) for m, rest in table(ATTCK)]
    assert len(expected) == 16
    assert [(m.name, m.id, m.label) for m in Attck] == expected
    for name, id_, label in expected:
        member = getattr(Attck, name)
        assert (member.key, member.id, member.label) == (name, id_, label)


def test_every_blackarch_category_with_camelcase_members():
    expected = table(BLACKARCH)
    assert len(expected) == 48
    assert [(m.key, m.label) for m in BlackArch] == [tuple(e) for e in expected]
    for key, label in expected:
        name = "".join(p[0].upper() + p[1:] for p in key.split("-"))
        assert (getattr(BlackArch, name).key, getattr(BlackArch, name).label) == (key, label)
    assert BlackArch.CodeAudit.key == "code-audit"
    assert BlackArch.AntiForensic.key == "anti-forensic"
    assert BlackArch.Automobile.label == "Automobile (CAN)"


def test_unknown_category_lists_close_names():
    with pytest.raises(AttributeError, match=r"Attck has no category 'Recon'; did you mean .*Attck\.Reconnaissance"):
        Attck.Recon  # noqa: B018
    with pytest.raises(AttributeError, match=r"did you mean BlackArch\.CodeAudit"):
        BlackArch.Codeaudit  # noqa: B018
    with pytest.raises(AttributeError, match="its members are Reconnaissance, "):
        Attck.Zzz  # noqa: B018


# ---------------------------------------------------------------- annot


def test_meta_as_decorator_returns_the_function_unchanged():
    @annot.meta(desc="d", params=[annot.Param("ip", "target", holder="127.0.0.1")], cats=[Attck.Discovery], tags=["t"])
    def mode(ip: str):
        return ip

    assert mode("x") == "x" and mode.__name__ == "mode"
    m = mode.__lev_meta__
    assert (m.desc, m.params[0].name, m.params[0].holder, m.cats, m.tags) == ("d", "ip", "127.0.0.1", [Attck.Discovery], ["t"])

    @annot.meta
    async def bare():
        pass

    assert bare.__lev_meta__.desc == ""


def test_meta_retries_default_to_none_and_are_checked_eagerly():
    @annot.meta(desc="d")
    def plain():
        pass

    @annot.meta(desc="d", retries=2)
    async def safe_twice():
        pass

    assert plain.__lev_meta__.retries == 0, "Leviathan packages without retries= are unchanged"
    assert safe_twice.__lev_meta__.retries == 2
    assert annot.meta(retries=annot.MAX_RETRIES).retries == 5
    for bad in [-1, 6, 1.5, True, "2", None]:
        with pytest.raises(ValueError, match=r"annot.meta: retries is a whole number from 0 to 5, not "):
            annot.meta(retries=bad)


def test_meta_as_export_value():
    def f():
        pass

    exports = annot.meta([f, annot], desc="nmap-update", cats={Attck: [Attck.Reconnaissance], BlackArch: [BlackArch.Scanner]}, tags=["x"], ext={"k": 1})
    assert exports.exports == [f, annot] and exports.desc == "nmap-update" and exports.ext == {"k": 1}
    assert annot.ARGV.name == "argv" and annot.ARGV.desc == "command line arguments" and annot.ARGV.holder is None
    assert annot.Param("ips", "list", holder=["a"]).holder == '["a"]'
    with pytest.raises(TypeError):
        annot.meta("not a list")
    with pytest.raises(ValueError):
        annot.Param("not an identifier", "x")
    with pytest.raises(TypeError):
        annot.meta(params=["ip"])


# ---------------------------------------------------------------- Cr


def test_cr_validates_eagerly_with_clear_messages():
    cases = [
        (TypeError, "image must be a non-empty string", lambda: Cr("")),
        (TypeError, "image", lambda: Cr(None)),
        (ValueError, "schema", lambda: Cr("img", schema="a|b")),
        (TypeError, "host must be True or False", lambda: Cr("img", host="yes")),
        (TypeError, "entry must be a @levrt.remote", lambda: Cr("img", entry=lambda: None)),
        (TypeError, "cmd must be a list of strings", lambda: Cr("img", cmd="-sn 127.0.0.1")),
        (TypeError, "every item of cmd", lambda: Cr("img", cmd=["-p", 80])),
        (ValueError, "KEY=value", lambda: Cr("img", env=["NOEQUALS"])),
        (ValueError, "absolute paths", lambda: Cr("img", files={"relative": b"x"})),
        (ValueError, "absolute paths", lambda: Cr("img", files={"/a/../etc": b"x"})),
        (ValueError, "stays inside", lambda: Cr("img", files={"/a": pathlib.Path("../secret")})),
        (TypeError, "bytes, str, pathlib.Path, a levrt.File or None", lambda: Cr("img", files={"/a": 1})),
        (TypeError, "files must be a dict", lambda: Cr("img", files=["/a"])),
        (ValueError, "TCP port", lambda: Cr("img", ports=[0])),
        (ValueError, "TCP port", lambda: Cr("img", ports=[True])),
        (TypeError, "links map", lambda: Cr("img", links={"proxy": 3})),
        (TypeError, r"services\['db'\] must be a Cr", lambda: Cr("img", services={"db": "redis"})),
        (ValueError, "caps", lambda: Cr("img", caps=["net_raw"])),
        (ValueError, "timeout", lambda: Cr("img", timeout=0)),
        (TypeError, "offline must be True or False", lambda: Cr("img", offline="yes")),
        (ValueError, "offline container has no network", lambda: Cr("img", host=True, offline=True)),
        (ValueError, "offline container has no network", lambda: Cr("img", ports=[80], offline=True)),
        (ValueError, "offline container has no network", lambda: Cr("img", links={"p": "lev-t2"}, offline=True)),
        (ValueError, "offline container has no network", lambda: Cr("img", services={"db": Cr("redis")}, offline=True)),
    ]
    for exc, pattern, make in cases:
        with pytest.raises(exc, match=pattern):
            make()
    assert Cr("img", caps=["NET_RAW"], timeout=5).timeout == 5
    with pytest.raises(TypeError):
        Cr("img", None, False, None, [], [], {}, {}, [], {}, [])  # caps and timeout are keyword-only


def test_cr_spec_serialises_every_field():
    svc = Cr("redis:latest", cmd=["--port", "9001"], ports=[9001])
    cr = Cr(
        "img", "ts/x@1.0", True, None, ["a"], ["K=v"],
        {"/a": b"\x00\x01", "/b": "text", "/c": pathlib.Path("data/x")},
        {"proxy": "lev-t3"}, [8000], {"redis": svc}, caps=["NET_ADMIN"], timeout=30,
    )
    spec = cr.spec()
    assert spec == {
        "image": "img", "schema": "ts/x@1.0", "host": True, "cmd": ["a"], "env": ["K=v"],
        "files": {"/a": {"b64": "AAE="}, "/b": {"b64": base64.b64encode(b"text").decode()}, "/c": {"path": "data/x"}},
        "links": {"proxy": "lev-t3"}, "ports": [8000],
        "services": {"redis": svc.spec()}, "caps": ["NET_ADMIN"], "timeout": 30, "entry": None, "package": None,
    }
    assert json.loads(json.dumps(spec)) == spec
    # offline is sent only when asked
    assert Cr("img", offline=True).spec()["offline"] is True and "offline" not in Cr("img").spec()


def test_default_schema_is_the_outermost_mode_of_the_package(rt):
    from lev.levtest.rt import tools

    assert tools.alive("127.0.0.1").schema == "levtest/rt.alive"  # built by the helper _helper
    assert tools.boom().schema == "levtest/rt.boom"
    assert tools.scan("x").schema == "ts/issues@1.0"
    assert Cr("img").schema == "levtest/rt.cr"  # outside any mode: named after the running package

    async def workflow():
        return tools.sleepy(1)

    assert asyncio.run(workflow()).schema == "levtest/rt.sleepy"

    from lev.levtest.rt import flows

    assert asyncio.run(flows.schemas_of_comprehension(["a", "b"])) == ["levtest/rt.boom", "levtest/rt.boom"]


def test_builder_is_captured_with_its_arguments(rt):
    from lev.levtest.rt import tools

    assert tools.scan("example.com").spec()["entry"] == {
        "builder": {"module": "lev.levtest.rt.tools", "qualname": "scan", "args": ["example.com"], "kwargs": {}},
        "path": [],
    }
    assert tools.listy(["a"], strict=True).spec()["entry"]["builder"]["args"] == [["a"], 2, True, {}]
    # a module-level remote is called directly
    assert tools.direct(3, 4).spec()["entry"] == {
        "builder": {"module": "lev.levtest.rt.tools", "qualname": "module_entry", "args": [3, 4], "kwargs": {}, "direct": True},
        "path": [],
    }
    # the seeds' `entry=entry` (uncalled) is `entry()`
    assert tools.uncalled("v").spec()["entry"]["builder"]["qualname"] == "uncalled"
    # an entry made by a helper: the helper is the builder
    assert tools.via_entry_helper("w").spec()["entry"]["builder"]["qualname"] == "_make_entry"


def test_services_carry_the_path_to_their_own_entry(rt):
    from lev.levtest.rt import tools

    spec = tools.with_service(9001).spec()
    assert spec["entry"]["path"] == []
    assert spec["services"]["svc"]["entry"] == {
        "builder": {"module": "lev.levtest.rt.tools", "qualname": "with_service", "args": [9001], "kwargs": {}},
        "path": ["services", "svc"],
    }
    # a service built by a helper defining its own entry: the helper rebuilds it directly
    helper = tools.with_helper_service(9002).spec()
    assert helper["entry"] is None
    assert helper["services"]["db"]["entry"] == {
        "builder": {"module": "lev.levtest.rt.tools", "qualname": "redis_like", "args": [9002], "kwargs": {}},
        "path": [],
    }


def test_non_serialisable_arguments_fail_before_anything_is_sent(rt):
    from lev.levtest.rt import tools

    with pytest.raises(InvalidRequest, match=r"argument 'target' of scan\(\) is not JSON-serialisable \(object"):
        tools.scan(object())
    with pytest.raises(InvalidRequest, match=r"argument 'a' of the entry module_entry\(\)"):
        tools.direct({1, 2}, 3)
    with pytest.raises(InvalidRequest, match="'ips'"):
        tools.listy([float("nan")])


def test_remote_inside_a_workflow_or_nested_function_is_refused_clearly():
    async def workflow():
        @levrt.remote
        def entry():
            pass

        return Cr("img", entry=entry())

    with pytest.raises(InvalidRequest, match=r"inside the async function .*workflow\(\).*module level"):
        asyncio.run(workflow())

    def outer():
        def mode():
            @levrt.remote
            def entry():
                pass

            return Cr("img", entry=entry)

        return mode()

    with pytest.raises(InvalidRequest, match="nested function"):
        outer()


def test_remote_binds_arguments_like_a_call():
    @levrt.remote
    def entry(a, b=2):
        return a + b

    with pytest.raises(TypeError, match="missing a required argument"):
        entry()
    assert entry(1).call() == 3


# ---------------------------------------------------------------- namespaces and ctx


def test_namespaces_nest_and_are_restored():
    assert ctx.namespace == ()
    with ctx / "a":
        with lev / "b" / "c":
            assert ctx.namespace == ("a", "b", "c")
        assert ctx.namespace == ("a",)
    assert ctx.namespace == ()
    with pytest.raises(ValueError):
        ctx / "bad|name"
    with pytest.raises(TypeError):
        ctx / 3


def test_namespaces_are_inherited_by_called_functions_and_concurrent_handles():
    seen = []

    async def leaf(tag):
        await asyncio.sleep(0.01)
        seen.append((tag, ctx.namespace))

    async def main():
        with ctx / "outer":
            await leaf("called")
            async with Concurrent() as c:
                c.start(leaf("plain"))
                with ctx / "inner":
                    c.start(leaf("inner"))
        seen.append(("after", ctx.namespace))

    asyncio.run(main())
    assert sorted(seen) == sorted([
        ("called", ("outer",)), ("plain", ("outer",)), ("inner", ("outer", "inner")), ("after", ()),
    ])


def test_ctx_set_in_memory_outside_a_runner():
    c = levrt.Ctx()
    c.set(a=1)
    c.set({"b": [1, 2]}, c="x")
    c.update({"d": {"e": None}})
    assert c.document == {"a": 1, "b": [1, 2], "c": "x", "d": {"e": None}}
    with pytest.raises(TypeError, match="field 'bad' is not JSON-serialisable"):
        c.set(bad={1, 2})
    with pytest.raises(TypeError, match="field 'n'"):
        c.set(n=float("nan"))
    with pytest.raises(TypeError):
        c.update([("a", 1)])
    assert c.document == {"a": 1, "b": [1, 2], "c": "x", "d": {"e": None}}  # a refused set stores nothing


def test_ctx_set_in_a_tool_container_puts_the_whole_document(monkeypatch, tmp_path):
    from task_channel_stub import TaskChannelStub

    chan = TaskChannelStub(str(tmp_path), max_doc=4096)
    try:
        for k, v in chan.env.items():
            monkeypatch.setenv(k, v)
        c = levrt.Ctx()
        c.set(x=1)
        c.update({"y": 2})
        assert chan.ops == ["put", "put"] and chan.document == {"x": 1, "y": 2}
        with pytest.raises(levrt.OutputTooLarge):
            c.set(z="z" * 10_000)
        # refused by the runner: neither there nor here
        assert chan.document == {"x": 1, "y": 2} and c.document == {"x": 1, "y": 2}
    finally:
        chan.close()
        import levrt._taskchannel as tc

        tc._channel = None


def test_files_paths_name_files_of_the_package(rt):
    from lev.levtest.rt import tools

    assert tools.beside_me().spec()["files"] == {"/data/x": {"path": "lev/levtest/rt/beside.txt"}}
    assert Cr("img", files={"/a": pathlib.Path("/lev/pkg/data/sample.txt")}).spec()["files"] == {"/a": {"path": "data/sample.txt"}}
    assert Cr("img", files={"/a": pathlib.Path("data/../data/sample.txt")}).spec()["files"] == {"/a": {"path": "data/sample.txt"}}
    for outside in ["/etc/passwd", "/lev/pkg/../etc/passwd", "/lev/pkgx/a", "..", "../x"]:
        with pytest.raises(ValueError, match="stays inside"):
            Cr("img", files={"/a": pathlib.Path(outside)})


def test_run_outside_a_runner_explains_what_to_do():
    async def main():
        return 1

    with pytest.raises(levrt.RunnerError, match=r"npx lev exec <package-dir> main\.py"):
        levrt.run(main())


# ---------------------------------------------------------------- Concurrent


def test_concurrent_limit_is_enforced_and_handles_are_synchronous():
    in_flight = 0
    peak = 0

    async def job(i):
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return i * 10

    async def main():
        async with Concurrent(limit=2) as c:
            handles = [c.start(job(i)) for i in range(7)]
            assert all(isinstance(h, asyncio.Task) for h in handles)
        return [await h for h in handles]

    assert asyncio.run(main()) == [0, 10, 20, 30, 40, 50, 60]
    assert peak == 2


def test_concurrent_waits_for_all_then_reraises_the_first_failure():
    finished = []

    async def ok(delay):
        await asyncio.sleep(delay)
        finished.append(delay)

    async def bad(delay, msg):
        await asyncio.sleep(delay)
        raise ValueError(msg)

    async def main():
        async with Concurrent() as c:
            c.start(bad(0.05, "second"))
            c.start(bad(0.01, "first"))
            c.start(ok(0.1))

    with pytest.raises(ValueError, match="first"):
        asyncio.run(main())
    assert finished == [0.1]


def test_concurrent_cancels_its_handles_when_the_block_raises():
    cancelled = []

    async def slow():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    async def main():
        async with Concurrent() as c:
            c.start(slow())
            await asyncio.sleep(0)
            raise KeyError("body")

    with pytest.raises(KeyError):
        asyncio.run(main())
    assert cancelled == [True]


def test_concurrent_misuse_is_explained():
    with pytest.raises(ValueError):
        Concurrent(limit=0)

    async def main():
        async with Concurrent() as c:
            c.start(len)

    with pytest.raises(TypeError, match="did you pass the function"):
        asyncio.run(main())

    async def outside():
        Concurrent().start(asyncio.sleep(0))

    with pytest.raises(RuntimeError, match="inside `async with"):
        asyncio.run(outside())


def test_collection_aliases():
    coll = levrt.Collection("demo2|demo1|szczecin/nmap_python.port_os@1.0")
    assert str(coll) == coll.name == coll.collection_name == coll.collaction_name
    assert coll.namespace == ("demo2", "demo1") and coll.schema == "szczecin/nmap_python.port_os@1.0"
    assert coll == "demo2|demo1|szczecin/nmap_python.port_os@1.0"
