"""`python3 -m levrt introspect <package-dir>` (same as `python3 -m levrt.introspect <package-dir>`)."""
from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if argv[:1] == ["introspect"]:
        from .introspect import main as introspect

        return introspect(argv[1:])
    print(
        "usage: python3 -m levrt introspect <package-dir>\n"
        "Workflows and tools are run by a runner: npx lev exec <package-dir> <function | main.py>",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
