"""annot.Assets and annot.Findings: checked when written, recorded by introspection like keys."""
import re

import pytest

from conftest import HELLO, NMAP
from levrt import annot
from levrt.annot._mapping import template_paths
from levrt.introspect import manifest
from test_introspect import problems, write_pkg


@pytest.fixture(autouse=True)
def clean(on_path):
    yield


NMAP_ASSETS = dict(
    hosts="hosts[]", address="hosts[].ip", names="hosts[].hostnames", services="hosts[].ports[]",
    port="hosts[].ports[].port", protocol="hosts[].ports[].protocol", state="hosts[].ports[].state",
)


def test_assets_and_findings_are_exported_and_taken_by_meta():
    a = annot.Assets("port_os@1.0", **NMAP_ASSETS)
    f = annot.Findings("port_os@1.0", each="hosts[].ports[]", key="k", title="t", severity="info", asset="service")
    assert {"Assets", "Findings", "SEVERITIES"} <= set(annot.__all__)
    assert annot.SEVERITIES == ("info", "low", "medium", "high", "critical")
    m = annot.meta([], assets=[a], findings=[f])
    assert (m.assets, m.findings) == ([a], [f])
    assert (annot.meta([]).assets, annot.meta([]).findings) == ([], [])
    assert a.manifest("x/y.port_os@1.0") == {"schema": "x/y.port_os@1.0", **NMAP_ASSETS}
    assert f.manifest("x/y.port_os@1.0") == {"schema": "x/y.port_os@1.0", "key": "k", "title": "t", "severity": "info", "each": "hosts[].ports[]", "asset": "service"}


def test_shapes_beyond_nmap_are_expressible():
    # nuclei's JSONL: one finding per document, on the web origin it matched
    annot.Assets("nuclei@1.0", address="ip", port="port", origins="matched-at")
    nuclei = annot.Findings(
        "nuclei@1.0", key="{template-id}:{matcher-name}", title="{info.name}", severity="{info.severity}",
        severities={"unknown": "info"}, asset="origin", evidence="matched-at",
    )
    assert nuclei.severities == {"unknown": "info"}
    # SARIF: results of runs, rated by level, about the analysed repository
    annot.Assets("sarif@2.1", origins="runs[].versionControlProvenance[].repositoryUri")
    sarif = annot.Findings(
        "sarif@2.1", each="runs[].results[]", key="{runs[].results[].ruleId}:{runs[].results[].locations[].physicalLocation.artifactLocation.uri}",
        title="{runs[].results[].message.text}", severity="{runs[].results[].level}",
        severities={"error": "high", "Warning": "medium", "note": "low", "none": "info"}, asset="origin",
    )
    assert sarif.severities["warning"] == "medium", "the tool's words are matched without case"
    # a list of bare addresses
    assert annot.Assets("alive@1.0", hosts="alive[]", address="alive[]").address == "alive[]"


@pytest.mark.parametrize("kwargs, message", [
    ({}, "map hosts (address=…) or web origins (origins=…)"),
    ({"hosts": "hosts[]", "origins": "url"}, "need the host's address"),
    ({"hosts": "hosts", "address": "hosts.ip"}, "'hosts' is not a list path"),
    ({"address": "hosts[]"}, "'hosts[]' is not a field path"),
    ({"hosts": "hosts[]", "address": "ip"}, "address 'ip' must lie in each host (hosts[].…)"),
    ({"hosts": "hosts[]", "address": "hosts[].ip", "names": "names"}, "names 'names' must lie in each host"),
    ({"hosts": "hosts[]", "address": "hosts[].ip", "services": "ports[]", "port": "ports[].port"}, "services 'ports[]' must be a list in each host"),
    ({"hosts": "hosts[]", "address": "hosts[].ip", "services": "hosts[].ports[]"}, "services need their port"),
    ({"address": "ip", "state": "state"}, "state describe services: give their port"),
    ({"hosts": "hosts[]", "address": "hosts[].ip", "services": "hosts[].ports[]", "port": "hosts[].port"}, "port 'hosts[].port' must lie in each service (hosts[].ports[].…)"),
    ({"address": "a..b"}, "is not a field path"),
    ({"address": "a b"}, "is not a field path"),
    ({"origins": "{x}"}, "is not a field path"),
])
def test_bad_asset_mappings_are_refused_when_written(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        annot.Assets("scan@1.0", **kwargs)


def test_bad_schemas_are_refused():
    for bad in ["", "a|b", "a$b", 3]:
        with pytest.raises(ValueError, match="schema must look like"):
            annot.Assets(bad, address="ip")
        with pytest.raises(ValueError, match="schema must look like"):
            annot.Findings(bad, key="k", title="t", severity="info")


@pytest.mark.parametrize("kwargs, error, message", [
    ({"key": ""}, ValueError, "key: one line of text"),
    ({"title": "two\nlines"}, ValueError, "title: one line"),
    ({"title": "x" * 301}, ValueError, "at most 300 characters"),
    ({"key": "{a b}"}, ValueError, "{a b} is not a field path"),
    ({"key": "a { b"}, ValueError, "a lone '{'"),
    ({"key": "{hosts[]}"}, ValueError, "is not a field path"),
    ({"severity": "urgent"}, ValueError, "'urgent' is none of info, low, medium, high, critical"),
    ({"severities": {"error": "severe"}}, ValueError, "one of info, low, medium, high, critical"),
    ({"severities": ["high"]}, TypeError, "severities: a dict"),
    ({"each": "hosts"}, ValueError, "'hosts' is not a list path"),
    ({"where": {"state": {"$ne": 1}}}, ValueError, "a value or a list of 1 to 100 values"),
    ({"where": {"state": []}}, ValueError, "a value or a list"),
    ({"where": {"a[]": 1}}, ValueError, "is not a field path"),
    ({"where": {f"f{i}": 1 for i in range(17)}}, TypeError, "at most 16 conditions"),
    ({"where": "state=open"}, TypeError, "a dict of at most 16 conditions"),
    ({"asset": "network"}, ValueError, "asset: one of host, service, origin"),
    ({"evidence": "a..b"}, ValueError, "evidence: 'a..b' is not a path"),
])
def test_bad_finding_mappings_are_refused_when_written(kwargs, error, message):
    args = {"key": "k", "title": "t", "severity": "info", **kwargs}
    with pytest.raises(error, match=re.escape(message)):
        annot.Findings("scan@1.0", **args)


def test_a_constant_severity_may_be_a_tools_word_it_translates():
    f = annot.Findings("scan@1.0", key="k", title="t", severity="Error", severities={"error": "high"})
    assert f.severity == "Error"


def test_templates_name_their_paths_and_braces_escape():
    assert template_paths("{a}-{b[].c} {{literal}}") == ["a", "b[].c"]
    assert template_paths("constant") == []


def test_meta_refuses_other_objects():
    with pytest.raises(TypeError, match="annot.Assets"):
        annot.meta([], assets=[annot.Keys("x", ["a"])])
    with pytest.raises(TypeError, match="list of annot.Findings"):
        annot.meta([], findings=annot.Findings("x", key="k", title="t", severity="info"))


def test_the_nmap_example_declares_assets_and_findings():
    m = manifest(NMAP)
    assert problems(m) == [] and problems(m, "warning") == []
    schema = "szczecin/nmap_python.port_os@1.0"
    assert m["assets"] == [
        {"schema": schema, **NMAP_ASSETS, "service": "hosts[].ports[].service", "product": "hosts[].ports[].product", "version": "hosts[].ports[].version"},
        {"schema": "szczecin/nmap_python.alive@1.0", "hosts": "alive[]", "address": "alive[]"},
    ]
    assert [(f["key"], f["severity"], f["asset"]) for f in m["findings"]] == [
        ("cleartext-remote-access", "medium", "service"),
        ("reachable-data-store", "low", "service"),
        ("docker-api-without-tls", "high", "service"),
    ]
    assert all(f["schema"] == schema and f["each"] == "hosts[].ports[]" and f["where"][0] == {"path": "hosts[].ports[].state", "in": ["open"]} for f in m["findings"])
    assert {"path": "hosts[].ports[].service", "in": ["ftp", "telnet", "exec", "login", "shell"]} in m["findings"][0]["where"]


def test_packages_without_mappings_record_empty_lists():
    m = manifest(HELLO)
    assert problems(m) == [] and (m["assets"], m["findings"]) == ([], [])


def test_mappings_declared_twice_must_agree_and_findings_need_the_asset_they_name(tmp_path):
    root = write_pkg(tmp_path / "pkg", {
        "__init__.py": """
            from levrt import annot
            A = annot.Assets("scan@1.0", hosts="hosts[]", address="hosts[].ip")
            @annot.meta(assets=[A], findings=[annot.Findings("scan@1.0", each="hosts[]", key="k", title="t", severity="low", asset="host")])
            async def one():
                pass
            @annot.meta(
                assets=[A, annot.Assets("alice/demo.other@1.0", address="ip"), annot.Assets("other@1.0", address="addr")],
                findings=[
                    annot.Findings("alice/demo.scan@1.0", each="hosts[]", key="k", title="t", severity="low", asset="host"),
                    annot.Findings("scan@1.0", each="hosts[]", key="k", title="another", severity="low"),
                    annot.Findings("scan@1.0", each="hosts[]", key="svc", title="t", severity="low", asset="service"),
                    annot.Findings("nomap@1.0", key="k", title="t", severity="low", asset="origin"),
                ],
            )
            async def two():
                pass
            __lev__ = annot.meta([one, two])
        """,
    })
    m = manifest(root)
    assert problems(m) == [
        "the asset mapping of alice/demo.other@1.0 is declared twice, differently: {'schema': 'alice/demo.other@1.0', 'address': 'ip'} and {'schema': 'alice/demo.other@1.0', 'address': 'addr'}",
        "the finding mapping of alice/demo.scan@1.0 with key 'k' is declared twice, differently",
        "the finding mapping 'svc' of alice/demo.scan@1.0 asks for the service, but the schema's Assets maps no services",
    ]
    assert [a["schema"] for a in m["assets"]] == ["alice/demo.scan@1.0", "alice/demo.other@1.0"]
    # a schema whose Assets another package declares is not checked here: the hub maps what it can
    assert [(f["schema"], f["key"]) for f in m["findings"]] == [("alice/demo.scan@1.0", "k"), ("alice/demo.scan@1.0", "svc"), ("alice/demo.nomap@1.0", "k")]
