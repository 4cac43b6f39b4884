import json
import pathlib

import pytest

import levrt
from levrt import Cr, InvalidRequest, annot, ctx, lev
from levrt.annot.cats import Attck, BlackArch


def test_public_api_is_exactly_the_documented_list():
    assert sorted(levrt.__all__) == sorted([
        "ChannelError", "Collection", "Concurrent", "Cr", "Ctx", "Document", "Entry", "ImageNotFound",
        "InvalidRequest", "LevrtError", "Namespace", "PackageError", "RemoteFunction", "RunnerError", "Task",
        "TaskCancelled", "TaskError", "TaskFailed", "TaskTimeout", "annot", "ctx", "lev", "remote", "run",
    ])
    for name in levrt.__all__:
        assert hasattr(levrt, name), name
    assert lev is ctx
    assert issubclass(levrt.TaskFailed, levrt.TaskError) and issubclass(levrt.TaskError, levrt.LevrtError)


def test_every_attck_tactic_with_its_id():
    ids = {m.name: m.id for m in Attck}
    assert len(ids) == 16
    assert ids["Reconnaissance"] == "TA0043"
    assert ids["CommandandControl"] == "TA0011"
    assert ids["RemoteServiceEffects"] == "TA0039"
    assert Attck.PrivilegeEscalation.label == "Privilege Escalation"


def test_every_blackarch_category_with_camelcase_members():
    keys = {m.name: m.key for m in BlackArch}
    assert len(keys) == 48
    assert keys["CodeAudit"] == "code-audit"
    assert keys["AntiForensic"] == "anti-forensic"
    assert BlackArch.Scanner.label == "Scanner"
    assert BlackArch.Automobile.label == "Automobile (CAN)"
    assert {"Webapp", "Dos", "Voip", "Nfc", "Ids", "Gpu", "Stego"} <= set(keys)


def test_unknown_category_says_so():
    with pytest.raises(AttributeError, match="Attck has no category 'Reconnaisance'; did you mean Attck.Reconnaissance"):
        Attck.Reconnaisance  # noqa: B018


def test_meta_as_decorator_and_as_export():
    @annot.meta(desc="d", params=[annot.Param("ip", "target", holder="127.0.0.1")], cats=[Attck.Discovery], tags=["t"])
    def mode(ip: str):
        return ip

    assert mode("x") == "x"
    assert mode.__lev_meta__.desc == "d"
    assert mode.__lev_meta__.params[0].holder == "127.0.0.1"
    exports = annot.meta([mode], desc="pkg")
    assert exports.exports == [mode]
    assert annot.ARGV.name == "argv"
    with pytest.raises(TypeError):
        annot.meta("not a list")
    with pytest.raises(ValueError):
        annot.Param("not an identifier", "x")


def test_cr_validates_eagerly():
    with pytest.raises(TypeError):
        Cr("")
    with pytest.raises(ValueError):
        Cr("img", env=["NOEQUALS"])
    with pytest.raises(ValueError):
        Cr("img", files={"relative": b"x"})
    with pytest.raises(ValueError):
        Cr("img", ports=[0])
    with pytest.raises(TypeError):
        Cr("img", entry=lambda: None)
    with pytest.raises(ValueError):
        Cr("img", schema="a|b")


def test_cr_spec_serialises_files_services_and_defaults():
    cr = Cr("img", files={"/a": b"\x00\x01", "/b": "text", "/c": pathlib.Path("data/x")}, services={"db": Cr("redis", ports=[6379])})
    spec = cr.spec()
    assert spec["files"]["/a"] == {"b64": "AAE="}
    assert spec["files"]["/b"] == {"b64": "dGV4dA=="}
    assert spec["files"]["/c"] == {"path": "data/x"}
    assert spec["services"]["db"]["ports"] == [6379]
    assert spec["entry"] is None and spec["host"] is False
    json.dumps(spec)


def test_entry_builder_and_default_schema(cases):
    from lev.levtest.cases import tools

    spec = tools.scan("example.com").spec()
    assert spec["schema"] == "ts/issues@1.0"
    assert spec["entry"] == {"builder": {"module": "lev.levtest.cases.tools", "qualname": "scan", "args": ["example.com"], "kwargs": {}}, "path": []}
    assert tools.boom().spec()["schema"] == "levtest/cases.boom"
    # services keep the path to their own entry
    svc = tools.with_service(9001).spec()
    assert svc["services"]["svc"]["entry"] is None


def test_non_serialisable_arguments_fail_before_anything_is_sent(cases):
    from lev.levtest.cases import tools

    with pytest.raises(InvalidRequest, match="argument 1 of scan\\(\\) is not JSON-serialisable"):
        tools.scan(object()).spec()


def test_remote_inside_a_workflow_is_refused_clearly():
    async def workflow():
        @levrt.remote
        def entry():
            pass

        return Cr("img", entry=entry())

    import asyncio

    cr = asyncio.run(workflow())
    with pytest.raises(InvalidRequest, match="inside the async function"):
        cr.spec()


def test_namespaces_nest_and_are_inherited():
    assert ctx.namespace == ()
    with ctx / "a":
        with lev / "b" / "c":
            assert ctx.namespace == ("a", "b", "c")
        assert ctx.namespace == ("a",)
    assert ctx.namespace == ()
    with pytest.raises(ValueError):
        ctx / "bad|name"


def test_ctx_set_in_memory_and_rejects_non_json(monkeypatch):
    monkeypatch.delenv("LEV_OUT", raising=False)
    monkeypatch.delenv("LEV_CHANNEL", raising=False)
    c = levrt.Ctx()
    c.set(a=1)
    c.set({"b": [1, 2]}, c="x")
    c.update({"d": {"e": None}})
    assert c.document == {"a": 1, "b": [1, 2], "c": "x", "d": {"e": None}}
    with pytest.raises(TypeError, match="field 'bad' is not JSON-serialisable"):
        c.set(bad={1, 2})
    with pytest.raises(TypeError):
        c.update([("a", 1)])


def test_ctx_set_writes_the_document_atomically(monkeypatch, tmp_path):
    monkeypatch.setenv("LEV_OUT", str(tmp_path))
    c = levrt.Ctx()
    c.set(x=1)
    c.set(y=2)
    assert json.loads((tmp_path / "doc.json").read_text()) == {"x": 1, "y": 2}
    assert not (tmp_path / "doc.json.tmp").exists()


def test_run_outside_a_runner_explains_what_to_do(monkeypatch):
    monkeypatch.delenv("LEV_CHANNEL", raising=False)

    async def main():
        return 1

    with pytest.raises(levrt.RunnerError, match="npx lev exec"):
        levrt.run(main())
