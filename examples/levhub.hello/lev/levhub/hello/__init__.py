"""hello: the smallest Levhub package. A tool with a few modes and two workflows; nothing touches
the network, so it is the quickest way to try forms, live logs, results and cancel."""
from levrt import annot
from levrt.annot.cats import Attck, BlackArch

from . import greet
from .flows import greet_all, nap

__lev__ = annot.meta(
    [greet, greet_all, nap],
    desc="Hello world: greet people, store the greetings",
    cats={Attck: [Attck.Discovery], BlackArch: [BlackArch.Misc]},
    tags=["hello", "example"],
)
