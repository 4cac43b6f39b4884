"""levrt._warm: the sys.path a warm workflow gets, and the call it accepts."""
from __future__ import annotations

import json
import os
import threading

import pytest

from levrt import _warm


def test_the_run_path_replaces_the_startup_entries_in_place():
    started = ["/lev/pkg", "/lev/rt", "/usr/lib/python311.zip", "/usr/lib/python3.11"]
    assert _warm.run_path("/lev/rt", "/lev/rt:/lev/pkg:/lev/deps/a.b", started) == [
        "/lev/pkg",
        "/lev/rt",
        "/lev/pkg",
        "/lev/deps/a.b",
        "/usr/lib/python311.zip",
        "/usr/lib/python3.11",
    ]


def test_without_the_startup_entries_the_run_path_goes_after_the_first():
    # as a cold start would: the directory first, then every PYTHONPATH entry (the directory again)
    assert _warm.run_path("/gone", "/lev/rt:/lev/pkg", ["/lev/pkg", "/usr/lib"]) == ["/lev/pkg", "/lev/rt", "/lev/pkg", "/usr/lib"]


def test_the_call_is_an_object_of_known_strings(tmp_path):
    (tmp_path / "call.json").write_text(json.dumps({"LEV_JOB": "3", "LEV_CALL": "{}"}))
    assert _warm._read_env(str(tmp_path)) == {"LEV_JOB": "3", "LEV_CALL": "{}"}
    for bad in ({"LD_PRELOAD": "/x.so"}, {"LEV_JOB": 3}, ["LEV_JOB"]):
        (tmp_path / "call.json").write_text(json.dumps(bad))
        with pytest.raises(ValueError):
            _warm._read_env(str(tmp_path))


def test_only_go_starts_a_run(tmp_path):
    fifo = tmp_path / "go"
    for said, starts in ((b"go\n", True), (b"", False), (b"stop\n", False)):
        os.mkfifo(fifo)
        result: list[bool] = []
        reader = threading.Thread(target=lambda: result.append(_warm._wait_for_go(str(tmp_path))))
        reader.start()
        with open(fifo, "wb") as w:
            w.write(said)
        reader.join(5)
        assert result == [starts]
        fifo.unlink()
