import { test } from "node:test";
import assert from "node:assert/strict";
import { grantInputSchema } from "./grants.ts";

const base = { namespace: "alice", hostNetwork: true, caps: ["NET_RAW"] };

test("an empty, blank or missing package means the whole namespace", () => {
  for (const p of ["", "  ", null, undefined]) assert.equal(grantInputSchema.parse({ ...base, package: p }).package, null);
  assert.equal(grantInputSchema.parse({ ...base, package: " tool " }).package, "tool");
});

test("only GRANTABLE_CAPS, each once, in the fixed order; names must be names", () => {
  assert.deepEqual(grantInputSchema.parse({ ...base, caps: ["NET_BIND_SERVICE", "NET_RAW"] }).caps, ["NET_RAW", "NET_BIND_SERVICE"]);
  assert.deepEqual(grantInputSchema.parse({ ...base, caps: [] }).caps, []);
  for (const caps of [["SYS_ADMIN"], ["ALL"], ["net_raw"], "NET_RAW"]) assert.equal(grantInputSchema.safeParse({ ...base, caps }).success, false, JSON.stringify(caps));
  for (const namespace of ["", "a.b", "../x", "x".repeat(65)]) assert.equal(grantInputSchema.safeParse({ ...base, namespace }).success, false, namespace);
  assert.equal(grantInputSchema.safeParse({ ...base, package: "a/b" }).success, false);
  assert.equal(grantInputSchema.safeParse({ ...base, hostNetwork: "yes" }).success, false);
  assert.equal(grantInputSchema.parse(base).note, "");
});
