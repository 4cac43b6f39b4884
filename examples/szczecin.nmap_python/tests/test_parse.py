"""The tool's pure logic, tested without containers: `python3 -m pytest examples`."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), os.path.join(HERE, "..", "..", "..", "runner", "python")]

from lev.szczecin.nmap_python.nmap import parse_xml  # noqa: E402

XML = """<?xml version="1.0"?>
<nmaprun>
  <host><status state="up"/><address addr="127.0.0.1" addrtype="ipv4"/>
    <hostnames><hostname name="localhost" type="PTR"/></hostnames>
    <ports>
      <port protocol="tcp" portid="22"><state state="open"/><service name="ssh" product="OpenSSH" version="9.2"/></port>
      <port protocol="tcp" portid="80"><state state="closed"/></port>
    </ports>
    <os><osmatch name="Linux 5.X" accuracy="96"/></os>
  </host>
  <host><status state="down"/><address addr="127.0.0.2" addrtype="ipv4"/></host>
</nmaprun>"""


def test_parse_xml_reads_hosts_ports_and_os():
    up, down = parse_xml(XML)
    assert up == {
        "ip": "127.0.0.1",
        "hostnames": ["localhost"],
        "status": "up",
        "ports": [
            {"port": 22, "protocol": "tcp", "state": "open", "service": "ssh", "product": "OpenSSH", "version": "9.2"},
            {"port": 80, "protocol": "tcp", "state": "closed", "service": None, "product": None, "version": None},
        ],
        "os": [{"name": "Linux 5.X", "accuracy": 96}],
    }
    assert down["status"] == "down" and down["ports"] == []


def test_parse_xml_of_nothing():
    assert parse_xml("") == []
