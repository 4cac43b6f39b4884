"""Typed references in run arguments (runner/PROTOCOL.md, "Typed references"): `levrt.File`,
`levrt.Secret`.

A user gives a run a file (a wordlist, a hash file) through a parameter annotated `File`. The
workflow container never sees the file: the argument arrives as `{"$lev": "file", "id": …,
"name": …, "size": …}` and becomes a `File` handle. Passed to `Cr(files={"/in/x": handle})`, it
travels back to the runner as `{"$lev": "file", "id": …}`, and the runner mounts the stored file
read-only at that path in the tool container. The key `$lev` is reserved for such references.

A secret (an API key of the run's project) comes through a parameter annotated `Secret` (or
`annot.Param(…, kind="secret")`) as `{"$lev": "secret", "id": …, "name": …}` and becomes a
`Secret` handle: the workflow never holds the value. `Cr(env={"KEY": secret})` (or
`env=["KEY=" + secret]`) forwards it: the runner puts the value in that tool container's
environment, and nowhere else.
"""
from __future__ import annotations

import json
import os
import re
from typing import Any, Optional

REF_KEY = "$lev"
_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
#: the variable the runner sets in a tool container: secret id → the env variable holding it
SECRETS_ENV = "LEV_SECRETS"


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


class Secret:
    """A secret of the run's project the user bound to a parameter: `def search(q: str, key: Secret) -> Cr`.

    Opaque: `name` (the secret's name in the project), never the value, which the workflow does not
    have. Forward it to the tool that needs it as a whole env value, `Cr(env={"SHODAN_KEY": key})`
    or `Cr(env=["SHODAN_KEY=" + key])`; the tool reads `os.environ["SHODAN_KEY"]`, or, given the
    handle as an argument of its entry, `key.value()`. As text (`str(key)`, `"KEY=" + key`,
    f-strings) a `Secret` is a placeholder that the runner recognises only as a whole env value: a
    secret inside a command line, a file's content or a longer string is refused.

    Whoever may use a secret can read it (a package of their own can print it); the runner masks
    it in the run's logs, documents and errors."""

    __slots__ = ("_id", "name")

    def __init__(self, ref_id: str, name: str = "secret") -> None:
        if not isinstance(ref_id, str) or not _ID.match(ref_id):
            raise ValueError(f"Secret: {ref_id!r} is not a secret reference id; secrets come from the run's arguments")
        if not isinstance(name, str):
            raise TypeError(f"Secret: name is a string, not {type(name).__name__}")
        self._id = ref_id
        self.name = name

    def token(self) -> str:
        """The placeholder the runner replaces with the value in a forwarding Cr's env."""
        return '{"' + REF_KEY + '":"secret","id":"' + self._id + '"}'

    def value(self) -> str:
        """The secret's value, in a tool container whose Cr forwards it in `env` (and only there)."""
        try:
            forwarded = json.loads(os.environ.get(SECRETS_ENV) or "{}")
        except ValueError:
            forwarded = {}
        key = forwarded.get(self._id) if isinstance(forwarded, dict) else None
        if not isinstance(key, str) or key not in os.environ:
            raise PermissionError(
                f"the value of secret {self.name!r} is only in a tool container whose Cr forwards it: "
                f"Cr(env={{'KEY': secret}}) (the workflow never has it)"
            )
        return os.environ[key]

    def to_json(self) -> dict[str, Any]:
        """The form it takes in a mode's recorded arguments, so the tool container rebuilds the same handle."""
        return {REF_KEY: "secret", "id": self._id, "name": self.name}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> "Secret":
        name = value.get("name")
        return cls(value.get("id"), name if isinstance(name, str) and name else "secret")  # type: ignore[arg-type]

    def __str__(self) -> str:
        return self.token()

    def __format__(self, spec: str) -> str:
        return self.token()

    def __add__(self, other: Any) -> str:
        if not isinstance(other, str):
            return NotImplemented
        return self.token() + other

    def __radd__(self, other: Any) -> str:
        if not isinstance(other, str):
            return NotImplemented
        return other + self.token()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._id == self._id

    def __hash__(self) -> int:
        return hash(("levrt.Secret", self._id))

    def __repr__(self) -> str:
        return f"<levrt.Secret {self.name!r}>"


def is_file_ref(value: Any) -> bool:
    return isinstance(value, dict) and value.get(REF_KEY) == "file" and isinstance(value.get("id"), str)


def is_secret_ref(value: Any) -> bool:
    return isinstance(value, dict) and value.get(REF_KEY) == "secret" and isinstance(value.get("id"), str)


_SECRET_MARK = re.compile(r'"\$lev"\s*:\s*"secret"')


def mentions_secret(text: str) -> bool:
    """Whether a text holds a secret's placeholder (`str(secret)`) or handle anywhere."""
    return bool(_SECRET_MARK.search(text))


def revive(value: Any) -> Any:
    """Run arguments as JSON → Python: every file reference becomes a `File`, every secret
    reference a `Secret` (in lists and dicts too)."""
    if isinstance(value, dict):
        if is_file_ref(value):
            return File.from_json(value)
        if is_secret_ref(value):
            return Secret.from_json(value)
        return {k: revive(v) for k, v in value.items()}
    if isinstance(value, list):
        return [revive(v) for v in value]
    return value


def to_json(value: Any) -> Any:
    """The reverse of `revive`, for arguments recorded to rebuild a Cr in its tool container."""
    if isinstance(value, (File, Secret)):
        return value.to_json()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


__all__ = ["File", "REF_KEY", "SECRETS_ENV", "Secret", "is_file_ref", "is_secret_ref", "mentions_secret", "revive", "to_json"]
