import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { after, before, test } from "node:test";
import { evidenceCommand, reportCommand, reportPath, ReportUsageError } from "./report.ts";

let server: Server;
let url: string;
let dir: string;
const seen: string[] = [];

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "lev-report-"));
  server = createServer((req, res) => {
    seen.push(`${req.url} ${req.headers.authorization}`);
    if (req.url?.startsWith("/api/projects/missing/")) res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "not_found", message: "project missing not found" } }));
    else if (req.url?.startsWith("/api/runs/9/evidence")) {
      // a bundle that breaks off half way
      res.writeHead(200, { "content-type": "application/gzip" });
      res.write("partial", () => setTimeout(() => res.destroy(), 50));
    } else res.writeHead(200, { "content-type": "application/pdf" }).end(`%PDF- ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

test("reportPath: a slug is a project, a number (or --run) a run; format and since go in the query", () => {
  assert.equal(reportPath("acme-web", {}), "/api/projects/acme-web/report?format=pdf");
  assert.equal(reportPath("#12", { format: "md", since: "2026-12-01" }), "/api/runs/12/report?format=md&since=2026-12-01");
  assert.equal(reportPath("18", {}), "/api/runs/18/report?format=pdf");
  assert.equal(reportPath("cmabc123", { run: true, format: "html" }), "/api/runs/cmabc123/report?format=html");
  assert.throws(() => reportPath("acme", { format: "docx" }), ReportUsageError);
});

test("lev report writes the hub's report to --out with the token; lev evidence never leaves a half file", async () => {
  const cfg = { url, token: "lev_t" };
  const said: string[] = [];
  const out = path.join(dir, "r.pdf");
  assert.equal(await reportCommand(["acme-web", "--since", "2026-12-01", "--out", out], (s) => said.push(s), cfg), 0);
  assert.equal(await readFile(out, "utf8"), "%PDF- /api/projects/acme-web/report?format=pdf&since=2026-12-01");
  assert.deepEqual(said, [`wrote ${out}`]);
  assert.equal(seen.at(-1), "/api/projects/acme-web/report?format=pdf&since=2026-12-01 Bearer lev_t");
  await assert.rejects(reportCommand(["missing"], () => undefined, cfg, new Writable({ write: (_c, _e, cb) => cb() })), /project missing not found/);
  await assert.rejects(evidenceCommand(["#9", "--out", path.join(dir, "e.tar.gz")], () => undefined, cfg), /broke off/);
  assert.deepEqual(await readdir(dir), ["r.pdf"]);
  await assert.rejects(reportCommand([], () => undefined, cfg), ReportUsageError);
});
