import assert from "node:assert/strict";
import { test } from "node:test";
import type { ManifestFunction } from "../runner/src/manifest/introspect.ts";
import { validateArgs } from "../runner/src/manifest/params.ts";
import { scopeSchema } from "../runner/src/scope/rules.ts";
import { hasTargetParams, scopeErrors } from "./run-form-scope.ts";
import { rawValues } from "./run-form.tsx";

const fn = {
  name: "port_os",
  qualified: "nmap.port_os",
  params: [
    { name: "ip", type: "str", required: true, default: null, desc: null, holder: null, kind: "target" },
    { name: "hosts", type: "list[str]", required: false, default: [], desc: null, holder: null, kind: "host" },
    { name: "ports", type: "str", required: false, default: "", desc: null, holder: null },
  ],
} as unknown as ManifestFunction;

const scope = scopeSchema.parse({ allow: ["10.231.0.0/16", "*.lab.example"], exclude: ["10.231.5.0/24"] });

/** What the form does on submit: the raw values, validated, then checked against the project's scope. */
const check = (values: Record<string, string>) => scopeErrors(fn, validateArgs(fn, rawValues(fn, values)), scope);

test("the form names an out-of-scope target under its field, with the rule it broke", () => {
  assert.deepEqual(check({ ip: "10.9.9.9", hosts: "", ports: "8.8.8.8" }), {
    ip: "10.9.9.9 is outside the project's scope (allowed: 10.231.0.0/16, *.lab.example; excluded: 10.231.5.0/24)",
  });
  assert.deepEqual(check({ ip: "10.231.5.7", hosts: "", ports: "" }), { ip: "10.231.5.7 is excluded from the project's scope by 10.231.5.0/24" });
  // a list parameter: one item a line, each checked
  assert.deepEqual(Object.keys(check({ ip: "10.231.0.1", hosts: "a.lab.example\nevil.example", ports: "" })), ["hosts"]);
  assert.deepEqual(check({ ip: "10.231.0.0/24", hosts: "a.lab.example\nb.c.lab.example", ports: "" }), {});
});

test("an unscoped project checks nothing; a function without target parameters shows no scope", () => {
  assert.deepEqual(scopeErrors(fn, { ip: "8.8.8.8" }, null), {});
  assert.equal(hasTargetParams(fn), true);
  assert.equal(hasTargetParams({ params: [fn.params[2]!] }), false);
});
