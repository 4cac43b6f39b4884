"""nmap_python: the nmap tool and the workflows of Leviathan's developer guide.

Scan only hosts you are allowed to scan. On a hub a granted scan runs as root with NET_RAW on
the run's own network, where 127.0.0.1 is the scanner's own container.
"""
from levrt import annot
from levrt.annot.cats import Attck, BlackArch

from . import nmap
from .asset import (
    alive_nmap_python,
    background,
    concurrent,
    extra_namespace,
    extra_namespace2,
    port_os_nmap_python,
    server_port,
)

__lev__ = annot.meta(
    [nmap, alive_nmap_python, port_os_nmap_python, server_port, background, concurrent, extra_namespace, extra_namespace2],
    desc="nmap-update",
    cats={Attck: [Attck.Reconnaissance, Attck.Discovery], BlackArch: [BlackArch.Scanner, BlackArch.Recon]},
    tags=["nmap", "scan", "port", "os"],
)
