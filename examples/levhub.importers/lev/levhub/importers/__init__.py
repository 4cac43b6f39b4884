"""importers: standard tool output imported into a project's assets and findings — nmap XML,
nuclei JSONL and SARIF 2.1.0 — parsed in a sandbox (a tool container with no network, the report
mounted read-only) by stdlib parsers with caps on every size (limits.py).

Upload a report to a project and run the matching function in it (the project page's
"Import results", `POST /api/projects/{slug}/imports`, `lev import`); another package's workflow
calls them through its dependencies like any mode.
"""
from levrt import annot
from levrt.annot.cats import BlackArch

from . import formats

__lev__ = annot.meta(
    [formats],
    desc="Import nmap XML, nuclei JSONL and SARIF reports into a project's assets and findings",
    cats=[BlackArch.Recon, BlackArch.Scanner],
    tags=["import", "nmap", "nuclei", "sarif"],
)
