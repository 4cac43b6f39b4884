"""The nmap XML parser: what it reads, and the XML it refuses before expanding anything."""
import io

import pytest

from lev.levhub.importers.limits import ImportRefused
from lev.levhub.importers.nmap import parse_nmap_xml, script_severity

XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>
<nmaprun scanner="nmap" args="nmap -sV -oX - 127.0.0.1" start="1700000000" version="7.93">
  <prescript><script id="broadcast-x" output="ignored"/></prescript>
  <host><status state="up" reason="localhost-response"/>
    <address addr="127.0.0.1" addrtype="ipv4"/><address addr="00:11:22:33:44:55" addrtype="mac"/>
    <hostnames><hostname name="localhost" type="user"/><hostname name="localhost" type="PTR"/></hostnames>
    <ports><extraports state="closed" count="997"/>
      <port protocol="tcp" portid="22"><state state="open"/><service name="ssh" product="OpenSSH" version="9.2p1"/>
        <script id="vulners" output="cpe:/a:openbsd:openssh:9.2p1 CVE-2023-38408 9.8"><table key="x"><elem key="id">CVE-2023-38408</elem></table></script>
      </port>
      <port protocol="tcp" portid="443"><state state="open"/><service name="https"/>
        <script id="ssl-enum-ciphers" output="TLSv1.2: ciphers"/>
        <script id="http-title" output="Welcome"/>
      </port>
      <port protocol="udp" portid="53"><state state="open|filtered"/><service name="domain"/></port>
    </ports>
    <hostscript><script id="smb-vuln-ms17-010" output="State: VULNERABLE"/><script id="smb-vuln-ms10-054" output="NOT VULNERABLE"/></hostscript>
  </host>
  <host><status state="down"/><address addr="127.0.0.2" addrtype="ipv4"/></host>
  <host><status state="up"/><address addr="::1" addrtype="ipv6"/></host>
</nmaprun>"""


def parse(data: bytes, **kw):
    return parse_nmap_xml(io.BytesIO(data), **kw)


def test_hosts_ports_services_and_scripts():
    doc = parse(XML)
    assert doc["scanner"] == "nmap" and doc["args"] == "nmap -sV -oX - 127.0.0.1"
    assert [h["ip"] for h in doc["hosts"]] == ["127.0.0.1", "::1"]
    h = doc["hosts"][0]
    assert h["hostnames"] == ["localhost"] and h["status"] == "up"
    assert [(p["port"], p["protocol"], p["state"], p["service"], p["product"], p["version"]) for p in h["ports"]] == [
        (22, "tcp", "open", "ssh", "OpenSSH", "9.2p1"),
        (443, "tcp", "open", "https", None, None),
        (53, "udp", "open|filtered", "domain", None, None),
    ]
    assert h["ports"][0]["scripts"] == [{"id": "vulners", "output": "cpe:/a:openbsd:openssh:9.2p1 CVE-2023-38408 9.8", "finding": True, "severity": "low"}]
    assert [(s["id"], s["finding"], s["severity"]) for s in h["ports"][1]["scripts"]] == [("ssl-enum-ciphers", True, "info"), ("http-title", False, "info")]
    assert [(s["id"], s["finding"], s["severity"]) for s in h["scripts"]] == [("smb-vuln-ms17-010", True, "medium"), ("smb-vuln-ms10-054", False, "info")]
    assert doc["counts"] == {"hosts": 2, "down": 1, "ports": 3, "findings": 3}


def test_script_severities_are_modest():
    assert script_severity("vulners", "") == "low"
    assert script_severity("ssl-cert", "") == "info"
    assert script_severity("tls-alpn", "") == "info"
    assert script_severity("http-vuln-cve2017-5638", "State: VULNERABLE") == "medium"
    assert script_severity("http-vuln-cve2017-5638", "State: NOT VULNERABLE") is None
    assert script_severity("http-title", "VULNERABLE") is None


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<nmaprun><host><status state="up"/><address addr="127.0.0.1" addrtype="ipv4"/><hostnames><hostname name="&lol3;"/></hostnames></host></nmaprun>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE nmaprun [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<nmaprun><host><status state="up"/><address addr="127.0.0.1" addrtype="ipv4"/><hostnames><hostname name="&xxe;"/></hostnames></host></nmaprun>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE nmaprun SYSTEM "http://127.0.0.1:9/evil.dtd">
<nmaprun/>"""


@pytest.mark.parametrize("data", [LAUGHS, XXE, EXTERNAL_DTD], ids=["billion-laughs", "xxe", "external-dtd"])
def test_entities_and_dtds_are_refused_before_anything_is_expanded(data):
    with pytest.raises(ImportRefused, match="refused"):
        parse(data)


def test_an_undeclared_entity_is_not_well_formed():
    with pytest.raises(ImportRefused, match="not well-formed XML"):
        parse(b'<nmaprun><host><hostnames><hostname name="&xxe;"/></hostnames></host></nmaprun>')


@pytest.mark.parametrize("data,message", [
    (b"", "empty"),
    (b"<html><body/></html>", "root element is <html>"),
    (b"<nmaprun><host>", "not well-formed"),
    (b"\x00\x01binary", "not well-formed"),
])
def test_what_is_not_an_nmap_report_is_refused(data, message):
    with pytest.raises(ImportRefused, match=message):
        parse(data)


def test_an_oversize_report_is_refused_naming_the_cap():
    with pytest.raises(ImportRefused, match="limit of 1024 bytes"):
        parse(b"<nmaprun>" + b" " * 2000 + b"</nmaprun>", cap=1024)


def test_too_many_hosts_are_refused_naming_the_cap(monkeypatch):
    monkeypatch.setitem(parse_nmap_xml.__globals__, "MAX_HOSTS", 2)
    host = b'<host><status state="up"/><address addr="127.0.0.%d" addrtype="ipv4"/></host>'
    with pytest.raises(ImportRefused, match="more than 2 hosts"):
        parse(b"<nmaprun>" + b"".join(host % i for i in range(1, 4)) + b"</nmaprun>")


def test_texts_are_cut():
    doc = parse(b'<nmaprun><host><status state="up"/><address addr="127.0.0.1" addrtype="ipv4"/><ports><port protocol="tcp" portid="80"><state state="open"/><script id="ssl-cert" output="' + b"A" * 10000 + b'"/></port></ports></host></nmaprun>')
    assert len(doc["hosts"][0]["ports"][0]["scripts"][0]["output"]) == 2000
