"""Typed references in run arguments (runner/PROTOCOL.md, "Typed references"): `levrt.File`.

A user gives a run a file (a wordlist, a hash file) through a parameter annotated `File`. The
workflow container never sees the file: the argument arrives as `{"$lev": "file", "id": …,
"name": …, "size": …}` and becomes a `File` handle. Passed to `Cr(files={"/in/x": handle})`, it
travels back to the runner as `{"$lev": "file", "id": …}`, and the runner mounts the stored file
read-only at that path in the tool container. The key `$lev` is reserved for such references.
"""
from __future__ import annotations

import re
from typing import Any, Optional

REF_KEY = "$lev"
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class File:
    """A file a user gave the run: `def crack(hashes: File = None) -> Cr`.

    Opaque: `name` (the file's name as given) and `size` (bytes, or None when unknown); no path and
    no content, since the file stays with the runner. `Cr(files={"/in/hashes": hashes})` mounts it
    read-only at `/in/hashes` in the tool container; `files={"/in/hashes": None}` (a file parameter
    left empty) mounts nothing."""

    __slots__ = ("_id", "name", "size")

    def __init__(self, ref_id: str, name: str = "file", size: Optional[int] = None) -> None:
        if not isinstance(ref_id, str) or not _ID.match(ref_id):
            raise ValueError(f"File: {ref_id!r} is not a file reference id; files come from the run's arguments")
        if not isinstance(name, str):
            raise TypeError(f"File: name is a string, not {type(name).__name__}")
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
            raise ValueError(f"File: size is a number of bytes, not {size!r}")
        self._id = ref_id
        self.name = name
        self.size = size

    def ref(self) -> dict[str, Any]:
        """What a `Cr` sends the runner for it: the reference alone."""
        return {REF_KEY: "file", "id": self._id}

    def to_json(self) -> dict[str, Any]:
        """The form it takes in a mode's recorded arguments, so the tool container rebuilds the same handle."""
        return {REF_KEY: "file", "id": self._id, "name": self.name, "size": self.size}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> "File":
        size = value.get("size")
        name = value.get("name")
        return cls(value.get("id"), name if isinstance(name, str) and name else "file", size if isinstance(size, int) else None)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, File) and other._id == self._id

    def __hash__(self) -> int:
        return hash(("levrt.File", self._id))

    def __repr__(self) -> str:
        size = "" if self.size is None else f", {self.size} bytes"
        return f"<levrt.File {self.name!r}{size}>"


def is_file_ref(value: Any) -> bool:
    return isinstance(value, dict) and value.get(REF_KEY) == "file" and isinstance(value.get("id"), str)


def revive(value: Any) -> Any:
    """Run arguments as JSON → Python: every file reference becomes a `File` (in lists and dicts too)."""
    if isinstance(value, dict):
        if is_file_ref(value):
            return File.from_json(value)
        return {k: revive(v) for k, v in value.items()}
    if isinstance(value, list):
        return [revive(v) for v in value]
    return value


def to_json(value: Any) -> Any:
    """The reverse of `revive`, for arguments recorded to rebuild a Cr in its tool container."""
    if isinstance(value, File):
        return value.to_json()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


__all__ = ["File", "REF_KEY", "is_file_ref", "revive", "to_json"]
