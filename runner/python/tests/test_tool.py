"""`python3 -m levrt._tool` in a subprocess, as the tool container runs it."""
import json
import os
import signal
import subprocess
import sys
import time

from conftest import CASES, RUNTIME


def start(entry, out, **env):
    e = dict(os.environ, PYTHONPATH=f"{RUNTIME}:{CASES}", LEV_OUT=str(out), LEV_ENTRY=json.dumps(entry), **env)
    e.pop("LEV_CHANNEL", None)
    return subprocess.Popen([sys.executable, "-m", "levrt._tool"], env=e, stderr=subprocess.PIPE, text=True)


def builder(qualname, *args, **kwargs):
    return {"builder": {"module": "lev.levtest.cases.tools", "qualname": qualname, "args": list(args), "kwargs": kwargs}, "path": []}


def test_success_writes_the_document(tmp_path):
    p = start(builder("scan", "example.com"), tmp_path)
    assert p.wait(20) == 0
    assert json.loads((tmp_path / "doc.json").read_text()) == {"target": "example.com", "issues": ["Some issues"]}


def test_an_exception_writes_error_json_and_exits_1(tmp_path):
    p = start(builder("boom", "bad input"), tmp_path)
    _, err = p.communicate(timeout=20)
    assert p.returncode == 1
    assert "ValueError: bad input" in err
    error = json.loads((tmp_path / "error.json").read_text())
    assert error["type"] == "ValueError" and error["message"] == "bad input"
    assert "Traceback" in error["traceback"]
    assert json.loads((tmp_path / "doc.json").read_text()) == {"before": "stored before the error"}


def test_sigint_keeps_the_document_and_exits_130(tmp_path):
    p = start(builder("sleepy", 30), tmp_path)
    deadline = time.time() + 10
    while not (tmp_path / "doc.json").exists() and time.time() < deadline:
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    assert p.wait(10) == 130
    assert json.loads((tmp_path / "doc.json").read_text()) == {"progress": "interrupted"}


def test_sigterm_exits_143(tmp_path):
    p = start(builder("sleepy", 30), tmp_path)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    assert p.wait(10) == 143


def test_a_missing_builder_is_a_clear_failure(tmp_path):
    p = start(builder("no_such_mode"), tmp_path)
    _, err = p.communicate(timeout=20)
    assert p.returncode == 1
    assert "no_such_mode" in err
