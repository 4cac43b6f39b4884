"""A test double of the TypeScript runner: the protocol of runner/PROTOCOL.md over a real unix
socket, running each tool entry as a local `python3 -m levrt._tool` subprocess. It lets the
runtime be tested end to end without Docker (the real runner is tested against Docker)."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import tempfile
from typing import Any

RUNTIME = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class FakeRunner:
    def __init__(self, package_dir: str, job: int = 1) -> None:
        self.package_dir = package_dir
        self.job = job
        self.tmp = tempfile.mkdtemp(prefix="levrt-fake-")
        self.sock = os.path.join(self.tmp, "lev.sock")
        self.docs: dict[str, dict[int, dict[str, Any]]] = {}
        self.tasks: dict[int, dict[str, Any]] = {}
        self.specs: list[dict[str, Any]] = []
        self.running = 0
        self.max_running = 0
        self.next = 1

    async def __aenter__(self) -> "FakeRunner":
        self.server = await asyncio.start_unix_server(self._client, path=self.sock)
        os.environ["LEV_CHANNEL"] = self.sock
        os.environ["LEV_JOB"] = str(self.job)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        os.environ.pop("LEV_CHANNEL", None)
        self.server.close()
        for t in self.tasks.values():
            if t["proc"].returncode is None:
                t["proc"].kill()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():
            msg = json.loads(line)
            asyncio.ensure_future(self._answer(msg, writer))

    async def _answer(self, msg: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        try:
            result = await getattr(self, "op_" + msg["op"])(msg)
            reply = {"id": msg["id"], "ok": True, "result": result}
        except Exception as e:
            reply = {"id": msg["id"], "ok": False, "error": {"type": getattr(e, "type", "RunnerError"), "message": str(e), "traceback": None, "task": None}}
        writer.write((json.dumps(reply) + "\n").encode())
        await writer.drain()

    async def op_start(self, msg: dict[str, Any]) -> dict[str, Any]:
        cr, ns = msg["cr"], msg["ns"]
        self.specs.append(cr)
        n = self.next
        self.next += 1
        out = os.path.join(self.tmp, f"t{n}")
        os.makedirs(out)
        env = dict(os.environ, PYTHONPATH=f"{RUNTIME}:{self.package_dir}", LEV_OUT=out, LEV_ENTRY=json.dumps(cr["entry"]))
        env.pop("LEV_CHANNEL", None)
        for e in cr["env"]:
            k, v = e.split("=", 1)
            env[k] = v
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "levrt._tool", env=env, stderr=asyncio.subprocess.PIPE)
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        coll = "|".join([*ns, cr["schema"]])
        self.tasks[n] = {"proc": proc, "coll": coll, "out": out, "signalled": False, "done": asyncio.ensure_future(self._finish(n, proc, coll, out))}
        return {"task": n, "host": f"lev-t{n}", "coll": coll}

    async def _finish(self, n: int, proc: Any, coll: str, out: str) -> dict[str, Any]:
        _, err = await proc.communicate()
        self.running -= 1
        doc_path = os.path.join(out, "doc.json")
        if os.path.exists(doc_path):
            self.docs.setdefault(coll, {})[n] = json.load(open(doc_path))
        return {"code": proc.returncode, "stderr": err.decode()}

    async def op_wait(self, msg: dict[str, Any]) -> dict[str, Any]:
        t = self.tasks[msg["task"]]
        res = await t["done"]
        if res["code"] != 0 and not t["signalled"]:
            e = RuntimeError(f"task {msg['task']} failed: {res['stderr'].strip().splitlines()[-1]}")
            e.type = "TaskFailed"  # type: ignore[attr-defined]
            raise e
        return {"task": msg["task"], "status": "stopped" if t["signalled"] else "succeeded", "coll": t["coll"], "exitCode": res["code"]}

    async def op_signal(self, msg: dict[str, Any]) -> dict[str, Any]:
        t = self.tasks[msg["task"]]
        t["signalled"] = True
        t["proc"].send_signal(getattr(signal, msg["signal"]))
        return {}

    async def op_find_one(self, msg: dict[str, Any]) -> dict[str, Any]:
        doc = self.docs.get(msg["coll"], {}).get(msg["task"])
        if doc is not None and msg.get("projection"):
            doc = {k: v for k, v in doc.items() if msg["projection"].get(k)}
        return {"doc": doc}

    async def op_find(self, msg: dict[str, Any]) -> dict[str, Any]:
        return {"docs": [{"_id": {"job": self.job, "task": n}, **d} for n, d in sorted(self.docs.get(msg["coll"], {}).items())]}

    async def op_set(self, msg: dict[str, Any]) -> dict[str, Any]:
        coll = "|".join([*msg["ns"], "workflow"])
        self.docs.setdefault(coll, {}).setdefault(0, {}).update(msg["fields"])
        return {"coll": coll}
