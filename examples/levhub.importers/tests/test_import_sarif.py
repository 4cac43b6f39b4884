"""The SARIF 2.1.0 parser: rules, severities, locations, and what it refuses."""
import io
import json

import pytest

from lev.levhub.importers.limits import ImportRefused
from lev.levhub.importers.sarif import cvss_severity, parse_sarif


def sarif(results, rules=(), version="2.1.0"):
    return json.dumps({"version": version, "runs": [{"tool": {"driver": {"name": "semgrep", "rules": list(rules)}}, "results": results}]}).encode()


def loc(uri, line=None):
    region = {"region": {"startLine": line}} if line else {}
    return {"locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, **region}}]}


def parse(data: bytes, **kw):
    return parse_sarif(io.BytesIO(data), **kw)


def test_results_with_rules_severities_and_locations():
    doc = parse(sarif(
        [
            {"ruleId": "sql-injection", "message": {"text": "user input in a query"}, **loc("src/db.py", 42)},
            {"ruleId": "weak-hash", "level": "note", "message": {"text": "md5"}, **loc("src/auth.py")},
            {"ruleId": "xss", "level": "error", "message": {"text": "reflected"}, **loc("https://app.test:8443/search?q=1")},
        ],
        rules=[{"id": "sql-injection", "shortDescription": {"text": "SQL injection"}, "properties": {"security-severity": "9.8"}}],
    ))
    assert doc["tools"] == ["semgrep"] and doc["counts"] == {"runs": 1, "results": 3}
    assert [(r["key"], r["severity"], r["title"]) for r in doc["results"]] == [
        ("sql-injection@src/db.py:42", "critical", "SQL injection (src/db.py:42)"),
        ("weak-hash@src/auth.py", "low", "md5 (src/auth.py)"),
    ]
    [o] = doc["origins"]
    assert o["url"] == "https://app.test:8443" and [(f["rule"], f["severity"]) for f in o["findings"]] == [("xss", "high")]


def test_a_result_without_locations_is_keyed_by_its_rule():
    doc = parse(sarif([{"ruleId": "no-license", "message": {"text": "no licence file"}}, {"rule": {"id": "by-rule-object"}}]))
    assert [(r["key"], r["severity"], r["uri"], r["line"]) for r in doc["results"]] == [("no-license", "medium", None, None), ("by-rule-object", "medium", None, None)]


def test_cvss_bands():
    assert [cvss_severity(s) for s in ["9.0", 7, "4.0", 0.1, 0, "x", 11, None]] == ["critical", "high", "medium", "low", "info", None, None, None]


@pytest.mark.parametrize("data,message", [
    (b"{", "not JSON"),
    (b"[]", "no 'runs' list"),
    (sarif([], version="2.0.0"), "not a SARIF 2.1.0 log"),
    (b"[" * 100000 + b"]" * 100000, "nested too deeply|no 'runs' list"),
])
def test_what_is_not_sarif_is_refused(data, message):
    with pytest.raises(ImportRefused, match=message):
        parse(data)


def test_an_oversize_log_is_refused_naming_the_cap():
    with pytest.raises(ImportRefused, match="limit of 100 bytes"):
        parse(sarif([{"ruleId": "x"}] * 10), cap=100)


def test_too_many_results_are_refused(monkeypatch):
    monkeypatch.setitem(parse_sarif.__globals__, "MAX_FINDINGS", 2)
    with pytest.raises(ImportRefused, match="more than 2 results"):
        parse(sarif([{"ruleId": "x"}] * 3))
