import assert from "node:assert/strict";
import { test } from "node:test";
import { mergePorts, nameVerdict } from "./names.ts";
import { compileScope } from "./rules.ts";

const scope = compileScope({
  allow: ["target.example", "*.lab.example", "web.example 443", "web.example 8000-8080", "*.web.example 22", "10.0.0.0/8"],
  exclude: ["secret.lab.example", "*.prod.lab.example", "db.lab.example 5432"],
  services: ["api.example.net:443"],
});

test("exact names, wildcards below (not the name itself), at any depth", () => {
  assert.deepEqual(nameVerdict(scope, "target.example"), { allowed: true });
  assert.deepEqual(nameVerdict(scope, "a.lab.example"), { allowed: true });
  assert.deepEqual(nameVerdict(scope, "a.b.lab.example"), { allowed: true });
  assert.deepEqual(nameVerdict(scope, "lab.example"), { allowed: false, reason: "out of scope" });
  assert.deepEqual(nameVerdict(scope, "x.target.example"), { allowed: false, reason: "out of scope" });
  assert.deepEqual(nameVerdict(scope, "evillab.example"), { allowed: false, reason: "out of scope" });
  assert.deepEqual(nameVerdict(scope, "target.example.evil"), { allowed: false, reason: "out of scope" });
  assert.deepEqual(nameVerdict(scope, ""), { allowed: false, reason: "out of scope" });
});

test("exclusions win, even those with ports", () => {
  assert.deepEqual(nameVerdict(scope, "secret.lab.example"), { allowed: false, reason: "excluded" });
  assert.deepEqual(nameVerdict(scope, "x.prod.lab.example"), { allowed: false, reason: "excluded" });
  assert.deepEqual(nameVerdict(scope, "db.lab.example"), { allowed: false, reason: "excluded" });
});

test("services and prefixes never make a name answerable", () => {
  assert.deepEqual(nameVerdict(scope, "api.example.net"), { allowed: false, reason: "out of scope" });
});

test("ports: the union of the matching allow rules, merged", () => {
  assert.deepEqual(nameVerdict(scope, "web.example"), { allowed: true, ports: [[443, 443], [8000, 8080]] });
  assert.deepEqual(nameVerdict(scope, "a.web.example"), { allowed: true, ports: [[22, 22]] });
  assert.deepEqual(mergePorts([[80, 90], [85, 100], [101, 101], [22, 22], [443, 443]]), [[22, 22], [80, 101], [443, 443]]);
});
