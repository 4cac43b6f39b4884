import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { HubConfig } from "./hub.ts";
import { importCommand, ImportUsageError } from "./imports.ts";

/** A stand-in hub on 127.0.0.1: records each request (multipart bodies as text) and answers from `reply`. */
const seen: { method: string; url: string; body: string }[] = [];
let reply: (url: string) => [number, unknown] = () => [404, {}];
let cfg: HubConfig;
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  let text = "";
  req.on("data", (c: Buffer) => (text += c.toString()));
  req.on("end", () => {
    seen.push({ method: req.method!, url: req.url!, body: text });
    const [status, data] = reply(req.url!);
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(data));
  });
});
before(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cfg = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: "lev_test" };
});
after(() => server.close());

const report = () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "lev-import-")), "scan.xml");
  writeFileSync(file, "<nmaprun/>");
  return file;
};

test("lev import uploads the report to the project, then imports it by its id in the chosen format", async () => {
  seen.length = 0;
  reply = (url) => (url === "/api/files" ? [201, { id: "f".repeat(20), name: "scan.xml", size: 10 }] : [201, { id: "run1", number: 7, status: "queued" }]);
  const lines: unknown[] = [];
  assert.equal(await importCommand(["pentest", report(), "--format", "nmap"], (v) => lines.push(v), cfg), 0);
  assert.deepEqual(seen.map((r) => [r.method, r.url]), [["POST", "/api/files"], ["POST", "/api/projects/pentest/imports"]]);
  assert.match(seen[0].body, /name="project"\r\n\r\npentest\r\n/);
  assert.match(seen[0].body, /<nmaprun\/>/);
  assert.deepEqual(JSON.parse(seen[1].body), { format: "nmap", file: "f".repeat(20) });
  assert.match(String(lines[0]), /importing scan\.xml into pentest: run #7 \(run1\), queued/);
});

test("the hub's refusal is the command's error; a missing format or file is a usage error", async () => {
  reply = (url) => (url === "/api/files" ? [201, { id: "f".repeat(20), name: "scan.xml", size: 10 }] : [422, { error: { code: "validation", message: "invalid input", fieldErrors: { format: "a format is one of nmap, nuclei, sarif" } } }]);
  await assert.rejects(importCommand(["pentest", report(), "--format", "zap"], () => undefined, cfg), /format/);
  await assert.rejects(importCommand(["pentest", report()], () => undefined, cfg), ImportUsageError);
  await assert.rejects(importCommand(["pentest"], () => undefined, cfg), ImportUsageError);
  await assert.rejects(importCommand(["pentest", "/no/such/report.xml", "--format", "nmap"], () => undefined, cfg), /no such file/);
});
