"""recon: a workflow built only from other people's tools. It sweeps a target with the nmap
package's `alive` mode and greets every host that answered with the hello package's `hello`
mode; both packages are published on the hub and pinned in pyproject.toml.

Scan only hosts you are allowed to scan. On a hub a granted scan runs as root with NET_RAW on
the run's own network, where 127.0.0.1 is the scanner's own container.
"""
from levrt import annot
from levrt.annot.cats import Attck, BlackArch

from .sweep import sweep_and_greet

__lev__ = annot.meta(
    [sweep_and_greet],
    desc="Sweep a network with nmap, then greet every live host (two packages, one workflow)",
    cats={Attck: [Attck.Reconnaissance, Attck.Discovery], BlackArch: [BlackArch.Recon]},
    tags=["nmap", "hello", "dependencies", "example"],
)
