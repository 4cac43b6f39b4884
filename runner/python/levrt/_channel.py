"""The workflow's end of the runner channel: newline-delimited JSON over a unix socket."""
from __future__ import annotations

import asyncio
import json
import os
from typing import Any, Optional

from ._exceptions import ChannelError, InvalidRequest, RunnerError, error_from_reply

_LIMIT = 64 * 1024 * 1024


def dumps(value: Any, what: str) -> str:
    try:
        return json.dumps(value, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as e:
        raise InvalidRequest(f"{what} is not JSON-serialisable: {e}") from None


class Channel:
    def __init__(self, path: str) -> None:
        self.path = path
        self._reader: Optional[asyncio.StreamReader] = None
        self._writer: Optional[asyncio.StreamWriter] = None
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._next = 0
        self._closed: Optional[str] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    async def connect(self) -> None:
        try:
            self._reader, self._writer = await asyncio.open_unix_connection(self.path, limit=_LIMIT)
        except OSError as e:
            raise ChannelError(f"cannot reach the runner at {self.path}: {e}") from None
        self._loop = asyncio.get_running_loop()
        self._loop.create_task(self._read_loop())

    async def _read_loop(self) -> None:
        assert self._reader is not None
        try:
            while True:
                line = await self._reader.readline()
                if not line:
                    break
                msg = json.loads(line)
                fut = self._pending.pop(msg.get("id"), None)
                if fut is not None and not fut.done():
                    fut.set_result(msg)
        except Exception as e:  # a broken channel fails every waiting request
            self._closed = f"channel broken: {e}"
        self._closed = self._closed or "the runner closed the channel"
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(ChannelError(self._closed))
        self._pending.clear()

    async def request(self, op: str, **fields: Any) -> dict[str, Any]:
        if self._writer is None:
            raise ChannelError("channel not connected")
        if self._closed:
            raise ChannelError(self._closed)
        self._next += 1
        rid = self._next
        line = dumps({"id": rid, "op": op, **fields}, f"the {op} request") + "\n"
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        self._writer.write(line.encode("utf-8"))
        await self._writer.drain()
        msg = await fut
        if msg.get("ok"):
            return msg.get("result") or {}
        raise error_from_reply(msg.get("error") or {})


_channel: Optional[Channel] = None


async def get_channel() -> Channel:
    """The run's channel, connected on first use within the running event loop."""
    global _channel
    loop = asyncio.get_running_loop()
    if _channel is not None and _channel._loop is loop and not _channel._closed:
        return _channel
    path = os.environ.get("LEV_CHANNEL")
    if not path:
        raise RunnerError(
            "no runner: this code starts containers, which only a runner can do. "
            "Run it with `npx lev exec <package-dir> <function>` (or main.py), or from the hub."
        )
    ch = Channel(path)
    await ch.connect()
    _channel = ch
    return ch
