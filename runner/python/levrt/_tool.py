"""`python3 -m levrt._tool`: runs a Cr's `@levrt.remote` entry inside its tool container.

The Cr is rebuilt by calling its builder again (see `_remote`). Exit codes: 0 success, 1 the
entry raised or could not be rebuilt (traceback on stderr and sent as an `error` over the task
channel), 2 no LEV_ENTRY, 130 SIGINT, 143 SIGTERM; `sys.exit(n)` in an entry exits n (an `error`
sent when n != 0). What the entry stored with `ctx.set` has already reached the runner; at the
interpreter's exit, once the entry's other threads have ended, `done` tells it that document is
final, so it is stored while the container exits.
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import signal
import sys
import traceback
from typing import Any, NoReturn

from ._cr import Cr
from ._exceptions import InvalidRequest, LevrtError
from ._package import resolve_qualname
from ._plan import call_builder, follow_path
from ._refs import revive
from ._remote import Entry, RemoteFunction
from ._taskchannel import task_channel


class _Terminated(BaseException):
    pass


def _on_sigterm(signum: int, frame: Any) -> NoReturn:
    raise _Terminated()


def _entry_call(spec: dict[str, Any]) -> Any:
    """Rebuilds the Cr from its EntrySpec and calls its entry (runner/PROTOCOL.md, EntrySpec).
    The rebuilding is shared with the planner (`_plan`), which must build exactly the same Cr."""
    b = spec["builder"]
    where = f"{b['module']}.{b['qualname']}"
    if b.get("direct"):
        try:
            target = resolve_qualname(b["module"], b["qualname"])
        except AttributeError as e:
            raise InvalidRequest(f"cannot find {where} to rebuild the Cr: {e}") from None
        fn = target.fn if isinstance(target, RemoteFunction) else target
        return fn(*revive(b["args"]), **revive(b["kwargs"]))
    built = call_builder(spec)
    if isinstance(built, (Entry, RemoteFunction)):
        # the builder made the entry, not the Cr (a helper called by the mode): path does not apply
        entry: Any = built
    else:
        cr = follow_path(built, list(spec.get("path") or []), where)
        if not isinstance(cr, Cr):
            raise InvalidRequest(f"{where}() returned {type(cr).__name__}, not a Cr")
        entry = cr.entry
    if isinstance(entry, RemoteFunction):
        entry = entry()
    if not isinstance(entry, Entry):
        raise InvalidRequest(f"the Cr rebuilt by {where}() has no entry")
    return entry.call()


def _report_error(type_: str, message: str, tb: str) -> None:
    """Tells the runner why the task failed (the `error` op of the task channel)."""
    ch = task_channel()
    if ch is None:
        return
    try:
        ch.request("error", type=type_, message=message, traceback=tb)
    except LevrtError as e:
        print(f"levrt: cannot report the error to the runner: {e}", file=sys.stderr)


def _pause_before_entry() -> None:
    """"Pause before entry" (LEV_DEBUG_PAUSE, set by the runner): waits on the task channel until
    a debugger says continue. The runner answers at once for a task it did not pause."""
    ch = task_channel()
    if not os.environ.get("LEV_DEBUG_PAUSE") or ch is None:
        return
    print("levrt: waiting for a debugger before the entry (pause before entry)", file=sys.stderr, flush=True)
    ch.request("pause")


def _document_final() -> None:
    """At exit (atexit runs after the interpreter joined the entry's non-daemon threads): no
    `put` follows, so the runner may store the document now."""
    ch = task_channel()
    if ch is None or not ch.put_sent:
        return
    try:
        ch.request("done")
    except LevrtError as e:
        # the runner still stores the last document once the container has exited
        print(f"levrt: cannot tell the runner the document is final: {e}", file=sys.stderr)


def main() -> int:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log = logging.getLogger("lev")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False  # an entry's logging.basicConfig() must not print every line twice
    signal.signal(signal.SIGTERM, _on_sigterm)
    atexit.register(_document_final)
    if not os.environ.get("LEV_ENTRY"):
        print("levrt._tool: LEV_ENTRY is not set; only the runner starts tool containers", file=sys.stderr)
        return 2
    try:
        spec = json.loads(os.environ["LEV_ENTRY"])
        _pause_before_entry()
        result = _entry_call(spec)
        if hasattr(result, "__await__"):  # an async entry
            import asyncio

            asyncio.run(result)
    except KeyboardInterrupt:
        print("levrt: interrupted (SIGINT); what was stored is kept", file=sys.stderr)
        return 130
    except _Terminated:
        print("levrt: terminated (SIGTERM); what was stored is kept", file=sys.stderr)
        return 143
    except SystemExit as e:
        # sys.exit() in an entry: 0/None is success; anything else fails the task like a raise
        if e.code is None or e.code == 0:
            return 0
        code = e.code if isinstance(e.code, int) else 1
        _report_error("SystemExit", f"the entry called sys.exit({e.code!r})", traceback.format_exc())
        print(f"levrt: the entry exited with {e.code!r}", file=sys.stderr)
        return code
    except BaseException as e:
        tb = traceback.format_exc()
        sys.stderr.write(tb)
        _report_error(e.__class__.__name__, str(e), tb)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
