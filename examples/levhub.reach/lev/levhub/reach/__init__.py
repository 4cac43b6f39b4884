"""reach: a TCP connect to each of a list of addresses, from a container on the run's own
network. In a scoped project it shows what the network lets through: the targets are checked
against the scope before the run starts, the other addresses only by the run's network, and an
address outside the scope times out and is listed as blocked on the run page."""
from levrt import annot
from levrt.annot.cats import Attck, BlackArch

from . import tcp

__lev__ = annot.meta(
    [tcp],
    desc="TCP connect to a list of addresses: see what a run's network lets through",
    cats={Attck: [Attck.Discovery], BlackArch: [BlackArch.Networking]},
    tags=["network", "scope", "example"],
)
