import assert from "node:assert/strict";
import { test } from "node:test";
import { collectionName, crSpecSchema, formatZodError, startRequest } from "./spec.ts";

const base = { image: "levhub/python:bookworm", schema: "ts/issues@1.0" };

test("crSpecSchema fills defaults for a minimal Cr", () => {
  const cr = crSpecSchema.parse(base);
  assert.deepEqual(cr.cmd, []);
  assert.equal(cr.host, false);
  assert.equal(cr.entry, null);
  assert.deepEqual(cr.services, {});
});

test("crSpecSchema accepts nested services and entry specs", () => {
  const cr = crSpecSchema.parse({
    ...base,
    entry: { builder: { module: "lev.a.b.tool", qualname: "scan", args: ["x", 1, { k: [true] }], kwargs: {} }, path: [] },
    services: { redis: { image: "redis:7", schema: "a/b.redis", ports: [9001] } },
  });
  assert.equal(cr.services.redis.ports[0], 9001);
  assert.equal(cr.entry?.builder.qualname, "scan");
});

test("crSpecSchema rejects what a workflow must not ask for", () => {
  const bad: Record<string, unknown>[] = [
    { ...base, env: ["not an assignment"] },
    { ...base, files: { "relative/path": { b64: "" } } },
    { ...base, files: { "/etc/../x": { b64: "" } } },
    { ...base, schema: "a|b" },
    { ...base, ports: [70000] },
    { ...base, caps: ["sys_admin; rm"] },
    { ...base, links: { "bad alias!": "lev-t1" } },
    { ...base, entry: { builder: { module: "os; import x", qualname: "f", args: [], kwargs: {} }, path: [] } },
    { ...base, unexpected: true },
  ];
  for (const b of bad) assert.equal(crSpecSchema.safeParse(b).success, false, JSON.stringify(b));
});

test("namespace parts may not contain the separator", () => {
  const r = startRequest.safeParse({ cr: base, ns: ["a|b"] });
  assert.equal(r.success, false);
  if (!r.success) assert.match(formatZodError(r.error), /ns\.0/);
});

test("collectionName joins namespaces and schema with |", () => {
  assert.equal(collectionName([], "ts/issues@1.0"), "ts/issues@1.0");
  assert.equal(collectionName(["httpbin", "org"], "ts/issues@1.0"), "httpbin|org|ts/issues@1.0");
});
