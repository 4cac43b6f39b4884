"""Exceptions raised by levrt.

    LevrtError
    ├── ChannelError        the runner's channel is missing or closed
    ├── RunnerError         the runner failed, or no runner is there (levrt.run outside one)
    ├── InvalidRequest      a Cr or argument the runner cannot accept (e.g. not JSON-serialisable)
    ├── PackageError        the package cannot be imported or has no such function
    └── TaskError           a task did not end well; `.task` is its number, `.traceback` the entry's
        ├── TaskFailed      the entry raised, or the container exited non-zero
        ├── TaskTimeout     the task exceeded its time limit and was killed
        ├── TaskCancelled   the run ended (cancel, timeout) before the task did
        ├── ImageNotFound   the task's image is not available to this run
        ├── PolicyDenied    the task asks for a privilege (host network, a capability) not granted
        ├── QuotaExceeded   the run may start no more tasks, or this one needs too many containers
        └── OutputTooLarge  the task's document is over the size limit
"""
from __future__ import annotations

from typing import Any, Optional


class LevrtError(Exception):
    """Base of every levrt error."""


class ChannelError(LevrtError):
    pass


class RunnerError(LevrtError):
    pass


class InvalidRequest(LevrtError):
    pass


class PackageError(LevrtError):
    pass


class TaskError(LevrtError):
    def __init__(self, message: str, *, task: Optional[int] = None, traceback: Optional[str] = None) -> None:
        super().__init__(message)
        self.task = task
        self.traceback = traceback


class TaskFailed(TaskError):
    pass


class TaskTimeout(TaskError):
    pass


class TaskCancelled(TaskError):
    pass


class ImageNotFound(TaskError):
    pass


class PolicyDenied(TaskError):
    pass


class QuotaExceeded(TaskError):
    pass


class OutputTooLarge(TaskError):
    pass


_BY_NAME: dict[str, type[LevrtError]] = {
    c.__name__: c
    for c in (ChannelError, RunnerError, InvalidRequest, PackageError, TaskFailed, TaskTimeout, TaskCancelled, ImageNotFound,
              PolicyDenied, QuotaExceeded, OutputTooLarge)
}

# tracebacks print `levrt.TaskFailed: …`, the name authors import
for _cls in [LevrtError, TaskError, *_BY_NAME.values()]:
    _cls.__module__ = "levrt"


def error_from_reply(error: dict[str, Any]) -> LevrtError:
    """The exception for a runner's `{ok: false, error}` answer."""
    cls = _BY_NAME.get(str(error.get("type")), RunnerError)
    message = str(error.get("message") or error.get("type") or "runner error")
    if issubclass(cls, TaskError):
        task, tb = error.get("task"), error.get("traceback")
        return cls(message, task=task if isinstance(task, int) else None, traceback=tb if isinstance(tb, str) else None)
    return cls(message)
