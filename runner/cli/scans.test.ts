import assert from "node:assert/strict";
import { test } from "node:test";
import { standInHub } from "../test/stand-in-hub.ts";
import { CliError } from "./hub.ts";
import { parseParams } from "./main.ts";
import { rerunCommand, scanCommand, ScanUsageError } from "./scans.ts";

const hub = standInHub({ recordAuth: true });
const { seen, cfg } = hub;

const scan = { id: "s1", name: "nightly", package: "joe.nmap", version: null, function: "scan.ports", cron: "0 3 * * *", timezone: "UTC", schedule: "daily at 03:00", enabled: true, nextRunAt: "2026-01-02T03:00:00.000Z", lastRun: null, lastError: null };
const run = { id: "r2", number: 2, status: "queued", package: "joe.nmap", packageVersion: "1.0.0", function: "scan.ports", args: { host: "127.0.0.1", ports: "22" } };

function capture() {
  const lines: unknown[] = [];
  return { lines, out: (v: unknown) => lines.push(v) };
}

test("scan create sends the API's fields: the target split, params, cron and zone; latest unless --version", async () => {
  seen.length = 0;
  hub.reply = () => [201, scan];
  const { lines, out } = capture();
  const code = await scanCommand(["create", "nightly", "joe.nmap.scan.ports", "--param", "host=127.0.0.1", "-p", "ports=22", "--cron", "0 3 * * *", "--tz", "Europe/Paris"], parseParams, out, cfg);
  assert.equal(code, 0);
  assert.deepEqual(seen[0], {
    method: "POST",
    url: "/api/scans",
    auth: "Bearer lev_test",
    body: { name: "nightly", package: "joe.nmap", function: "scan.ports", version: null, args: { host: "127.0.0.1", ports: "22" }, cron: "0 3 * * *", timezone: "Europe/Paris", enabled: true },
  });
  assert.match(String(lines[0]), /^saved scan s1 {2}nightly {2}joe\.nmap\.scan\.ports@latest {2}daily at 03:00 \(0 3 \* \* \*\)/);
});

test("scan list, run, disable and delete reach their routes", async () => {
  seen.length = 0;
  hub.reply = (method, url) => (url.endsWith("/run") ? [201, run] : method === "GET" ? [200, [scan]] : method === "PATCH" ? [200, { ...scan, enabled: false }] : [200, { deleted: "s1" }]);
  const { lines, out } = capture();
  await scanCommand(["list"], parseParams, out, cfg);
  await scanCommand(["run", "s1"], parseParams, out, cfg);
  await scanCommand(["disable", "s1"], parseParams, out, cfg);
  await scanCommand(["delete", "s1"], parseParams, out, cfg);
  assert.deepEqual(
    seen.map((s) => `${s.method} ${s.url}`),
    ["GET /api/scans?all=false", "POST /api/scans/s1/run", "PATCH /api/scans/s1", "DELETE /api/scans/s1"],
  );
  assert.deepEqual(seen[2].body, { enabled: false });
  assert.match(String(lines[1]), /^run r2 \(#2\) queued/);
  assert.match(String(lines[2]), /disabled/);
});

test("the hub's JSON error is shown with its field errors; bad usage is refused before any request", async () => {
  seen.length = 0;
  hub.reply = () => [422, { error: { code: "validation", message: "'61 * * * *' is not a cron expression", fieldErrors: { cron: "not a cron expression" } } }];
  await assert.rejects(scanCommand(["create", "n", "joe.nmap.scan", "--cron", "61 * * * *"], parseParams, () => undefined, cfg), (e: unknown) => {
    assert.ok(e instanceof CliError);
    assert.equal(e.code, "validation");
    assert.match(e.message, /^error validation: '61 \* \* \* \*' is not a cron expression\n {2}cron: not a cron expression$/);
    return true;
  });
  seen.length = 0;
  await assert.rejects(scanCommand(["frobnicate"], parseParams, () => undefined, cfg), ScanUsageError);
  await assert.rejects(scanCommand(["create", "only-a-name"], parseParams, () => undefined, cfg), ScanUsageError);
  await assert.rejects(scanCommand(["run"], parseParams, () => undefined, cfg), ScanUsageError);
  await assert.rejects(rerunCommand([], parseParams, () => undefined, cfg), ScanUsageError);
  assert.equal(seen.length, 0);
});

test("rerun: no params = the same arguments (the hub's); --param replaces one, the others kept; --latest passed on", async () => {
  seen.length = 0;
  hub.reply = (method) => (method === "GET" ? [200, run] : [201, { ...run, id: "r3", number: 3 }]);
  await rerunCommand(["r2"], parseParams, () => undefined, cfg);
  await rerunCommand(["r2", "--latest", "--param", "ports=80"], parseParams, () => undefined, cfg);
  assert.deepEqual(
    seen.map((s) => [s.method, s.url, s.body]),
    [
      ["POST", "/api/runs/r2/rerun", {}],
      ["GET", "/api/runs/r2", undefined],
      ["POST", "/api/runs/r2/rerun", { latest: true, args: { host: "127.0.0.1", ports: "80" } }],
    ],
  );
});
