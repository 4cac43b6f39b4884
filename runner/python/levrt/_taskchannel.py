"""A tool container's end of its task channel (runner/PROTOCOL.md, "Task channel").

Synchronous on purpose: `ctx.set` is called from plain entry functions, and each `put` waits for
the runner's answer, so whatever was stored before a signal or a kill has reached the runner."""
from __future__ import annotations

import json
import os
import socket
import threading
from typing import Any, Optional

from ._exceptions import ChannelError, error_from_reply


class TaskChannel:
    def __init__(self, path: str) -> None:
        self.path = path
        self._sock: Optional[socket.socket] = None
        self._buf = b""
        self._next = 0
        self._lock = threading.Lock()
        self.put_sent = False

    def _connect(self) -> socket.socket:
        if self._sock is None:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.path)
            except OSError as e:
                s.close()
                raise ChannelError(f"cannot reach the runner at {self.path}: {e}") from None
            self._sock = s
        return self._sock

    def _read_line(self, sock: socket.socket) -> bytes:
        while b"\n" not in self._buf:
            chunk = sock.recv(65536)
            if not chunk:
                self.close()
                raise ChannelError("the runner closed the task channel")
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line

    def request(self, op: str, **fields: Any) -> dict[str, Any]:
        """Sends one request and waits for its answer (`id: null` answers a request the runner
        refused before reading it whole, e.g. a document over the limit)."""
        with self._lock:
            if op == "put":
                self.put_sent = True
            sock = self._connect()
            self._next += 1
            rid = self._next
            data = json.dumps({"id": rid, "op": op, **fields}, ensure_ascii=False, allow_nan=False).encode("utf-8") + b"\n"
            try:
                sock.sendall(data)
            except OSError as e:
                self.close()
                raise ChannelError(f"the task channel broke: {e}") from None
            while True:
                try:
                    msg = json.loads(self._read_line(sock))
                except ValueError:
                    continue
                if not isinstance(msg, dict) or msg.get("id") not in (rid, None):
                    continue
                if msg.get("ok"):
                    return msg.get("result") or {}
                raise error_from_reply(msg.get("error") or {})

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None


_channel: Optional[TaskChannel] = None


def task_channel() -> Optional[TaskChannel]:
    """The task channel when this process is a tool container's entry (LEV_TASK and LEV_CHANNEL set)."""
    global _channel
    path = os.environ.get("LEV_CHANNEL")
    if not os.environ.get("LEV_TASK") or not path:
        return None
    if _channel is None or _channel.path != path:
        _channel = TaskChannel(path)
    return _channel
