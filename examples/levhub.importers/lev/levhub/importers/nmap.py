"""nmap's XML output (`-oX`) → one document of hosts, their ports and the scripts' results.

Parsed by expat as a stream, with the defusedxml technique: a DOCTYPE is accepted only as nmap
writes it (`<!DOCTYPE nmaprun>`, no internal subset, no external identifier); any entity
declaration, external entity or parameter entity refuses the report before anything is expanded,
so a billion-laughs or XXE file costs nothing.

Scripts' results become findings only where that is sound from the output alone (kept modest):
- `vulners`, `vulscan`: CVEs looked up by product version, unconfirmed → low;
- `ssl-*`, `sslv2*`, `tls-*`: what a TLS service offers (ciphers, certificate) → info;
- `*-vuln-*` scripts whose output says `VULNERABLE` (and not `NOT VULNERABLE`) → medium.
Every other script is kept in the document as data (finding false).
"""
from __future__ import annotations

import ipaddress
import re
import xml.parsers.expat
from typing import Any, BinaryIO, Optional

from .limits import MAX_FINDINGS, MAX_HOSTS, MAX_REPORT_BYTES, MAX_SERVICES, MAX_TEXT, ImportRefused, chunks, over, text

PROTOCOLS = ("tcp", "udp", "sctp")
_VULNERABLE = re.compile(r"(?<!NOT )\bVULNERABLE\b")


def script_severity(script_id: str, output: str) -> Optional[str]:
    """The severity of a script's result as a finding, or None: it is data, not a finding."""
    sid = script_id.lower()
    if sid in ("vulners", "vulscan") or sid.startswith("vulscan"):
        return "low"
    if sid.startswith(("ssl-", "sslv2", "tls-")):
        return "info"
    if "-vuln-" in sid and _VULNERABLE.search(output or ""):
        return "medium"
    return None


class NmapReader:
    """The expat handlers: state of one streaming parse."""

    def __init__(self) -> None:
        self.hosts: list[dict[str, Any]] = []
        self.down = 0
        self.services = 0
        self.findings = 0
        self.scanner: Optional[str] = None
        self.args: Optional[str] = None
        self.root_seen = False
        self.host: Optional[dict[str, Any]] = None
        self.port: Optional[dict[str, Any]] = None
        self.in_hostscript = False
        self.depth_in_script = 0

    # refusals: anything that declares or pulls in entities
    def doctype(self, name: str, sysid: Optional[str], pubid: Optional[str], has_internal_subset: int) -> None:
        if has_internal_subset or sysid or pubid:
            raise ImportRefused("the XML declares a DOCTYPE with an internal subset or an external DTD: refused (entities are never expanded)")

    def entity_decl(self, name: str, *_: Any) -> None:
        raise ImportRefused(f"the XML declares the entity {text(name, 60)!r}: refused (entities are never expanded)")

    def external_entity(self, *_: Any) -> int:
        raise ImportRefused("the XML refers to an external entity: refused (nothing outside the report is read)")

    def unparsed_entity(self, name: str, *_: Any) -> None:
        raise ImportRefused(f"the XML declares the unparsed entity {text(name, 60)!r}: refused")

    def start(self, tag: str, a: dict[str, str]) -> None:
        if not self.root_seen:
            if tag != "nmaprun":
                raise ImportRefused(f"not an nmap XML report: the root element is <{text(tag, 60)}>, not <nmaprun>")
            self.root_seen = True
            self.scanner = text(a.get("scanner"))
            self.args = text(a.get("args"), MAX_TEXT)
            return
        if self.depth_in_script:
            self.depth_in_script += 1
            return
        if tag == "host":
            self.host = {"ip": None, "hostnames": [], "status": None, "ports": [], "scripts": []}
        elif self.host is None:
            return
        elif tag == "address" and a.get("addrtype") in ("ipv4", "ipv6") and self.host["ip"] is None:
            self.host["ip"] = _address(a.get("addr"))
        elif tag == "hostname" and len(self.host["hostnames"]) < 32:
            name = text(a.get("name"))
            if name and name not in self.host["hostnames"]:
                self.host["hostnames"].append(name)
        elif tag == "status":
            self.host["status"] = text(a.get("state"), 40)
        elif tag == "hostscript":
            self.in_hostscript = True
        elif tag == "port":
            self.port = {"port": _port(a.get("portid")), "protocol": a.get("protocol") if a.get("protocol") in PROTOCOLS else "tcp", "state": None, "service": None, "product": None, "version": None, "scripts": []}
        elif tag == "state" and self.port is not None:
            self.port["state"] = text(a.get("state"), 40)
        elif tag == "service" and self.port is not None:
            self.port["service"] = text(a.get("name"), 100)
            self.port["product"] = text(a.get("product"), 200)
            self.port["version"] = text(a.get("version"), 100)
        elif tag == "script":
            # a script's <elem>/<table> children repeat its output: skipped
            self.depth_in_script = 1
            sid = text(a.get("id"), 100) or "script"
            output = text(a.get("output") or "", MAX_TEXT)
            severity = script_severity(sid, output)
            script = {"id": sid, "output": output, "finding": severity is not None, "severity": severity or "info"}
            if severity is not None:
                self.findings += 1
                if self.findings > MAX_FINDINGS:
                    raise over("script findings", MAX_FINDINGS)
            if self.port is not None:
                self.port["scripts"].append(script)
            elif self.in_hostscript:
                self.host["scripts"].append(script)

    def end(self, tag: str) -> None:
        if self.depth_in_script:
            self.depth_in_script -= 1
            return
        if tag == "port" and self.host is not None and self.port is not None:
            if self.port["port"] is not None:
                self.services += 1
                if self.services > MAX_SERVICES:
                    raise over("ports", MAX_SERVICES)
                self.host["ports"].append(self.port)
            self.port = None
        elif tag == "hostscript":
            self.in_hostscript = False
        elif tag == "host" and self.host is not None:
            host, self.host = self.host, None
            if host["ip"] is None:
                return
            if host["status"] not in (None, "up"):
                self.down += 1
                return
            if len(self.hosts) >= MAX_HOSTS:
                raise over("hosts", MAX_HOSTS)
            self.hosts.append(host)


def _address(value: Optional[str]) -> Optional[str]:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _port(value: Optional[str]) -> Optional[int]:
    try:
        n = int(value or "")
    except ValueError:
        return None
    return n if 0 <= n <= 65535 else None


def parse_nmap_xml(stream: BinaryIO, cap: int = MAX_REPORT_BYTES) -> dict[str, Any]:
    """The document of an nmap XML report: `{scanner, args, hosts: [{ip, hostnames, status,
    ports: [{port, protocol, state, service, product, version, scripts}], scripts}], counts}`.
    Hosts that are not up and addresses that are not IP addresses are counted, not listed."""
    r = NmapReader()
    p = xml.parsers.expat.ParserCreate()
    p.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.StartDoctypeDeclHandler = r.doctype
    p.EntityDeclHandler = r.entity_decl
    p.UnparsedEntityDeclHandler = r.unparsed_entity
    p.ExternalEntityRefHandler = r.external_entity
    p.StartElementHandler = r.start
    p.EndElementHandler = r.end
    empty = True
    try:
        for chunk in chunks(stream, cap):
            empty = False
            p.Parse(chunk, False)
        if empty:
            raise ImportRefused("not an nmap XML report: the file is empty")
        p.Parse(b"", True)
    except xml.parsers.expat.ExpatError as e:
        raise ImportRefused(f"not well-formed XML: {xml.parsers.expat.ErrorString(e.code)} at line {e.lineno}, column {e.offset}") from None
    if not r.root_seen:
        raise ImportRefused("not an nmap XML report: the file is empty")
    return {
        "scanner": r.scanner,
        "args": r.args,
        "hosts": r.hosts,
        "counts": {"hosts": len(r.hosts), "down": r.down, "ports": r.services, "findings": r.findings},
    }
