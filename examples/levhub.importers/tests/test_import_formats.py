"""The importer modes as Crs: the stock Python image, offline, the report mounted read-only at
/in/report, each format's own schema; and each parse, run in-process on a report at that path."""
import pytest

from levrt import File
from lev.levhub.importers import formats
from lev.levhub.importers.limits import REPORT_PATH, ImportRefused

REF = "r" * 8 + "0123456789abcdef"


@pytest.mark.parametrize("mode,schema", [
    (formats.nmap_xml, "levhub/importers.nmap@1.0"),
    (formats.nuclei_jsonl, "levhub/importers.nuclei@1.0"),
    (formats.sarif, "levhub/importers.sarif@1.0"),
])
def test_each_importer_is_an_offline_cr_of_the_stock_image_with_the_report_mounted(mode, schema):
    spec = mode(File(REF, "report", 10)).spec()
    assert spec["image"] == "levhub/python:bookworm"
    assert spec["schema"] == schema
    assert spec["offline"] is True and spec["host"] is False and spec["caps"] == []
    assert spec["files"] == {REPORT_PATH: {"$lev": "file", "id": REF}}


def test_an_import_without_a_report_is_refused():
    with pytest.raises(ImportRefused, match="no report was given"):
        formats.nmap_xml(None)


def test_the_entry_parses_the_mounted_report_and_stores_its_document(tmp_path, monkeypatch):
    stored = {}
    report = tmp_path / "report"
    report.write_bytes(b'<nmaprun><host><status state="up"/><address addr="127.0.0.1" addrtype="ipv4"/></host></nmaprun>')
    monkeypatch.setitem(formats._parse.__globals__, "REPORT_PATH", str(report))
    monkeypatch.setattr(formats.ctx, "update", lambda doc: stored.update(doc))
    formats._parse("nmap XML", formats.parse_nmap_xml)
    assert [h["ip"] for h in stored["hosts"]] == ["127.0.0.1"]
    monkeypatch.setitem(formats._parse.__globals__, "REPORT_PATH", str(tmp_path / "missing"))
    with pytest.raises(ImportRefused, match="no report was given"):
        formats._parse("nmap XML", formats.parse_nmap_xml)
