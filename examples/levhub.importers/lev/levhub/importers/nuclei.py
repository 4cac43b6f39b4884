"""nuclei's JSONL output (`-jsonl`) → one document of results placed on the assets they are about.

One JSON object per line. A line longer than the cap, not JSON, not an object or without a
`template-id` is malformed: counted and named (its line number and why, the first 20), not fatal
unless no line is a result. Severities map to the hub's closed set (nuclei's `unknown` → info).

Where a result goes (the finding's asset):
- `ip` and `port` given → that host's TCP service (`hosts[].ports[].findings[]`);
- else `ip` given → that host (`hosts[].findings[]`);
- else `host`/`matched-at` is an http(s) URL → its web origin (`origins[].findings[]`);
- else no asset: a finding of the project (`other[]`), e.g. a DNS template's domain.
A finding's key is its template (and matcher) and where it matched, so the same result seen in
another import is the same finding.
"""
from __future__ import annotations

import ipaddress
import json
from typing import Any, BinaryIO, Optional
from urllib.parse import urlsplit

from .limits import MAX_FINDINGS, MAX_LINE_BYTES, MAX_REPORT_BYTES, MAX_TEXT, MAX_TITLE, ImportRefused, over, text

SEVERITIES = ("info", "low", "medium", "high", "critical")
MAX_PROBLEMS = 20


def severity_of(value: Any) -> str:
    word = value.strip().lower() if isinstance(value, str) else ""
    return word if word in SEVERITIES else "info"


def _ip(value: Any) -> Optional[str]:
    try:
        return str(ipaddress.ip_address(value.strip())) if isinstance(value, str) else None
    except ValueError:
        return None


def _port(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 1 <= n <= 65535 else None


def _origin(*urls: Any) -> Optional[str]:
    """scheme://host[:port] of the first http(s) URL among them."""
    for u in urls:
        if not isinstance(u, str) or not u.lower().startswith(("http://", "https://")):
            continue
        try:
            parts = urlsplit(u.strip())
            port = parts.port
        except ValueError:
            continue
        if parts.hostname:
            host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
            return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port else "")
    return None


def result_of(obj: dict[str, Any]) -> dict[str, Any]:
    info = obj.get("info") if isinstance(obj.get("info"), dict) else {}
    template = text(obj["template-id"], 200)
    matcher = text(obj.get("matcher-name"), 100) if isinstance(obj.get("matcher-name"), str) else None
    matched = text(obj.get("matched-at") or obj.get("host"), 400)
    name = text(info.get("name") or template, MAX_TITLE)
    key = text(template + (f":{matcher}" if matcher else "") + (f" {matched}" if matched else ""), 480)
    return {
        "key": key,
        "template": template,
        "name": name,
        "severity": severity_of(info.get("severity")),
        "type": text(obj.get("type"), 40),
        "matcher": matcher,
        "host": text(obj.get("host"), 400),
        "matched": matched,
        "description": text(info.get("description"), MAX_TEXT),
        "extracted": [text(x, 400) for x in obj.get("extracted-results", [])[:20]] if isinstance(obj.get("extracted-results"), list) else [],
        "timestamp": text(obj.get("timestamp"), 60),
    }


def parse_nuclei_jsonl(stream: BinaryIO, cap: int = MAX_REPORT_BYTES, line_cap: int = MAX_LINE_BYTES) -> dict[str, Any]:
    """The document of a nuclei JSONL report: `{hosts: [{ip, ports: [{port, protocol, state,
    service, findings}], findings}], origins: [{url, findings}], other: [...], counts, malformed}`."""
    hosts: dict[str, dict[str, Any]] = {}
    origins: dict[str, dict[str, Any]] = {}
    other: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    number = lines = results = malformed = read = 0

    def bad(n: int, why: str) -> None:
        nonlocal malformed
        malformed += 1
        if len(problems) < MAX_PROBLEMS:
            problems.append({"line": n, "problem": why})

    while True:
        raw = stream.readline(line_cap + 1)
        if not raw:
            break
        read += len(raw)
        if read > cap:
            raise ImportRefused(f"the report is over the importer's limit of {cap} bytes ({cap // (1024 * 1024)} MiB)")
        number += 1
        if len(raw) > line_cap and not raw.endswith(b"\n"):
            # the rest of that line, read and dropped in bounded pieces
            while True:
                rest = stream.readline(line_cap)
                read += len(rest)
                if read > cap:
                    raise ImportRefused(f"the report is over the importer's limit of {cap} bytes ({cap // (1024 * 1024)} MiB)")
                if not rest or rest.endswith(b"\n"):
                    break
            lines += 1
            bad(number, f"longer than {line_cap} bytes")
            continue
        if not raw.strip():
            continue
        lines += 1
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError):
            bad(number, "not JSON")
            continue
        if not isinstance(obj, dict):
            bad(number, "not a JSON object")
            continue
        if not isinstance(obj.get("template-id"), str) or not obj["template-id"].strip():
            bad(number, "no template-id: not a nuclei result")
            continue
        results += 1
        if results > MAX_FINDINGS:
            raise over("results", MAX_FINDINGS)
        r = result_of(obj)
        ip, port = _ip(obj.get("ip")), _port(obj.get("port"))
        if ip is not None:
            host = hosts.setdefault(ip, {"ip": ip, "ports": [], "findings": []})
            if port is None:
                host["findings"].append(r)
                continue
            service = next((p for p in host["ports"] if p["port"] == port), None)
            if service is None:
                scheme = _origin(obj.get("matched-at"), obj.get("host"))
                service = {"port": port, "protocol": "tcp", "state": "open", "service": scheme.split(":", 1)[0] if scheme else None, "findings": []}
                host["ports"].append(service)
            service["findings"].append(r)
            continue
        origin = _origin(obj.get("host"), obj.get("matched-at"))
        if origin is not None:
            origins.setdefault(origin, {"url": origin, "findings": []})["findings"].append(r)
        else:
            other.append(r)
    if results == 0 and malformed > 0:
        first = problems[0]
        raise ImportRefused(f"not a nuclei JSONL report: none of its {malformed} line(s) is a nuclei result (line {first['line']}: {first['problem']})")
    return {
        "hosts": list(hosts.values()),
        "origins": list(origins.values()),
        "other": other,
        "counts": {"lines": lines, "results": results, "malformed": malformed},
        "malformed": problems,
    }
