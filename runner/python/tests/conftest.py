import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RUNTIME = os.path.dirname(HERE)
REPO = os.path.abspath(os.path.join(RUNTIME, "..", ".."))
sys.path.insert(0, RUNTIME)
sys.path.insert(0, HERE)

import pytest  # noqa: E402

FIXTURE = os.path.join(HERE, "fixtures", "levtest.rt")
EXAMPLES = os.path.join(REPO, "examples")
NMAP = os.path.join(EXAMPLES, "szczecin.nmap_python")
HELLO = os.path.join(EXAMPLES, "levhub.hello")


def _forget_lev() -> None:
    for mod in [m for m in sys.modules if m == "lev" or m.startswith("lev.")]:
        del sys.modules[mod]


@pytest.fixture
def on_path():
    """Puts package directories on sys.path (as /lev/pkg is in a container), then forgets them."""
    added: list[str] = []

    def add(path: str) -> str:
        _forget_lev()
        sys.path.insert(0, path)
        added.append(path)
        return path

    yield add
    for p in added:
        while p in sys.path:
            sys.path.remove(p)
    _forget_lev()


@pytest.fixture
def rt(on_path, monkeypatch):
    """The fixture package lev.levtest.rt, importable."""
    monkeypatch.setenv("LEV_PACKAGE", "lev.levtest.rt")
    on_path(FIXTURE)
    return FIXTURE


@pytest.fixture(autouse=True)
def no_runner(monkeypatch):
    """Every test starts outside any runner."""
    for k in ("LEV_CHANNEL", "LEV_OUT", "LEV_ENTRY", "LEV_CALL"):
        monkeypatch.delenv(k, raising=False)
