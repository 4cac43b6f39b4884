"""The runner's end of one task channel (runner/PROTOCOL.md, "Task channel") for tests: a unix
socket served by a thread, keeping the last `put` document and the `error` report like the
runner does, refusing documents over `max_doc` bytes with an `id: null` OutputTooLarge answer.
Tests wait for what it received (`wait_until`), never for a guessed time; `hold_answers` records
requests but keeps their answers back until `release()`, holding the tool inside its request."""
from __future__ import annotations

import json
import os
import socket
import threading
import time
from typing import Any, Callable, Optional


class TaskChannelStub:
    def __init__(self, directory: str, *, task: int = 1, max_doc: int = 16 * 1024 * 1024, hold_answers: bool = False) -> None:
        self.path = os.path.join(directory, "lev.sock")
        self.task = task
        self.max_doc = max_doc
        self.document: Optional[dict[str, Any]] = None
        self.error: Optional[dict[str, Any]] = None
        self.ops: list[str] = []
        # the tool said `done`: a later `put` is refused, as the runner does
        self.final = False
        # a `pause` waits until resume() (the runner's answer once a debugger says continue)
        self.continued = threading.Event()
        self._changed = threading.Condition()
        self._holding = hold_answers
        self._held: list[tuple[socket.socket, dict[str, Any]]] = []
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(self.path)
        self._server.listen(8)
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    @property
    def env(self) -> dict[str, str]:
        """What a tool container's environment says about its channel."""
        return {"LEV_CHANNEL": self.path, "LEV_TASK": str(self.task)}

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn: socket.socket) -> None:
        buf = b""
        with conn:
            while True:
                try:
                    chunk = conn.recv(1 << 20)
                except ConnectionResetError:
                    return  # the tool exited before reading an answer (a signal ended it mid-request)
                if not chunk:
                    return
                buf += chunk
                while b"\n" in buf:
                    line, _, buf = buf.partition(b"\n")
                    answer = self._answer(line)
                    with self._changed:
                        self._changed.notify_all()
                        if self._holding:
                            self._held.append((conn, answer))
                            continue
                    try:
                        conn.sendall((json.dumps(answer) + "\n").encode())
                    except (BrokenPipeError, ConnectionResetError):
                        return

    def wait_until(self, what: str, predicate: Callable[[], bool], timeout: float = 60) -> None:
        """Returns once `predicate()` holds (checked at every request, and every 50 ms for
        conditions outside the channel, such as a process that exited); fails after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"the task channel waited {timeout} s for {what}")
                self._changed.wait(min(left, 0.05))

    def wait_for_document(self, timeout: float = 60) -> dict[str, Any]:
        """The document once a `put` arrived (the tool may still wait for its answer)."""
        self.wait_until("a document", lambda: self.document is not None, timeout)
        assert self.document is not None
        return self.document

    def release(self) -> None:
        """Sends the held answers and answers at once from now on."""
        with self._changed:
            self._holding = False
            held, self._held = self._held, []
        for conn, answer in held:
            try:
                conn.sendall((json.dumps(answer) + "\n").encode())
            except OSError:
                pass  # the tool is gone (and its connection closed): nobody waits for the answer

    def _answer(self, line: bytes) -> dict[str, Any]:
        if len(line) > self.max_doc + 1024:
            return {"id": None, "ok": False, "error": {"type": "OutputTooLarge", "message": f"the task's document is {len(line)} bytes", "traceback": None, "task": self.task}}
        msg = json.loads(line)
        self.ops.append(msg["op"])
        if msg["op"] == "put":
            if self.final:
                return {"id": msg["id"], "ok": False, "error": {"type": "InvalidRequest", "message": "put: the task already said its document was final (done)", "traceback": None, "task": None}}
            self.document = msg["fields"]
        elif msg["op"] == "done":
            self.final = True
        elif msg["op"] == "error":
            self.error = {k: msg.get(k) for k in ("type", "message", "traceback")}
        elif msg["op"] == "pause":
            self.continued.wait(30)
        elif msg["op"] != "hello":
            return {"id": msg["id"], "ok": False, "error": {"type": "InvalidRequest", "message": f"unknown op {msg['op']}", "traceback": None, "task": None}}
        return {"id": msg["id"], "ok": True, "result": {}}

    def resume(self) -> None:
        self.continued.set()

    def close(self) -> None:
        self._server.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
