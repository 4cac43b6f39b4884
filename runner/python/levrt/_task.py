"""`Task`: a container started in the background with `await cr.start()`."""
from __future__ import annotations

import signal as _signal
from typing import Any, Coroutine, Generator, Union

from ._channel import get_channel
from ._document import Collection, Document


class Task:
    """A started container. `await task`, `await task()` and `await task.done()` wait for its
    end and return its `Document`; `task.host` is its host name for another Cr's `links`."""

    def __init__(self, number: int, host: str, coll: Union[Collection, str]) -> None:
        self.number = number
        self.host = host
        self.coll = coll if isinstance(coll, Collection) else Collection(coll)

    async def signal(self, signal: Union[str, int, _signal.Signals] = "SIGINT") -> None:
        """Sends a signal to the container (default SIGINT: stop it). A task ended this way is
        not an error: waiting for it returns what it stored before it stopped."""
        if isinstance(signal, _signal.Signals):
            name = signal.name
        elif isinstance(signal, int) and not isinstance(signal, bool):
            name = _signal.Signals(signal).name
        elif isinstance(signal, str) and signal:
            name = signal.upper()
            name = name if name.startswith("SIG") else "SIG" + name
        else:
            raise TypeError(f"Task.signal: a signal name such as 'SIGINT', not {signal!r}")
        ch = await get_channel()
        await ch.request("signal", task=self.number, signal=name)

    async def done(self) -> Document:
        """Waits for the end; raises `TaskFailed` (etc.) when the entry raised."""
        ch = await get_channel()
        res = await ch.request("wait", task=self.number)
        return Document(Collection(res.get("coll") or self.coll.name), self.number)

    def __call__(self) -> Coroutine[Any, Any, Document]:
        return self.done()

    def __await__(self) -> Generator[Any, None, Document]:
        return self.done().__await__()

    def __repr__(self) -> str:
        return f"<levrt Task {self.number} host={self.host!r}>"


__all__ = ["Task"]
