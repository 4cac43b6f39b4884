"""The nuclei JSONL parser: results placed on their assets, malformed lines counted, caps."""
import io
import json

import pytest

from lev.levhub.importers.limits import ImportRefused
from lev.levhub.importers.nuclei import parse_nuclei_jsonl


def line(**kw) -> bytes:
    return json.dumps(kw).encode() + b"\n"


SERVICE = line(**{"template-id": "tech-detect", "matcher-name": "nginx", "info": {"name": "Wappalyzer Technology Detection", "severity": "info"}, "type": "http", "host": "http://127.0.0.1:8080", "matched-at": "http://127.0.0.1:8080/", "ip": "127.0.0.1", "port": "8080"})
CVE = line(**{"template-id": "CVE-2021-44228", "info": {"name": "Log4Shell", "severity": "critical"}, "type": "http", "host": "http://127.0.0.1:8080", "matched-at": "http://127.0.0.1:8080/api", "ip": "127.0.0.1", "port": "8080"})
HOST = line(**{"template-id": "ssh-weak-algo", "info": {"name": "Weak SSH algorithms", "severity": "low"}, "type": "network", "host": "127.0.0.1", "ip": "127.0.0.1"})
ORIGIN = line(**{"template-id": "exposed-git", "info": {"name": "Exposed .git", "severity": "medium"}, "type": "http", "host": "https://app.test", "matched-at": "https://app.test/.git/config"})
DNS = line(**{"template-id": "dns-caa", "info": {"name": "CAA record", "severity": "unknown"}, "type": "dns", "host": "app.test", "matched-at": "app.test"})


def parse(data: bytes, **kw):
    return parse_nuclei_jsonl(io.BytesIO(data), **kw)


def test_results_go_to_services_hosts_origins_or_the_project():
    doc = parse(SERVICE + CVE + b"\n" + HOST + ORIGIN + DNS)
    assert doc["counts"] == {"lines": 5, "results": 5, "malformed": 0}
    [h] = doc["hosts"]
    assert h["ip"] == "127.0.0.1"
    [svc] = h["ports"]
    assert (svc["port"], svc["protocol"], svc["state"], svc["service"]) == (8080, "tcp", "open", "http")
    assert [(f["key"], f["severity"], f["name"]) for f in svc["findings"]] == [
        ("tech-detect:nginx http://127.0.0.1:8080/", "info", "Wappalyzer Technology Detection"),
        ("CVE-2021-44228 http://127.0.0.1:8080/api", "critical", "Log4Shell"),
    ]
    assert [f["template"] for f in h["findings"]] == ["ssh-weak-algo"]
    assert [(o["url"], [f["severity"] for f in o["findings"]]) for o in doc["origins"]] == [("https://app.test", ["medium"])]
    assert [(f["template"], f["severity"]) for f in doc["other"]] == [("dns-caa", "info")]


def test_malformed_lines_are_counted_and_named_not_fatal():
    doc = parse(b"{not json\n" + CVE + b"[1,2]\n" + line(foo=1) + b"x" * 3000 + b"\n" + HOST, line_cap=1000)
    assert doc["counts"] == {"lines": 6, "results": 2, "malformed": 4}
    assert doc["malformed"] == [
        {"line": 1, "problem": "not JSON"},
        {"line": 3, "problem": "not a JSON object"},
        {"line": 4, "problem": "no template-id: not a nuclei result"},
        {"line": 5, "problem": "longer than 1000 bytes"},
    ]


def test_a_file_with_no_result_at_all_is_refused():
    with pytest.raises(ImportRefused, match=r"none of its 2 line\(s\) is a nuclei result \(line 1: not JSON\)"):
        parse(b"<html>\n{}\n")


def test_an_empty_report_is_an_empty_import():
    assert parse(b"")["counts"] == {"lines": 0, "results": 0, "malformed": 0}


def test_an_oversize_report_is_refused_naming_the_cap():
    with pytest.raises(ImportRefused, match="limit of 1000 bytes"):
        parse(CVE * 10, cap=1000)


def test_too_many_results_are_refused(monkeypatch):
    monkeypatch.setitem(parse_nuclei_jsonl.__globals__, "MAX_FINDINGS", 3)
    with pytest.raises(ImportRefused, match="more than 3 results"):
        parse(CVE * 4)


def test_unknown_severities_and_bad_ports_are_tamed():
    doc = parse(line(**{"template-id": "x", "info": {"severity": "BOGUS"}, "ip": "127.0.0.1", "port": "99999"}))
    [h] = doc["hosts"]
    assert h["ports"] == [] and h["findings"][0]["severity"] == "info" and h["findings"][0]["name"] == "x"
