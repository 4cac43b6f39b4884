"""Nmap ("Network Mapper") is a free and open source utility for network discovery and security
auditing: which hosts are up, which services they offer, which operating systems they run.

Homepage: https://nmap.org
GitHub: https://github.com/nmap/nmap
Type: scanner
Version: 7.93 (Debian bookworm)
"""
import logging
import subprocess
import xml.etree.ElementTree as ET
from typing import Any

import levrt
from levrt import Cr, annot, ctx
from levrt.annot.cats import Attck, BlackArch

IMAGE = "levhub/nmap:bookworm"
#: nmap's names (nmap-services) of services that send logins in clear text: FTP, Telnet, BSD r-services
CLEARTEXT_REMOTE_ACCESS = ["ftp", "telnet", "exec", "login", "shell"]
#: nmap's names of databases and caches, often left without authentication
DATA_STORES = ["mysql", "postgresql", "ms-sql-s", "oracle", "mongod", "redis", "memcache", "couchdb"]
log = logging.getLogger("lev")


def parse_xml(text: str) -> list[dict[str, Any]]:
    """Hosts from nmap's XML output (-oX -): address, names, status, ports and OS guesses."""
    hosts: list[dict[str, Any]] = []
    if not text.strip():
        return hosts
    root = ET.fromstring(text)
    for h in root.findall("host"):
        addr = next((a.get("addr") for a in h.findall("address") if a.get("addrtype") in ("ipv4", "ipv6")), None)
        status = h.find("status")
        ports: list[dict[str, Any]] = []
        for p in h.findall("ports/port"):
            state = p.find("state")
            service = p.find("service")
            ports.append({
                "port": int(p.get("portid", "0")),
                "protocol": p.get("protocol"),
                "state": state.get("state") if state is not None else None,
                "service": service.get("name") if service is not None else None,
                "product": service.get("product") if service is not None else None,
                "version": service.get("version") if service is not None else None,
            })
        hosts.append({
            "ip": addr,
            "hostnames": [n.get("name") for n in h.findall("hostnames/hostname")],
            "status": status.get("state") if status is not None else None,
            "ports": ports,
            "os": [{"name": m.get("name"), "accuracy": int(m.get("accuracy", 0))} for m in h.findall("os/osmatch")],
        })
    return hosts


def run_nmap(args: list[str]) -> "subprocess.CompletedProcess[str]":
    """Runs nmap in the container; its output is returned, not printed."""
    log.info("nmap %s", " ".join(args))
    return subprocess.run(["nmap", *args], capture_output=True, text=True)


@annot.meta(desc="run nmap with any command line", params=[annot.ARGV], tags=["nmap"])
def raw(argv: list[str]) -> Cr:
    """
    Runs nmap with the given command-line arguments and stores its output.
    ```
    await nmap.raw(["-sV", "-p", "22,80", "127.0.0.1"])
    ```
    """
    @levrt.remote
    def entry():
        out = run_nmap(list(argv))
        print(out.stdout, end="")
        ctx.set(argv=list(argv), returncode=out.returncode, stdout=out.stdout, stderr=out.stderr)
        if out.returncode != 0:
            raise RuntimeError(f"nmap exited with {out.returncode}: {out.stderr.strip()}")

    return Cr(IMAGE, host=True, entry=entry())


@annot.meta(
    desc="ICMP loopback message to determine host survival",
    params=[annot.Param("ip", "target ip or ip segment for scanning", holder="192.168.1.1/24", kind="target")],
    cats={Attck: [Attck.Reconnaissance], BlackArch: [BlackArch.Scanner]},
    tags=["nmap", "alive", "ping"],
)
def alive(ip: str) -> Cr:
    """
    Host discovery (nmap -sn): which hosts of a target or range answer.
    ```
    await nmap.alive("127.0.0.1")
    ```
    """
    @levrt.remote
    def entry():
        out = run_nmap(["-sn", "-n", "-oX", "-", ip])
        if out.returncode != 0:
            raise RuntimeError(f"nmap exited with {out.returncode}: {out.stderr.strip()}")
        hosts = parse_xml(out.stdout)
        up = [h["ip"] for h in hosts if h["status"] == "up"]
        log.info("%d host(s) up: %s", len(up), ", ".join(up))
        ctx.set(target=ip, alive=up)

    return Cr(IMAGE, schema="szczecin/nmap_python.alive@1.0", host=True, entry=entry())


@annot.meta(
    desc="SYN scan target host open ports, host names and operating systems",
    params=[
        annot.Param("ip", "target ip or ip segment for scanning", holder="192.168.1.1/24", kind="target"),
        annot.Param("ports", "ports to scan (nmap -p syntax); empty: nmap's top 1000", holder="22,80,443"),
    ],
    cats={Attck: [Attck.Reconnaissance, Attck.Discovery], BlackArch: [BlackArch.Scanner, BlackArch.Fingerprint]},
    tags=["nmap", "port", "os"],
)
def port_os(ip: str, ports: str = "") -> Cr:
    """
    TCP SYN scan with service and OS detection: open ports, host names and operating systems.
    ```
    await nmap.port_os("127.0.0.1")
    ```
    """
    @levrt.remote
    def entry():
        args = ["-sS", "-O", "-n", "--osscan-guess", "-oX", "-"]
        if ports:
            args += ["-p", ports]
        out = run_nmap([*args, ip])
        if out.returncode != 0:
            raise RuntimeError(f"nmap exited with {out.returncode}: {out.stderr.strip()}")
        hosts = parse_xml(out.stdout)
        for h in hosts:
            log.info("%s: %d port(s) listed", h["ip"], len(h["ports"]))
        ctx.set(target=ip, hosts=hosts)

    return Cr(IMAGE, schema="szczecin/nmap_python.port_os@1.0", host=True, entry=entry())


__lev__ = annot.meta(
    [raw, alive, port_os],
    desc="nmap",
    cats={Attck: [Attck.Reconnaissance], BlackArch: [BlackArch.Scanner]},
    # a scan is the same scan when its target is; a host by its address, a port by number and
    # protocol: comparing two runs then shows "8080/tcp opened on 127.0.0.1" as one change. OS
    # guesses shift between scans of an unchanged host, so comparisons leave them out
    keys=[
        annot.Keys("port_os@1.0", ["target", "hosts[].ip", "hosts[].ports[].port", "hosts[].ports[].protocol"], ignore=["hosts[].os"]),
        annot.Keys("alive@1.0", ["target"]),
    ],
    # the hub's asset inventory: each scanned host by address, each port nmap saw open as a service
    # (closed and filtered ports are no service). port_os runs no version detection (-sV): the
    # service names come from nmap's table of well-known ports, so a finding says so.
    assets=[
        annot.Assets(
            "port_os@1.0",
            hosts="hosts[]", address="hosts[].ip", names="hosts[].hostnames",
            services="hosts[].ports[]", port="hosts[].ports[].port", protocol="hosts[].ports[].protocol",
            state="hosts[].ports[].state", service="hosts[].ports[].service",
            product="hosts[].ports[].product", version="hosts[].ports[].version",
        ),
        annot.Assets("alive@1.0", hosts="alive[]", address="alive[]"),
    ],
    # Findings a tester reports from a port scan alone: services that are a risk by being
    # reachable at all. An open port as such is inventory, not a finding.
    findings=[
        annot.Findings(
            "port_os@1.0", each="hosts[].ports[]",
            where={"hosts[].ports[].state": "open", "hosts[].ports[].service": CLEARTEXT_REMOTE_ACCESS},
            key="cleartext-remote-access", severity="medium", asset="service", evidence="hosts[].ports[]",
            title="Cleartext remote access service reachable: {hosts[].ports[].service} on {hosts[].ports[].port}/{hosts[].ports[].protocol} (named by port number)",
        ),
        annot.Findings(
            "port_os@1.0", each="hosts[].ports[]",
            where={"hosts[].ports[].state": "open", "hosts[].ports[].service": DATA_STORES},
            key="reachable-data-store", severity="low", asset="service", evidence="hosts[].ports[]",
            title="Database or cache reachable over the network: {hosts[].ports[].service} on {hosts[].ports[].port}/{hosts[].ports[].protocol} (named by port number)",
        ),
        annot.Findings(
            "port_os@1.0", each="hosts[].ports[]",
            where={"hosts[].ports[].state": "open", "hosts[].ports[].service": "docker"},
            key="docker-api-without-tls", severity="high", asset="service", evidence="hosts[].ports[]",
            title="Docker Engine API port without TLS reachable: {hosts[].ports[].port}/{hosts[].ports[].protocol} (named by port number)",
        ),
    ],
)
