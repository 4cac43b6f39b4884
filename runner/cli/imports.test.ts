import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { standInHub } from "../test/stand-in-hub.ts";
import { importCommand, ImportUsageError } from "./imports.ts";

const hub = standInHub();
const { seen, cfg } = hub;

const report = () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "lev-import-")), "scan.xml");
  writeFileSync(file, "<nmaprun/>");
  return file;
};

test("lev import uploads the report to the project, then imports it by its id in the chosen format", async () => {
  seen.length = 0;
  hub.reply = (_method, url) => (url === "/api/files" ? [201, { id: "f".repeat(20), name: "scan.xml", size: 10 }] : [201, { id: "run1", number: 7, status: "queued" }]);
  const lines: unknown[] = [];
  assert.equal(await importCommand(["pentest", report(), "--format", "nmap"], (v) => lines.push(v), cfg), 0);
  assert.deepEqual(seen.map((r) => [r.method, r.url]), [["POST", "/api/files"], ["POST", "/api/projects/pentest/imports"]]);
  assert.match(String(seen[0].body), /name="project"\r\n\r\npentest\r\n/);
  assert.match(String(seen[0].body), /<nmaprun\/>/);
  assert.deepEqual(seen[1].body, { format: "nmap", file: "f".repeat(20) });
  assert.match(String(lines[0]), /importing scan\.xml into pentest: run #7 \(run1\), queued/);
});

test("the hub's refusal is the command's error; a missing format or file is a usage error", async () => {
  hub.reply = (_method, url) => (url === "/api/files" ? [201, { id: "f".repeat(20), name: "scan.xml", size: 10 }] : [422, { error: { code: "validation", message: "invalid input", fieldErrors: { format: "a format is one of nmap, nuclei, sarif" } } }]);
  await assert.rejects(importCommand(["pentest", report(), "--format", "zap"], () => undefined, cfg), /format/);
  await assert.rejects(importCommand(["pentest", report()], () => undefined, cfg), ImportUsageError);
  await assert.rejects(importCommand(["pentest"], () => undefined, cfg), ImportUsageError);
  await assert.rejects(importCommand(["pentest", "/no/such/report.xml", "--format", "nmap"], () => undefined, cfg), /no such file/);
});
