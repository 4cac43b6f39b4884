"""The workflow side end to end against a fake runner (tests/fake_runner.py): real sockets, real
`_tool` subprocesses, no Docker."""
import asyncio
import time

import pytest

from levrt import Concurrent, TaskFailed, ctx
from fake_runner import FakeRunner


def run(coro):
    return asyncio.run(coro)


def test_seed_api_example_runs_unchanged(cases):
    from lev.levtest.cases import flows

    async def main():
        async with FakeRunner(cases) as fake:
            await flows.seed_api()
            return fake

    fake = run(main())
    assert set(fake.docs) == {"ts/issues@1.0", "example|ts/issues@1.0", "httpbin|org|ts/issues@1.0"}


def test_result_all_returns_every_document_of_the_run(cases):
    from lev.levtest.cases import flows

    async def main():
        async with FakeRunner(cases):
            await flows.seed_all()

    run(main())


def test_concurrent_limit_is_enforced(cases):
    from lev.levtest.cases import tools

    async def main():
        async with FakeRunner(cases) as fake:
            t0 = time.monotonic()
            async with Concurrent(limit=2) as c:
                handles = [c.start(tools.sleepy(0.4)) for _ in range(5)]
            docs = [await (await h).get() for h in handles]
            return fake, docs, time.monotonic() - t0

    fake, docs, elapsed = run(main())
    assert fake.max_running == 2
    assert all(d == {"progress": "done"} for d in docs)
    assert elapsed >= 1.2  # three waves of 0.4 s


def test_namespaces_are_inherited_by_called_functions_and_concurrent_tasks(cases):
    from lev.levtest.cases import tools

    async def inner():
        return await tools.scan("x")

    async def main():
        async with FakeRunner(cases) as fake:
            with ctx / "outer":
                await inner()
                async with Concurrent() as c:
                    with ctx / "inner":
                        c.start(tools.scan("y"))
            return fake

    fake = run(main())
    assert set(fake.docs) == {"outer|ts/issues@1.0", "outer|inner|ts/issues@1.0"}


def test_a_failing_entry_raises_task_failed_in_the_workflow(cases):
    from lev.levtest.cases import tools

    async def main():
        async with FakeRunner(cases) as fake:
            with pytest.raises(TaskFailed, match="ValueError: boom here"):
                await tools.boom("boom here")
            return fake

    fake = run(main())
    assert fake.docs["levtest/cases.boom"][1] == {"before": "stored before the error"}


def test_concurrent_reraises_the_first_failure_after_waiting_for_all(cases):
    from lev.levtest.cases import tools

    async def main():
        async with FakeRunner(cases) as fake:
            with pytest.raises(TaskFailed):
                async with Concurrent() as c:
                    c.start(tools.boom("one"))
                    ok = c.start(tools.scan("fine"))
            assert (await (await ok).get())["target"] == "fine"
            return fake

    run(main())


def test_signal_stops_a_task_and_keeps_what_it_stored(cases):
    from lev.levtest.cases import tools

    async def main():
        async with FakeRunner(cases):
            task = await tools.sleepy(30).start()
            await asyncio.sleep(0.5)
            await task.signal()
            doc = await task()
            return await doc

    assert run(main()) == {"progress": "interrupted"}


def test_task_awaitable_three_ways(cases):
    from lev.levtest.cases import tools

    async def main():
        async with FakeRunner(cases):
            t1 = await tools.scan("a").start()
            t2 = await tools.scan("b").start()
            t3 = await tools.scan("c").start()
            d1, d2, d3 = await t1, await t2(), await t3.done()
            return [(await d)["target"] for d in (d1, d2, d3)], d1.coll.collaction_name

    assert run(main()) == (["a", "b", "c"], "ts/issues@1.0")


def test_workflow_level_set_reaches_the_runner(cases):
    from lev.levtest.cases import flows

    async def main():
        async with FakeRunner(cases) as fake:
            await flows.wf_set(5)
            await ctx.flush()
            return fake

    fake = run(main())
    assert fake.docs["workflow"][0] == {"value": 5}
    assert fake.docs["extra|workflow"][0] == {"nested": True}
