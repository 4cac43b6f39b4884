"""`python3 -m levrt._tool` in a subprocess with its own task channel, as the tool container runs it."""
import json
import os
import signal
import subprocess
import sys

import pytest

from conftest import FIXTURE, RUNTIME
from task_channel_stub import TaskChannelStub


@pytest.fixture
def tool(rt, tmp_path):
    from lev.levtest.rt import tools

    chan = TaskChannelStub(str(tmp_path))

    def start(cr_or_entry, **env):
        chan.document = chan.error = None
        chan.final = False
        entry = cr_or_entry if isinstance(cr_or_entry, dict) else cr_or_entry.spec()["entry"]
        e = dict(os.environ, PYTHONPATH=f"{RUNTIME}:{FIXTURE}", LEV_ENTRY=json.dumps(entry), **chan.env, **env)
        return subprocess.Popen([sys.executable, "-m", "levrt._tool"], env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    start.tools = tools
    start.chan = chan
    start.doc = lambda: chan.document
    yield start
    chan.close()


def test_success_sends_the_document(tool):
    p = tool(tool.tools.scan("example.com"))
    assert p.wait(20) == 0
    assert tool.doc() == {"target": "example.com", "issues": ["Some issues"]}
    assert tool.chan.error is None
    assert tool.chan.ops == ["put", "done"], "the document is said to be final once the entry has returned"


def test_done_comes_after_the_entrys_threads_stored(tool):
    p = tool(tool.tools.late_thread())
    _, err = p.communicate(timeout=20)
    assert p.returncode == 0, err
    assert tool.chan.ops == ["put", "put", "done"], "done waits for the thread the entry left running"
    assert tool.doc() == {"by": "thread"}


def test_no_done_from_a_tool_that_stored_nothing(tool):
    p = tool(tool.tools.quiet())
    _, err = p.communicate(timeout=20)
    assert p.returncode == 0, err
    assert tool.chan.ops == []


def test_pause_before_entry_waits_for_continue_then_runs_the_entry(tool):
    p = tool(tool.tools.scan("example.com"), LEV_DEBUG_PAUSE="1")
    tool.chan.wait_until("the pause request", lambda: "pause" in tool.chan.ops)
    assert tool.chan.ops == ["pause"], "the entry asked to pause before anything else"
    assert p.poll() is None and tool.doc() is None, "nothing of the entry ran while paused"
    tool.chan.resume()
    _, err = p.communicate(timeout=20)
    assert p.returncode == 0, err
    assert "waiting for a debugger" in err
    assert tool.doc() == {"target": "example.com", "issues": ["Some issues"]}
    assert tool.chan.ops == ["pause", "put", "done"]


def test_no_pause_without_the_runner_asking(tool):
    p = tool(tool.tools.scan("example.com"))
    assert p.wait(20) == 0
    assert "pause" not in tool.chan.ops


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda t: t.direct(2, 5), {"sum": 7}),
        (lambda t: t.uncalled("seed"), {"value": "seed"}),
        (lambda t: t.via_entry_helper("w"), {"word": "w"}),
        (lambda t: t.async_entry(4), {"n": 4}),
        (lambda t: t.listy(["127.0.0.1"], 3, True, {"k": "v"}), {"ips": ["127.0.0.1"], "limit": 3, "strict": True, "extra": {"k": "v"}}),
    ],
    ids=["direct", "uncalled", "entry-helper", "async", "arguments"],
)
def test_every_way_of_defining_an_entry_is_rebuilt(tool, make, expected):
    p = tool(make(tool.tools))
    _, err = p.communicate(timeout=20)
    assert p.returncode == 0, err
    assert tool.doc() == expected


def test_service_entries_follow_their_path(tool):
    spec = tool.tools.with_service(9001).spec()
    p = tool(spec["services"]["svc"]["entry"])
    assert p.wait(20) == 0
    assert tool.doc() == {"role": "service", "port": 9001}
    p = tool(tool.tools.with_helper_service(9002).spec()["services"]["db"]["entry"])
    assert p.wait(20) == 0
    assert tool.doc() == {"role": "helper service", "port": 9002}


def test_env_reaches_the_entry(tool):
    cr = tool.tools.env_and_files("there")
    p = tool(cr, **dict(e.split("=", 1) for e in cr.env))
    assert p.wait(20) == 0
    assert tool.doc() == {"greeting": "hello there"}


def test_an_exception_is_reported_over_the_channel_and_exits_1(tool):
    p = tool(tool.tools.boom("bad input"))
    _, err = p.communicate(timeout=20)
    assert p.returncode == 1
    assert "ValueError: bad input" in err
    error = tool.chan.error
    assert error["type"] == "ValueError" and error["message"] == "bad input"
    assert "Traceback" in error["traceback"] and "raise ValueError(msg)" in error["traceback"]
    assert tool.doc() == {"before": "stored before the error"}


def test_sys_exit_in_an_entry(tool):
    assert tool(tool.tools.exits(0)).wait(20) == 0
    assert tool.chan.error is None
    assert tool(tool.tools.exits(3)).wait(20) == 3
    assert tool.chan.error["type"] == "SystemExit"


def test_sigint_keeps_the_document_and_exits_130(tool):
    p = tool(tool.tools.sleepy(30))
    tool.chan.wait_for_document()
    p.send_signal(signal.SIGINT)
    assert p.wait(60) == 130
    assert tool.doc() == {"progress": "interrupted"}
    assert tool.chan.error is None


def test_a_signal_while_a_store_waits_for_its_answer_reaches_the_entry(rt, tmp_path):
    """The window that made the SIGINT test flaky under load, held open: the runner has the
    first field but has not answered yet when the signal comes."""
    from lev.levtest.rt import tools

    chan = TaskChannelStub(str(tmp_path), hold_answers=True)
    try:
        entry = tools.sleepy(30).spec()["entry"]
        env = dict(os.environ, PYTHONPATH=f"{RUNTIME}:{FIXTURE}", LEV_ENTRY=json.dumps(entry), **chan.env)
        p = subprocess.Popen([sys.executable, "-m", "levrt._tool"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert chan.wait_for_document() == {"progress": "started"}
        p.send_signal(signal.SIGINT)
        # the tool is still waiting for the answer to "started": its handler stores again, or it exits
        chan.wait_until("the entry's answer to SIGINT", lambda: len(chan.ops) >= 2 or p.poll() is not None)
        chan.release()
        _, err = p.communicate(timeout=60)
        assert p.returncode == 130, err
        assert chan.document == {"progress": "interrupted"}
        assert chan.ops == ["put", "put", "done"]
    finally:
        chan.close()


def test_sigterm_keeps_the_document_and_exits_143(tool):
    p = tool(tool.tools.sleepy(30))
    tool.chan.wait_for_document()
    p.send_signal(signal.SIGTERM)
    assert p.wait(60) == 143
    assert tool.doc() == {"progress": "started"}


def test_a_missing_builder_is_a_clear_failure(tool):
    entry = {"builder": {"module": "lev.levtest.rt.tools", "qualname": "no_such_mode", "args": [], "kwargs": {}}, "path": []}
    p = tool(entry)
    _, err = p.communicate(timeout=20)
    assert p.returncode == 1
    assert "cannot find lev.levtest.rt.tools.no_such_mode" in err
    assert tool.chan.error["type"] == "InvalidRequest"


def test_logging_goes_to_stderr_once_at_info(tool):
    p = tool(tool.tools.logs("scanning 127.0.0.1"))
    _, err = p.communicate(timeout=20)
    assert p.returncode == 0
    assert err.count("scanning 127.0.0.1") == 1 and "INFO" in err
    assert "not at INFO" not in err


def test_a_document_over_the_limit_fails_the_entry_and_keeps_the_previous_one(tool):
    tool.chan.max_doc = 64 * 1024
    p = tool(tool.tools.big(200 * 1024))
    _, err = p.communicate(timeout=20)
    assert p.returncode == 1
    assert "levrt.OutputTooLarge" in err
    assert tool.doc() == {"small": True}
    assert tool.chan.error["type"] == "OutputTooLarge"


def test_without_a_runner_the_channel_error_is_clear(rt, tmp_path):
    from lev.levtest.rt import tools

    entry = tools.scan("x").spec()["entry"]
    e = dict(os.environ, PYTHONPATH=f"{RUNTIME}:{FIXTURE}", LEV_ENTRY=json.dumps(entry), LEV_TASK="1", LEV_CHANNEL=str(tmp_path / "missing.sock"))
    p = subprocess.run([sys.executable, "-m", "levrt._tool"], env=e, capture_output=True, text=True, timeout=20)
    assert p.returncode == 1 and "cannot reach the runner" in p.stderr


def test_without_lev_entry_exits_2(tmp_path):
    e = dict(os.environ, PYTHONPATH=RUNTIME)
    e.pop("LEV_ENTRY", None)
    p = subprocess.run([sys.executable, "-m", "levrt._tool"], env=e, capture_output=True, text=True, timeout=20)
    assert p.returncode == 2 and "LEV_ENTRY" in p.stderr
