"""The workflow side end to end against the fake runner (tests/fake_runner.py): a real unix
socket speaking runner/PROTOCOL.md, real `_tool` subprocesses, no Docker."""
import asyncio
import json
import time

import pytest

import levrt
from levrt import Concurrent, TaskFailed, ctx
from fake_runner import FakeRunner

PKG = "lev.levtest.rt"


def run(coro):
    return asyncio.run(coro)


# ---------------------------------------------------------------- in process


def test_seed_api_example_runs_unchanged(rt):
    from lev.levtest.rt import flows

    async def main():
        async with FakeRunner(rt, package=PKG) as fake:
            await flows.seed_api()
            return fake

    fake = run(main())
    assert fake.ops[0] == "hello"  # the protocol version is checked once per connection
    assert fake.ops.count("hello") == 1
    assert set(fake.docs) == {"ts/issues@1.0", "example|ts/issues@1.0", "httpbin|org|ts/issues@1.0"}
    assert fake.namespaces == [[], ["example"], ["httpbin", "org"]]


def test_result_all_returns_every_document_of_the_run(rt):
    from lev.levtest.rt import flows

    async def main():
        async with FakeRunner(rt, package=PKG):
            return await flows.seed_all(["a", "b", "c"])

    assert [d["_id"]["task"] for d in run(main())] == [1, 2, 3]


def test_concurrent_limit_is_enforced_on_real_tasks(rt):
    from lev.levtest.rt import tools

    async def main():
        async with FakeRunner(rt, package=PKG) as fake:
            t0 = time.monotonic()
            async with Concurrent(limit=2) as c:
                handles = [c.start(tools.sleepy(0.3)) for _ in range(5)]
            docs = [await (await h).get() for h in handles]
            return fake, docs, time.monotonic() - t0

    fake, docs, elapsed = run(main())
    assert fake.max_running == 2
    assert docs == [{"progress": "done"}] * 5
    assert elapsed >= 0.9  # three waves of 0.3 s


def test_namespaces_are_inherited_by_called_functions_and_concurrent_tasks(rt):
    from lev.levtest.rt import flows

    async def main():
        async with FakeRunner(rt, package=PKG) as fake:
            return fake, await flows.nested("w")

    fake, colls = run(main())
    assert colls == ["outer|ts/issues@1.0", "outer|inner|ts/issues@1.0"]
    assert set(fake.docs) == set(colls)


def test_a_failing_entry_raises_task_failed_with_its_traceback(rt):
    from lev.levtest.rt import tools

    async def main():
        async with FakeRunner(rt, package=PKG) as fake:
            with pytest.raises(TaskFailed, match="ValueError: boom here") as info:
                await tools.boom("boom here")
            return fake, info.value

    fake, err = run(main())
    assert err.task == 1 and "raise ValueError(msg)" in err.traceback
    assert fake.docs["levtest/rt.boom"][1] == {"before": "stored before the error"}


def test_concurrent_reraises_the_first_failure_after_waiting_for_all(rt):
    from lev.levtest.rt import tools

    async def main():
        async with FakeRunner(rt, package=PKG):
            with pytest.raises(TaskFailed):
                async with Concurrent() as c:
                    c.start(tools.boom("one"))
                    ok = c.start(tools.scan("fine"))
            return await (await ok).get()

    assert run(main())["target"] == "fine"


def test_signal_stops_a_task_and_keeps_what_it_stored(rt):
    from lev.levtest.rt import tools

    async def main():
        async with FakeRunner(rt, package=PKG) as fake:
            task = await tools.sleepy(30).start()
            assert (task.number, task.host) == (1, "lev-t1")
            await fake.stored(task.number)  # the entry is inside its try: the signal is its to handle
            await task.signal()
            doc = await task()
            return await doc

    assert run(main()) == {"progress": "interrupted"}


def test_task_and_cr_awaitable_every_way(rt):
    from lev.levtest.rt import tools

    async def main():
        async with FakeRunner(rt, package=PKG):
            t1 = await tools.scan("a").start()
            t2 = await tools.scan("b").start()
            t3 = await tools.scan("c").start()
            d1, d2, d3 = await t1, await t2(), await t3.done()
            d4 = await tools.scan("d").done()
            d5 = await tools.scan("e")
            targets = [(await d)["target"] for d in (d1, d2, d3, d4, d5)]
            projected = await d1.get(projection=["issues"])
            queried = await d1.get({"target": "nope"})
            return targets, d1.coll.collaction_name, projected, queried

    targets, coll, projected, queried = run(main())
    assert targets == ["a", "b", "c", "d", "e"]
    assert coll == "ts/issues@1.0"
    assert projected == {"issues": ["Some issues"]}
    assert queried is None


def test_workflow_level_set_reaches_the_runner(rt):
    from lev.levtest.rt import flows

    async def main():
        async with FakeRunner(rt, package=PKG, function="wf_set") as fake:
            await flows.wf_set(5)
            await ctx.flush()
            return fake

    fake = run(main())
    assert fake.docs["levtest/rt.wf_set"][0] == {"value": 5}
    assert fake.docs["extra|levtest/rt.wf_set"][0] == {"nested": True}


def test_non_json_cr_is_refused_before_anything_is_sent(rt):
    from lev.levtest.rt import tools

    async def main():
        async with FakeRunner(rt, package=PKG) as fake:
            with pytest.raises(levrt.InvalidRequest):
                await tools.listy([object()])
            return fake

    assert run(main()).specs == []


# ---------------------------------------------------------------- python3 -m levrt._workflow


def workflow(rt, function, args=None, **kw):
    async def main():
        async with FakeRunner(rt, package=PKG, function=function, **kw) as fake:
            code, out, err = await fake.run_workflow(function, args)
            return fake, code, out, err

    return run(main())


def test_workflow_process_runs_an_exported_workflow(rt):
    fake, code, out, err = workflow(rt, "seed_all", {"targets": ["x", "y"]})
    assert code == 0, err
    assert "2 documents" in out
    assert fake.ops[0] == "hello"
    assert sorted(d["target"] for d in fake.docs["ts/issues@1.0"].values()) == ["x", "y"]


def test_workflow_process_runs_a_mode_as_a_run_of_its_own(rt):
    for name in ("tools.scan", "scan"):
        fake, code, _, err = workflow(rt, name, {"target": "127.0.0.1"})
        assert code == 0, err
        assert fake.docs["ts/issues@1.0"][1]["target"] == "127.0.0.1"


def test_workflow_process_flushes_workflow_level_sets(rt):
    fake, code, _, err = workflow(rt, "wf_set", {"value": 9})
    assert code == 0, err
    assert fake.docs["levtest/rt.wf_set"][0] == {"value": 9}


def test_workflow_process_runs_a_dotted_path(rt):
    fake, code, out, err = workflow(rt, "flows.nested", {"word": "p"})
    assert code == 0, err
    assert set(fake.docs) == {"outer|ts/issues@1.0", "outer|inner|ts/issues@1.0"}


def test_workflow_process_runs_the_authors_script(rt):
    fake, code, out, err = workflow(rt, "main.py")
    assert code == 0, err
    assert "main.py stored {'target': 'from main.py'" in out


def test_workflow_process_exit_1_with_traceback_when_the_workflow_raises(rt):
    fake, code, _, err = workflow(rt, "fails", {"message": "nope"})
    assert code == 1
    assert "Traceback" in err and "levrt.TaskFailed" in err and "ValueError: nope" in err


@pytest.mark.parametrize(
    "function, args, message",
    [
        ("seed_all", {"wrong": 1}, "unexpected keyword argument 'wrong'"),
        ("fails", {"message": "x", "extra": 2}, "unexpected keyword argument 'extra'"),
        ("no_such", {}, "has no function 'no_such'"),
        ("../../etc/passwd.py", {}, "no script"),
    ],
)
def test_workflow_process_exit_2_when_it_cannot_be_called(rt, function, args, message):
    fake, code, _, err = workflow(rt, function, args)
    assert code == 2
    assert message in err
    assert fake.specs == []


def test_workflow_process_bad_call_exits_2(rt):
    async def main():
        async with FakeRunner(rt, package=PKG) as fake:
            env = fake.workflow_env({})
            env["LEV_CALL"] = "not json"
            proc = await asyncio.create_subprocess_exec(
                "python3", "-m", "levrt._workflow", env=env, stderr=asyncio.subprocess.PIPE
            )
            _, err = await proc.communicate()
            return proc.returncode, err.decode()

    code, err = run(main())
    assert code == 2 and "LEV_CALL" in err


def test_workflow_process_import_error_exits_2(tmp_path):
    pkg = tmp_path / "lev" / "broken" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("import not_a_module_anywhere\n")

    async def main():
        async with FakeRunner(str(tmp_path), package="lev.broken.pkg") as fake:
            return await fake.run_workflow("anything")

    code, _, err = run(main())
    assert code == 2
    assert "ModuleNotFoundError" in err and "PackageError" in err


def test_workflow_process_sigterm_exits_143(rt):
    async def main():
        async with FakeRunner(rt, package=PKG) as fake:
            env = fake.workflow_env({"function": "tools.sleepy", "args": {"seconds": 30}})
            proc = await asyncio.create_subprocess_exec(
                "python3", "-m", "levrt._workflow", env=env, stderr=asyncio.subprocess.PIPE
            )
            await fake.started(1)  # the workflow runs its code (its SIGTERM handler is in place)
            proc.terminate()
            _, err = await proc.communicate()
            return proc.returncode, err.decode()

    code, err = run(main())
    assert code == 143, err


def test_channel_errors_become_levrt_exceptions(rt):
    async def main():
        async with FakeRunner(rt, package=PKG):
            from levrt._channel import get_channel

            ch = await get_channel()
            with pytest.raises(levrt.InvalidRequest, match="no task 42"):
                await ch.request("wait", task=42)
            with pytest.raises(levrt.InvalidRequest, match="not JSON-serialisable"):
                await ch.request("set", ns=[], fields={"x": {1}})
            return ch.info

    assert run(main()) == {"job": 7, "package": PKG, "function": "test"}


def test_a_closed_channel_fails_waiting_requests(tmp_path, monkeypatch):
    sock = str(tmp_path / "s.sock")

    async def main():
        async def handler(reader, writer):
            line = await reader.readline()  # hello
            writer.write((json.dumps({"id": json.loads(line)["id"], "ok": True, "result": {}}) + "\n").encode())
            await reader.readline()  # the wait: never answered
            writer.close()

        server = await asyncio.start_unix_server(handler, path=sock)
        monkeypatch.setenv("LEV_CHANNEL", sock)
        try:
            with pytest.raises(levrt.ChannelError):
                await levrt.Task(1, "h", "c").done()
        finally:
            server.close()

    run(main())
