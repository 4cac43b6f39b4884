"""The importers: each runs its parser in a tool container of the stock Python image, with no
network and the report mounted read-only, and stores what it parsed; the package's mappings
(`__init__.py`) turn that document into the project's hosts, services, origins and findings.

A workflow of another package calls them like any mode, given a `levrt.File`:
`doc = await formats.nmap_xml(report)`.
"""
import logging

import levrt
from levrt import Cr, File, annot, ctx
from levrt.annot.cats import BlackArch

from .limits import REPORT_PATH, ImportRefused, check_size
from .nmap import parse_nmap_xml
from .nuclei import parse_nuclei_jsonl
from .sarif import parse_sarif

IMAGE = "levhub/python:bookworm"
log = logging.getLogger("lev")


def _parse(name: str, parser) -> None:  # type: ignore[no-untyped-def]
    """Reads the mounted report with `parser` and stores its document (refusals are the task's error)."""
    try:
        size = check_size(REPORT_PATH)
        with open(REPORT_PATH, "rb") as f:
            doc = parser(f)
    except FileNotFoundError:
        raise ImportRefused("no report was given") from None
    log.info("%s: %d bytes read: %s", name, size, doc["counts"])
    ctx.update(doc)


def _cr(schema: str, report: File, entry) -> Cr:  # type: ignore[no-untyped-def]
    if report is None:
        raise ImportRefused("no report was given")
    return Cr(IMAGE, schema=schema, entry=entry, files={REPORT_PATH: report}, offline=True)


@annot.meta(
    desc="Import an nmap XML report (-oX): hosts, services and scripts' findings",
    params=[annot.Param("report", "nmap's XML output (nmap -oX report.xml …)", kind="file")],
    cats=[BlackArch.Recon],
    tags=["import", "nmap", "xml"],
)
def nmap_xml(report: File = None) -> Cr:
    """
    Parses nmap's XML output without expanding any entity (a DOCTYPE with declarations is refused)
    and stores its hosts (up only), ports with their services and the scripts' results.
    ```
    await formats.nmap_xml(report)
    ```
    """
    @levrt.remote
    def entry():
        _parse("nmap XML", parse_nmap_xml)

    return _cr("levhub/importers.nmap@1.0", report, entry())


@annot.meta(
    desc="Import a nuclei JSONL report (-jsonl): results as findings on their hosts, services or origins",
    params=[annot.Param("report", "nuclei's JSON lines output (nuclei -jsonl -o report.jsonl …)", kind="file")],
    cats=[BlackArch.Scanner],
    tags=["import", "nuclei", "jsonl"],
)
def nuclei_jsonl(report: File = None) -> Cr:
    """
    Parses nuclei's JSON lines, one result a line; malformed lines are counted and named, not fatal
    unless no line is a result.
    ```
    await formats.nuclei_jsonl(report)
    ```
    """
    @levrt.remote
    def entry():
        _parse("nuclei JSONL", parse_nuclei_jsonl)

    return _cr("levhub/importers.nuclei@1.0", report, entry())


@annot.meta(
    desc="Import a SARIF 2.1.0 log: results as findings of the project (or of a web origin)",
    params=[annot.Param("report", "a SARIF 2.1.0 log (.sarif)", kind="file")],
    cats=[BlackArch.CodeAudit],
    tags=["import", "sarif", "static analysis"],
)
def sarif(report: File = None) -> Cr:
    """
    Parses a SARIF 2.1.0 log: each result with its rule, severity, message and first location.
    ```
    await formats.sarif(report)
    ```
    """
    @levrt.remote
    def entry():
        _parse("SARIF", parse_sarif)

    return _cr("levhub/importers.sarif@1.0", report, entry())


__lev__ = annot.meta(
    [nmap_xml, nuclei_jsonl, sarif],
    desc="Import standard tool output into a project",
    cats=[BlackArch.Recon, BlackArch.Scanner],
    # comparing two imports item by item: a host by address, a port by number and protocol,
    # a finding by its key
    keys=[
        annot.Keys("nmap@1.0", ["hosts[].ip", "hosts[].ports[].port", "hosts[].ports[].protocol"]),
        annot.Keys("nuclei@1.0", ["hosts[].ip", "hosts[].ports[].port", "hosts[].findings[].key", "hosts[].ports[].findings[].key", "origins[].url", "origins[].findings[].key", "other[].key"]),
        annot.Keys("sarif@1.0", ["results[].key", "origins[].url", "origins[].findings[].key"]),
    ],
    assets=[
        annot.Assets(
            "nmap@1.0",
            hosts="hosts[]", address="hosts[].ip", names="hosts[].hostnames",
            services="hosts[].ports[]", port="hosts[].ports[].port", protocol="hosts[].ports[].protocol",
            state="hosts[].ports[].state", service="hosts[].ports[].service",
            product="hosts[].ports[].product", version="hosts[].ports[].version",
        ),
        annot.Assets(
            "nuclei@1.0",
            hosts="hosts[]", address="hosts[].ip",
            services="hosts[].ports[]", port="hosts[].ports[].port", protocol="hosts[].ports[].protocol",
            state="hosts[].ports[].state", service="hosts[].ports[].service",
            origins="origins[].url",
        ),
        annot.Assets("sarif@1.0", origins="origins[].url"),
    ],
    findings=[
        annot.Findings(
            "nmap@1.0", each="hosts[].ports[].scripts[]", where={"hosts[].ports[].scripts[].finding": True},
            key="nmap-script:{hosts[].ports[].scripts[].id}", severity="{hosts[].ports[].scripts[].severity}",
            asset="service", evidence="hosts[].ports[].scripts[]",
            title="nmap {hosts[].ports[].scripts[].id} on {hosts[].ports[].port}/{hosts[].ports[].protocol}",
        ),
        annot.Findings(
            "nmap@1.0", each="hosts[].scripts[]", where={"hosts[].scripts[].finding": True},
            key="nmap-script:{hosts[].scripts[].id}", severity="{hosts[].scripts[].severity}",
            asset="host", evidence="hosts[].scripts[]",
            title="nmap {hosts[].scripts[].id} on {hosts[].ip}",
        ),
        annot.Findings(
            "nuclei@1.0", each="hosts[].ports[].findings[]", key="nuclei:{hosts[].ports[].findings[].key}",
            severity="{hosts[].ports[].findings[].severity}", asset="service", evidence="hosts[].ports[].findings[]",
            title="{hosts[].ports[].findings[].name} ({hosts[].ports[].findings[].template})",
        ),
        annot.Findings(
            "nuclei@1.0", each="hosts[].findings[]", key="nuclei:{hosts[].findings[].key}",
            severity="{hosts[].findings[].severity}", asset="host", evidence="hosts[].findings[]",
            title="{hosts[].findings[].name} ({hosts[].findings[].template})",
        ),
        annot.Findings(
            "nuclei@1.0", each="origins[].findings[]", key="nuclei:{origins[].findings[].key}",
            severity="{origins[].findings[].severity}", asset="origin", evidence="origins[].findings[]",
            title="{origins[].findings[].name} ({origins[].findings[].template})",
        ),
        annot.Findings(
            "nuclei@1.0", each="other[]", key="nuclei:{other[].key}",
            severity="{other[].severity}", evidence="other[]",
            title="{other[].name} ({other[].template}) at {other[].matched}",
        ),
        annot.Findings(
            "sarif@1.0", each="results[]", key="sarif:{results[].key}",
            severity="{results[].severity}", evidence="results[]",
            title="{results[].rule}: {results[].title}",
        ),
        annot.Findings(
            "sarif@1.0", each="origins[].findings[]", key="sarif:{origins[].findings[].key}",
            severity="{origins[].findings[].severity}", asset="origin", evidence="origins[].findings[]",
            title="{origins[].findings[].rule}: {origins[].findings[].title}",
        ),
    ],
)
