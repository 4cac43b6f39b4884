"""`python3 -m levrt._tool`: runs a Cr's `@levrt.remote` entry inside its tool container.

The Cr is rebuilt by calling its builder again (see `_remote`). Exit codes: 0 success, 1 the
entry raised (traceback on stderr and in $LEV_OUT/error.json), 130 SIGINT, 143 SIGTERM; what
the entry stored with `ctx.set` is already in $LEV_OUT/doc.json in every case.
"""
from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import signal
import sys
import traceback
from typing import Any, NoReturn

from ._cr import Cr
from ._exceptions import InvalidRequest
from ._package import resolve_qualname
from ._remote import Entry, RemoteFunction


class _Terminated(BaseException):
    pass


def _on_sigterm(signum: int, frame: Any) -> NoReturn:
    raise _Terminated()


def _entry_call(spec: dict[str, Any]) -> Any:
    b = spec["builder"]
    target = resolve_qualname(b["module"], b["qualname"])
    if b.get("direct"):
        fn = target.fn if isinstance(target, RemoteFunction) else target
        return fn(*b["args"], **b["kwargs"])
    cr = target(*b["args"], **b["kwargs"])
    for i in range(0, len(spec.get("path", [])), 2):
        kind, name = spec["path"][i], spec["path"][i + 1]
        if kind != "services":
            raise InvalidRequest(f"unknown entry path {spec['path']}")
        cr = cr.services[name]
    if not isinstance(cr, Cr):
        raise InvalidRequest(f"{b['qualname']}() returned {type(cr).__name__}, not a Cr")
    entry = cr.entry
    if isinstance(entry, RemoteFunction):
        entry = entry()
    if not isinstance(entry, Entry):
        raise InvalidRequest(f"the Cr rebuilt by {b['qualname']}() has no entry")
    return entry.call()


def main() -> int:
    out = os.environ.get("LEV_OUT", "/lev/out")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log = logging.getLogger("lev")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        spec = json.loads(os.environ["LEV_ENTRY"])
        result = _entry_call(spec)
        if inspect.isawaitable(result):
            asyncio.run(result)  # type: ignore[arg-type]
    except KeyboardInterrupt:
        print("levrt: interrupted (SIGINT); what was stored is kept", file=sys.stderr)
        return 130
    except _Terminated:
        print("levrt: terminated (SIGTERM); what was stored is kept", file=sys.stderr)
        return 143
    except BaseException as e:
        tb = traceback.format_exc()
        sys.stderr.write(tb)
        try:
            with open(os.path.join(out, "error.json"), "w", encoding="utf-8") as f:
                json.dump({"type": e.__class__.__name__, "message": str(e), "traceback": tb}, f)
        except OSError:
            pass
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
