"""The importers' caps and their one error. A report is hostile input (someone else's scanner, or
someone's crafted file): every byte stream, count and text has a cap, and a report over a cap is
refused whole with a message naming the cap, never imported in part."""
from __future__ import annotations

import os
from typing import Any, BinaryIO, Iterator

MiB = 1024 * 1024
#: the largest report read (the hub's upload limit applies first; this holds for any caller)
MAX_REPORT_BYTES = 64 * MiB
#: the most hosts, services and findings one import records: a document stays within the hub's
#: document limit (16 MiB by default), and the mapping's own caps (lib/findings/mapping.ts) are higher
MAX_HOSTS = 10_000
MAX_SERVICES = 50_000
MAX_FINDINGS = 20_000
#: a nuclei JSONL line (requests and responses included: nuclei writes them with -irr)
MAX_LINE_BYTES = 1 * MiB
#: texts kept: a name, a title, a script's or a message's text
MAX_NAME = 253
MAX_TITLE = 300
MAX_TEXT = 2000
#: where a report is mounted in the importer's container
REPORT_PATH = "/in/report"
CHUNK = 64 * 1024


class ImportRefused(ValueError):
    """A report the importer does not import: not the format, unsafe, or over a cap."""


def text(value: Any, cap: int = MAX_NAME) -> Any:
    """A string cut to `cap` characters without NUL; anything else but None becomes its text."""
    if value is None:
        return None
    s = value if isinstance(value, str) else str(value)
    s = s.replace("\0", "")
    return s if len(s) <= cap else s[: cap - 1] + "…"


def check_size(path: str, cap: int = MAX_REPORT_BYTES) -> int:
    """The report's size, refused past the cap before a byte is parsed."""
    size = os.stat(path).st_size
    if size > cap:
        raise ImportRefused(f"the report is {size} bytes, over the importer's limit of {cap} bytes ({cap // MiB} MiB)")
    return size


def chunks(f: BinaryIO, cap: int = MAX_REPORT_BYTES) -> Iterator[bytes]:
    """The stream in chunks, refused once more than `cap` bytes came (a file that grew, a pipe)."""
    read = 0
    while True:
        chunk = f.read(CHUNK)
        if not chunk:
            return
        read += len(chunk)
        if read > cap:
            raise ImportRefused(f"the report is over the importer's limit of {cap} bytes ({cap // MiB} MiB)")
        yield chunk


def over(what: str, cap: int) -> ImportRefused:
    return ImportRefused(f"the report has more than {cap} {what}, the importer's limit: split it into smaller reports")
