"""SARIF 2.1.0 (static analysers, some web scanners) → one document of findings.

`runs[].results[]`: the rule (`ruleId`, else `rule.id`), the severity (`properties.security-severity`
of the result or its rule, as CVSS bands; else the level — of the result, else the rule's
`defaultConfiguration` — error → high, warning → medium, note → low, none → info), the message and
the first location (artifact URI and start line).

The hub's assets are hosts, services and web origins; a code location is none of them. A result
whose location is an http(s) URL is a finding on that web origin (`origins[].findings[]`); every
other result is a finding of the project (`results[]`, no asset), keyed by its rule and location,
so the same result in the next analysis of the same code is the same finding.
"""
from __future__ import annotations

import json
from typing import Any, BinaryIO, Optional

from .limits import MAX_FINDINGS, MAX_REPORT_BYTES, MAX_TEXT, MAX_TITLE, ImportRefused, chunks, over, text
from .nuclei import _origin

LEVELS = {"error": "high", "warning": "medium", "note": "low", "none": "info"}
MAX_RUNS = 100


def cvss_severity(score: Any) -> Optional[str]:
    """A `security-severity` (a CVSS score, 0 to 10, as text or number) → the closed set; None if it is none."""
    try:
        s = float(score)
    except (TypeError, ValueError):
        return None
    if not 0 <= s <= 10:
        return None
    return "critical" if s >= 9 else "high" if s >= 7 else "medium" if s >= 4 else "low" if s > 0 else "info"


def _dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def location_of(result: dict[str, Any]) -> tuple[Optional[str], Optional[int]]:
    loc = next(iter(_list(result.get("locations"))), None)
    phys = _dict(_dict(loc).get("physicalLocation"))
    uri = _dict(phys.get("artifactLocation")).get("uri")
    line = _dict(phys.get("region")).get("startLine")
    return (text(uri, 400) if isinstance(uri, str) and uri else None, line if isinstance(line, int) and not isinstance(line, bool) and line > 0 else None)


def parse_sarif(stream: BinaryIO, cap: int = MAX_REPORT_BYTES) -> dict[str, Any]:
    """The document of a SARIF 2.1.0 log: `{tools, results: [...], origins: [{url, findings}], counts}`."""
    data = b"".join(chunks(stream, cap))
    try:
        log = json.loads(data)
    except RecursionError:
        raise ImportRefused("not a SARIF log: JSON nested too deeply") from None
    except ValueError as e:
        raise ImportRefused(f"not a SARIF log: not JSON ({text(str(e), 200)})") from None
    if not isinstance(log, dict) or not isinstance(log.get("runs"), list):
        raise ImportRefused("not a SARIF log: no 'runs' list")
    version = log.get("version")
    if version != "2.1.0":
        raise ImportRefused(f"not a SARIF 2.1.0 log: version is {text(repr(version), 40)}")
    runs = log["runs"]
    if len(runs) > MAX_RUNS:
        raise over("runs", MAX_RUNS)
    tools: list[str] = []
    results: list[dict[str, Any]] = []
    origins: dict[str, dict[str, Any]] = {}
    count = 0
    for run in runs:
        driver = _dict(_dict(_dict(run).get("tool")).get("driver"))
        tool = text(driver.get("name"), 100) if isinstance(driver.get("name"), str) else "sarif"
        if tool not in tools:
            tools.append(tool)
        rules = {r["id"]: r for r in _list(driver.get("rules")) if isinstance(r, dict) and isinstance(r.get("id"), str)}
        for res in _list(_dict(run).get("results")):
            if not isinstance(res, dict):
                continue
            count += 1
            if count > MAX_FINDINGS:
                raise over("results", MAX_FINDINGS)
            rule_id = res.get("ruleId") if isinstance(res.get("ruleId"), str) else _dict(res.get("rule")).get("id")
            rule_id = text(rule_id, 200) if isinstance(rule_id, str) and rule_id else "unnamed-rule"
            rule = _dict(rules.get(rule_id))
            level = res.get("level") or _dict(rule.get("defaultConfiguration")).get("level") or "warning"
            level = level if isinstance(level, str) else "warning"
            severity = cvss_severity(_dict(res.get("properties")).get("security-severity")) or cvss_severity(_dict(rule.get("properties")).get("security-severity")) or LEVELS.get(level, "medium")
            message = _dict(res.get("message")).get("text")
            message = message if isinstance(message, str) and message.strip() else None
            rule_text = _dict(rule.get("shortDescription")).get("text")
            rule_text = rule_text if isinstance(rule_text, str) and rule_text.strip() else None
            uri, line = location_of(res)
            where = (uri or "") + (f":{line}" if uri and line else "")
            item = {
                "key": text(f"{rule_id}@{where}" if where else rule_id, 480),
                "rule": rule_id,
                "tool": tool,
                "severity": severity,
                "level": text(level, 20),
                "title": text(f"{rule_text or message or rule_id}" + (f" ({where})" if where else ""), MAX_TITLE),
                "message": text(message, MAX_TEXT),
                "uri": uri,
                "line": line,
            }
            origin = _origin(uri)
            if origin is not None:
                origins.setdefault(origin, {"url": origin, "findings": []})["findings"].append(item)
            else:
                results.append(item)
    return {"tools": tools, "results": results, "origins": list(origins.values()), "counts": {"runs": len(runs), "results": count}}
