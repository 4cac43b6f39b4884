import { test } from "node:test";
import assert from "node:assert/strict";
import { createScanBodySchema, rerunBodySchema, saveRunAsScanInputSchema, updateScanBodySchema } from "./scans.ts";

test("createScanBodySchema: trims the name, empty cron = no schedule, args default to {}", () => {
  const ok = createScanBodySchema.parse({ name: "  nightly  ", package: "joe.nmap", function: "scan", cron: "  " });
  assert.equal(ok.name, "nightly");
  assert.equal(ok.cron, null);
  assert.deepEqual(ok.args, {});
  assert.equal(createScanBodySchema.parse({ name: "n", package: "joe.nmap", function: "f", cron: "0 3 * * *" }).cron, "0 3 * * *");
});

test("createScanBodySchema refuses what cannot be a scan", () => {
  const bad = [
    {},
    { name: "", package: "joe.nmap", function: "f" },
    { name: "x".repeat(101), package: "joe.nmap", function: "f" },
    { name: "two\nlines", package: "joe.nmap", function: "f" },
    { name: "n", package: "jo", function: "f" },
    { name: "n", package: "joe.nmap", function: "" },
    { name: "n", package: "joe.nmap", function: "f", args: [] },
    { name: "n", package: "joe.nmap", function: "f", cron: "x".repeat(121) },
    { name: "n", package: "joe.nmap", function: "f", enabled: "yes" },
  ];
  for (const b of bad) assert.equal(createScanBodySchema.safeParse(b).success, false, JSON.stringify(b).slice(0, 80));
});

test("updateScanBodySchema: partial, but not empty; null version = follow the latest", () => {
  assert.equal(updateScanBodySchema.safeParse({}).success, false);
  assert.deepEqual(updateScanBodySchema.parse({ enabled: false }), { enabled: false });
  assert.deepEqual(updateScanBodySchema.parse({ version: null, cron: "" }), { version: null, cron: null });
  assert.equal(updateScanBodySchema.safeParse({ name: " " }).success, false);
});

test("rerun and save-as-scan inputs", () => {
  assert.deepEqual(rerunBodySchema.parse({}), {});
  assert.deepEqual(rerunBodySchema.parse({ latest: true, args: { a: 1 } }), { latest: true, args: { a: 1 } });
  assert.equal(rerunBodySchema.safeParse({ latest: "yes" }).success, false);
  assert.equal(rerunBodySchema.safeParse({ args: "x" }).success, false);
  assert.equal(saveRunAsScanInputSchema.safeParse({ runId: "r", name: "n", cron: "* * * * *" }).success, true);
  assert.equal(saveRunAsScanInputSchema.safeParse({ runId: "", name: "n" }).success, false);
});
