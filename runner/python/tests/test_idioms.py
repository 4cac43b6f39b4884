"""Idioms of published Leviathan packages, one by one, without a runner: `levrt.File` (typed file
references), `ctx.set(key, value)` and attribute namespaces (`lev.doc.set`), `async def mode(...)
-> Cr`, and `files={"/p": None}`."""
import asyncio
import json

import pytest

import levrt
from levrt import Cr, File, ctx, lev
from levrt._plan import call_builder, rebuild
from levrt._refs import revive, to_json

REF = "f" * 8 + "0123456789abcdef"  # an opaque reference id (16 to 64 of [A-Za-z0-9_-])


@pytest.fixture(autouse=True)
def fresh_ctx():
    ctx.reset()
    yield
    ctx.reset()


# ---------------------------------------------------------------- File


def test_file_is_importable_the_ways_packages_import_it():
    from levrt import File as F  # noqa: F401  (imported and never used, as published packages do)

    assert levrt.File is File and "File" in levrt.__all__
    assert (File | None) is not None  # `f: File | None = None` must evaluate


def test_a_file_handle_is_opaque_and_round_trips_as_a_typed_reference():
    f = File(REF, "hashes.txt", 12)
    assert (f.name, f.size) == ("hashes.txt", 12)
    assert not hasattr(f, "path") and not hasattr(f, "read")
    assert f.ref() == {"$lev": "file", "id": REF}
    assert revive(json.loads(json.dumps(to_json({"a": [f], "b": 1})))) == {"a": [f], "b": 1}
    assert revive({"$lev": "file", "id": REF}).name == "file"  # name and size are optional
    assert repr(f) == "<levrt.File 'hashes.txt', 12 bytes>"
    for bad in ["", "short", "../../etc/passwd", "x" * 65, None, 3]:
        with pytest.raises((ValueError, TypeError)):
            File(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        File(REF, "x", -1)


def test_cr_files_take_a_file_handle_and_none_means_no_mount():
    cr = Cr("img", files={"/in/hashes": File(REF, "h.txt", 3), "/in/words": None, "/etc/x": b"x"})
    files = cr.spec()["files"]
    assert files["/in/hashes"] == {"$lev": "file", "id": REF}
    assert "/in/words" not in files
    assert files["/etc/x"] == {"b64": "eA=="}


def test_a_mode_taking_a_file_rebuilds_the_same_handle_in_its_tool_container(rt):
    from lev.levtest.rt import compat

    f = File(REF, "hashes.txt", 42)
    spec = compat.read_file(f).spec()
    builder = spec["entry"]["builder"]
    assert builder["args"] == [{"$lev": "file", "id": REF, "name": "hashes.txt", "size": 42}]
    assert spec["files"] == {"/in/data": {"$lev": "file", "id": REF}}
    # the tool container (and the planner) call the mode again with the JSON arguments
    rebuilt = rebuild(json.loads(json.dumps(spec["entry"])))
    assert rebuilt.spec()["files"] == spec["files"]
    assert rebuilt.entry is not None and rebuilt.entry.remote.builder.args == [f]
    # left empty: no mount, and the entry sees None
    assert compat.read_file(None).spec()["files"] == {}


# ---------------------------------------------------------------- ctx.set


def test_ctx_set_takes_every_form_packages_write():
    ctx.set(a=1)
    ctx.set({"b": 2})
    ctx.set("callback", [1, 2])  # a key and a value
    ctx.set("scan", target="x", ports=[80])  # fields stored under a name
    ctx.update({"c": 3})
    assert ctx.document == {"a": 1, "b": 2, "callback": [1, 2], "scan": {"target": "x", "ports": [80]}, "c": 3}


def test_attribute_namespaces_store_sub_documents_and_merge():
    lev.doc.set(msg="first")
    lev.doc.set(count=2)
    lev.doc.set("extra", True)
    ctx.a.b.set(x=1)
    ctx.a.update({"y": 2})
    assert ctx.document == {"doc": {"msg": "first", "count": 2, "extra": True}, "a": {"b": {"x": 1}, "y": 2}}


def test_set_may_be_awaited_or_not():
    async def workflow():
        await lev.doc.set(msg="awaited")
        r = ctx.set(plain=True)  # not awaited: no warning, already stored
        await ctx.update({"u": 1})
        return r

    asyncio.run(workflow())
    assert ctx.document == {"doc": {"msg": "awaited"}, "plain": True, "u": 1}


def test_bad_set_calls_fail_clearly():
    with pytest.raises(TypeError, match=r"ctx.set\('x'\) needs a value"):
        ctx.set("x")
    with pytest.raises(TypeError, match="no keyword fields as well"):
        ctx.set("x", 1, y=2)
    with pytest.raises(TypeError, match="3 positional"):
        ctx.set("a", 1, 2)
    with pytest.raises(ValueError, match="not a field name"):
        ctx.set("$where", 1)
    with pytest.raises(ValueError, match="not a field name"):
        ctx.set("a.b", 1)
    with pytest.raises(TypeError, match="not JSON-serialisable"):
        lev.doc.set(f=object())
    with pytest.raises(TypeError, match=r"ctx.sett is not a method of ctx"):
        ctx.sett(a=1)
    with pytest.raises(AttributeError):
        ctx._private  # noqa: B018
    assert ctx.document == {}


# ---------------------------------------------------------------- async def mode(...) -> Cr


def test_an_async_mode_annotated_cr_builds_a_cr_with_an_entry(rt):
    from lev.levtest.rt import compat

    cr = asyncio.run(compat.async_mode("x", None))
    assert isinstance(cr, Cr)
    spec = cr.spec()
    assert spec["schema"] == "levtest/rt.async_mode"  # named after the mode, not "cr"
    assert spec["entry"]["builder"]["qualname"] == "async_mode"
    # the tool container calls the async mode again and runs it to get the Cr
    rebuilt = call_builder(json.loads(json.dumps(spec["entry"])))
    assert isinstance(rebuilt, Cr) and rebuilt.spec() == spec


def test_remote_in_an_async_function_that_is_no_mode_is_still_refused():
    async def workflow():
        @levrt.remote
        def entry():
            pass

        return Cr("img", entry=entry())

    with pytest.raises(levrt.InvalidRequest, match="annotated -> Cr"):
        asyncio.run(workflow())
