"""A test double of the TypeScript runner: runner/PROTOCOL.md over a real unix socket, each tool
entry run as a local `python3 -m levrt._tool` subprocess with its own task channel (a second
socket, like the runner's per-task one), documents kept in memory. This is the transport seam: the runtime is tested end to end without
Docker (the real runner is tested against Docker in runner/test)."""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
from typing import Any, Optional

RUNTIME = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Reply(Exception):
    """An `ok: false` answer of a given protocol error type."""

    def __init__(self, type_: str, message: str, traceback: Optional[str] = None, task: Optional[int] = None) -> None:
        super().__init__(message)
        self.type = type_
        self.traceback = traceback
        self.task = task


class FakeRunner:
    def __init__(self, package_dir: str, *, job: int = 7, package: str = "", function: str = "test", env: Optional[dict[str, str]] = None) -> None:
        self.package_dir = package_dir
        self.job = job
        self.package = package
        self.function = function
        self.extra_env = env or {}
        self.tmp = tempfile.mkdtemp(prefix="levrt-fake-")
        self.sock = os.path.join(self.tmp, "lev.sock")
        self.docs: dict[str, dict[int, dict[str, Any]]] = {}
        self.tasks: dict[int, dict[str, Any]] = {}
        self.specs: list[dict[str, Any]] = []
        self.namespaces: list[list[str]] = []
        self.ops: list[str] = []
        self.running = 0
        self.max_running = 0
        self.next = 1
        # notified whenever a task starts or stores: tests wait for a state, never for a guessed time
        self._changed = asyncio.Condition()

    async def __aenter__(self) -> "FakeRunner":
        self.server = await asyncio.start_unix_server(self._client, path=self.sock)
        self._saved = {k: os.environ.get(k) for k in ("LEV_CHANNEL", "LEV_JOB", "LEV_PACKAGE")}
        os.environ.update(LEV_CHANNEL=self.sock, LEV_JOB=str(self.job), LEV_PACKAGE=self.package)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        for k, v in self._saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        self.server.close()
        for t in self.tasks.values():
            if t["proc"].returncode is None:
                t["proc"].kill()
                await t["proc"].wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def workflow_env(self, call: dict[str, Any]) -> dict[str, str]:
        """The workflow container's environment (PROTOCOL.md), for `python3 -m levrt._workflow`."""
        env = dict(os.environ, **self.extra_env)
        env.update(
            PYTHONPATH=f"{RUNTIME}:{self.package_dir}",
            PYTHONUNBUFFERED="1",
            PYTHONDONTWRITEBYTECODE="1",
            LEV_CHANNEL=self.sock,
            LEV_JOB=str(self.job),
            LEV_PACKAGE=self.package,
            LEV_CALL=json.dumps(call),
        )
        env.pop("LEV_TASK", None)
        return env

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():
            msg = json.loads(line)
            asyncio.ensure_future(self._answer(msg, writer))

    async def _answer(self, msg: dict[str, Any], writer: asyncio.StreamWriter) -> None:
        self.ops.append(msg["op"])
        try:
            handler = getattr(self, "op_" + msg["op"], None)
            if handler is None:
                raise Reply("InvalidRequest", f"unknown op '{msg['op']}'")
            reply = {"id": msg["id"], "ok": True, "result": await handler(msg)}
        except Reply as e:
            reply = {"id": msg["id"], "ok": False, "error": {"type": e.type, "message": str(e), "traceback": e.traceback, "task": e.task}}
        except Exception as e:
            reply = {"id": msg["id"], "ok": False, "error": {"type": "RunnerError", "message": repr(e), "traceback": None, "task": None}}
        writer.write((json.dumps(reply) + "\n").encode())
        await writer.drain()

    async def op_hello(self, msg: dict[str, Any]) -> dict[str, Any]:
        if msg.get("version") != 1:
            raise Reply("InvalidRequest", "protocol version 1 only")
        return {"job": self.job, "package": self.package, "function": self.function}

    async def op_start(self, msg: dict[str, Any]) -> dict[str, Any]:
        cr, ns = msg["cr"], msg.get("ns", [])
        if cr["entry"] is None:
            raise Reply("InvalidRequest", "the fake runner only runs Crs with an entry")
        self.specs.append(cr)
        self.namespaces.append(ns)
        n = self.next
        self.next += 1
        out = os.path.join(self.tmp, f"t{n}")
        os.makedirs(out)
        coll = "|".join([*ns, cr["schema"]])
        task: dict[str, Any] = {"coll": coll, "signalled": False, "doc": None, "error": None}
        task["server"] = await asyncio.start_unix_server(lambda r, w: self._task_client(task, r, w), path=os.path.join(out, "lev.sock"))
        env = dict(os.environ, **self.extra_env)
        for e in cr["env"]:
            k, v = e.split("=", 1)
            env[k] = v
        env.update(
            PYTHONPATH=f"{RUNTIME}:{self.package_dir}", LEV_CHANNEL=os.path.join(out, "lev.sock"), LEV_TASK=str(n),
            LEV_ENTRY=json.dumps(cr["entry"]), LEV_JOB=str(self.job), LEV_PACKAGE=self.package,
        )
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "levrt._tool", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        task["proc"] = proc
        task["done"] = asyncio.ensure_future(self._finish(n, task))
        self.tasks[n] = task
        await self._notify()
        return {"task": n, "host": f"lev-t{n}", "coll": coll}

    async def _task_client(self, task: dict[str, Any], reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """The task channel: `put` keeps the whole document, `error` the entry's report."""
        while line := await reader.readline():
            msg = json.loads(line)
            if msg["op"] == "put":
                task["doc"] = msg["fields"]
            elif msg["op"] == "error":
                task["error"] = msg
            await self._notify()
            writer.write((json.dumps({"id": msg["id"], "ok": True, "result": {}}) + "\n").encode())
            await writer.drain()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def until(self, what: str, predicate: Any, timeout: float = 60) -> None:
        """Waits until `predicate()` holds (checked at every task start and store); a test that
        waits longer than `timeout` fails saying `what` it waited for."""
        async def wait() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        try:
            await asyncio.wait_for(wait(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"the fake runner waited {timeout} s for {what}") from None

    async def started(self, n: int, timeout: float = 60) -> None:
        """Returns once task `n` was started."""
        await self.until(f"task {n} to start", lambda: n in self.tasks, timeout)

    async def stored(self, n: int, timeout: float = 60) -> None:
        """Returns once task `n`'s entry stored its first field (the runner has the `put`)."""
        await self.until(f"task {n} to store a document", lambda: n in self.tasks and self.tasks[n]["doc"] is not None, timeout)

    async def _finish(self, n: int, task: dict[str, Any]) -> dict[str, Any]:
        out, err = await task["proc"].communicate()
        self.running -= 1
        task["server"].close()
        if task["doc"] is not None:
            self.docs.setdefault(task["coll"], {})[n] = task["doc"]
        return {"code": task["proc"].returncode, "stdout": out.decode(), "stderr": err.decode()}

    async def op_wait(self, msg: dict[str, Any]) -> dict[str, Any]:
        n = msg["task"]
        if n not in self.tasks:
            raise Reply("InvalidRequest", f"no task {n} in this run")
        t = self.tasks[n]
        res = await t["done"]
        if res["code"] != 0 and not t["signalled"]:
            e = t["error"]
            if e is not None:
                raise Reply("TaskFailed", f"task {n}: {e['type']}: {e['message']}", e["traceback"], n)
            tail = (res["stderr"].strip().splitlines() or ["?"])[-1]
            raise Reply("TaskFailed", f"task {n} exited with code {res['code']}: {tail}", res["stderr"], n)
        return {"task": n, "status": "stopped" if t["signalled"] else "succeeded", "coll": t["coll"], "exitCode": res["code"]}

    async def op_signal(self, msg: dict[str, Any]) -> dict[str, Any]:
        t = self.tasks[msg["task"]]
        t["signalled"] = True
        if t["proc"].returncode is None:
            t["proc"].send_signal(getattr(signal, msg["signal"]))
        return {}

    async def op_find_one(self, msg: dict[str, Any]) -> dict[str, Any]:
        doc = self.docs.get(msg["coll"], {}).get(msg["task"])
        query = msg.get("query") or {}
        if doc is not None and any(doc.get(k) != v for k, v in query.items()):
            doc = None
        if doc is not None and msg.get("projection"):
            doc = {k: v for k, v in doc.items() if msg["projection"].get(k)}
        return {"doc": doc}

    async def op_find(self, msg: dict[str, Any]) -> dict[str, Any]:
        return {"docs": [{"_id": {"job": self.job, "task": n}, **d} for n, d in sorted(self.docs.get(msg["coll"], {}).items())]}

    async def op_set(self, msg: dict[str, Any]) -> dict[str, Any]:
        schema = f"{'/'.join(self.package.split('.')[1:3]) or 'local/pkg'}.{self.function}"
        coll = "|".join([*msg["ns"], schema])
        self.docs.setdefault(coll, {}).setdefault(0, {}).update(msg["fields"])
        return {"coll": coll}

    async def run_workflow(self, function: str, args: Optional[dict[str, Any]] = None, timeout: float = 60) -> tuple[int, str, str]:
        """`python3 -m levrt._workflow` as the workflow container runs it: (exit code, stdout, stderr)."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "levrt._workflow",
            env=self.workflow_env({"function": function, "args": args or {}}),
            cwd=self.tmp, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
        assert proc.returncode is not None
        return proc.returncode, out.decode(), err.decode()
