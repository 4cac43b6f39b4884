"""The workflow's end of the runner channel: newline-delimited JSON over a unix socket.

`asyncio` is imported where it is used: tool containers import levrt without needing it, and
every task pays for what it imports."""
from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    import asyncio

from ._exceptions import ChannelError, InvalidRequest, LevrtError, RunnerError, error_from_reply

_LIMIT = 64 * 1024 * 1024  # one answer may carry every document of a collection
PROTOCOL_VERSION = 1


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
        self._reader_task: Optional[asyncio.Task[None]] = None
        self.info: dict[str, Any] = {}

    async def connect(self) -> None:
        import asyncio

        try:
            self._reader, self._writer = await asyncio.open_unix_connection(self.path, limit=_LIMIT)
        except OSError as e:
            raise ChannelError(f"cannot reach the runner at {self.path}: {e}") from None
        self._loop = asyncio.get_running_loop()
        self._reader_task = self._loop.create_task(self._read_loop())
        # protocol version check; the answer names the run (job, package, function)
        try:
            self.info = await self.request("hello", version=PROTOCOL_VERSION)
        except ChannelError:
            raise
        except LevrtError:
            self.info = {}  # a runner without `hello` still speaks the rest of version 1

    async def _read_loop(self) -> None:
        assert self._reader is not None
        try:
            while True:
                line = await self._reader.readline()
                if not line:
                    break
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue  # not ours to crash on; the answer it was meant to be never comes
                if not isinstance(msg, dict) or not isinstance(msg.get("id"), int):
                    continue
                fut = self._pending.pop(msg["id"], None)
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
        import asyncio

        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        self._writer.write(line.encode("utf-8"))
        await self._writer.drain()
        msg = await fut
        if msg.get("ok"):
            return msg.get("result") or {}
        raise error_from_reply(msg.get("error") or {})


_channel: Optional[Channel] = None
_connecting: Optional["asyncio.Future[Channel]"] = None


async def get_channel() -> Channel:
    """The run's channel, connected once per event loop on first use (concurrent first uses
    share one connection)."""
    import asyncio

    global _channel, _connecting
    loop = asyncio.get_running_loop()
    if _channel is not None and _channel._loop is loop and not _channel._closed:
        return _channel
    if _connecting is not None and _connecting.get_loop() is loop and not _connecting.done():
        return await asyncio.shield(_connecting)
    path = os.environ.get("LEV_CHANNEL")
    if not path:
        raise RunnerError(
            "no runner: this code starts containers, which only a runner can do. Run it with "
            "`npx lev exec <package-dir> main.py` (or `npx lev exec <package-dir> <function>`), or from the hub."
        )
    fut: asyncio.Future[Channel] = loop.create_future()
    _connecting = fut
    try:
        ch = Channel(path)
        await ch.connect()
    except BaseException as e:
        fut.set_exception(e if isinstance(e, Exception) else ChannelError("connection interrupted"))
        fut.exception()  # retrieved: waiters re-raise it, nobody else needs to
        _connecting = None
        raise
    _channel = ch
    fut.set_result(ch)
    _connecting = None
    return ch
