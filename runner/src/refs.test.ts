import assert from "node:assert/strict";
import { test } from "node:test";
import {
  checkArgRefs,
  collectRefs,
  fileRefSchema,
  hasReservedKey,
  isTypedRef,
  newRefId,
  refIdSchema,
  runRefsSchema,
  typedRefSchema,
  workflowArgs,
  type RunRefs,
} from "./refs.ts";

const ID = "Abc_def-0123456789xyz";
const OTHER = "zzzzzzzzzzzzzzzzzzzz";
const SHA = "e".repeat(64);
const refs: RunRefs = { [ID]: { kind: "file", path: "/var/lib/levhub/blobs/ee/eeee", name: "hashes.txt", size: 12, sha256: SHA } };
const withSecret: RunRefs = { ...refs, [OTHER]: { kind: "secret", name: "shodan", value: "the-value-0123" } };

test("a typed reference is {$lev: kind, id} with a random id, nothing more", () => {
  assert.equal(isTypedRef({ $lev: "file", id: ID }), true);
  assert.equal(isTypedRef({ $lev: "file", id: ID }, "file"), true);
  assert.equal(isTypedRef({ $lev: "secret", id: ID }, "secret"), true);
  assert.equal(isTypedRef({ $lev: "secret", id: ID }, "file"), false);
  for (const bad of [
    { $lev: "file", id: ID, path: "/etc/passwd" }, // no extra keys: a path is never the user's to give
    { $lev: "file", id: "short" },
    { $lev: "file", id: SHA }, // never by its sha256
    { $lev: "file", id: "../../etc/passwd-xxxxxxxx" },
    { $lev: "password", id: ID }, // no such kind
    { id: ID },
    "file",
    null,
  ]) {
    assert.equal(isTypedRef(bad), false, JSON.stringify(bad));
  }
  assert.equal(typedRefSchema.safeParse({ $lev: "file", id: ID }).success, true);
  assert.equal(fileRefSchema.safeParse({ $lev: "file", id: ID, name: "x" }).success, false);
  assert.equal(refIdSchema.safeParse(newRefId()).success, true);
  assert.notEqual(newRefId(), newRefId());
});

test("collectRefs finds every reference at any depth, once each", () => {
  const a = { $lev: "file", id: ID };
  const b = { $lev: "file", id: OTHER };
  assert.deepEqual(collectRefs({ x: a, y: [b, { z: a }], n: 3, s: "$lev" }), [a, b]);
  assert.deepEqual(collectRefs({ x: { $lev: "file", id: "bad" } }), [], "a malformed one is no reference (checkArgRefs refuses it)");
  assert.deepEqual(collectRefs([]), []);
});

test("hasReservedKey sees $lev anywhere in a value", () => {
  assert.equal(hasReservedKey({ a: [{ b: { $lev: 1 } }] }), true);
  assert.equal(hasReservedKey([{ $lev: "file", id: ID }]), true);
  assert.equal(hasReservedKey({ a: "$lev", b: ["$lev"] }), false, "a string value is fine");
  assert.equal(hasReservedKey("x"), false);
});

test("a run's arguments may use only its own references, of their kind", () => {
  assert.equal(checkArgRefs({ f: { $lev: "file", id: ID }, n: 1 }, refs), null);
  assert.equal(checkArgRefs({ f: [{ $lev: "file", id: ID }] }, refs), null);
  assert.equal(checkArgRefs({ f: { $lev: "file", id: OTHER } }, refs), `argument f: file '${OTHER}' is not one of this run's files`);
  assert.equal(checkArgRefs({ d: { deep: { $lev: "file", id: ID, path: "/x" } } }, refs), "argument d.deep: a '$lev' object that is not a valid reference");
  assert.equal(checkArgRefs({ g: [0, { $lev: "secret", id: ID }] }, refs), `argument g[1]: secret '${ID}' is not one of this run's secrets`, "a file's id is no secret");
  assert.equal(checkArgRefs({ g: [0, { $lev: "password", id: ID }] }, refs), "argument g[1]: a '$lev' object that is not a valid reference");
  assert.equal(checkArgRefs({ k: { $lev: "secret", id: OTHER } }, withSecret), null);
  assert.equal(checkArgRefs({ k: { $lev: "file", id: OTHER } }, withSecret), `argument k: file '${OTHER}' is not one of this run's files`, "a secret's id is no file");
  assert.equal(checkArgRefs({ proto: { $lev: "file", id: "constructor-constructor" } }, refs), "argument proto: file 'constructor-constructor' is not one of this run's files");
});

test("RunSpec.refs: absolute normal host paths, a name, a size and a sha256", () => {
  assert.equal(runRefsSchema.safeParse(refs).success, true);
  const bad = (over: Record<string, unknown>) => runRefsSchema.safeParse({ [ID]: { ...refs[ID], ...over } }).success;
  assert.equal(bad({ path: "relative/blob" }), false);
  assert.equal(bad({ path: "/var/../etc/passwd" }), false);
  assert.equal(bad({ size: -1 }), false);
  assert.equal(bad({ sha256: "x" }), false);
  assert.equal(bad({ kind: "secret" }), false);
  assert.equal(runRefsSchema.safeParse(withSecret).success, true);
  const badSecret = (over: Record<string, unknown>) => runRefsSchema.safeParse({ [OTHER]: { kind: "secret", name: "shodan", value: "v".repeat(10), ...over } }).success;
  assert.equal(badSecret({}), true);
  assert.equal(badSecret({ name: "has.dot" }), false, "a mask in a document key must stay storable");
  assert.equal(badSecret({ value: "" }), false);
  assert.equal(badSecret({ path: "/x" }), false);
  assert.equal(runRefsSchema.safeParse({ short: refs[ID] }).success, false, "keys are reference ids");
});

test("the workflow receives each secret reference with its name, never its value", () => {
  const args = workflowArgs({ k: { $lev: "secret", id: OTHER }, f: { $lev: "file", id: ID }, wrong: { $lev: "file", id: OTHER } }, withSecret);
  assert.deepEqual(args.k, { $lev: "secret", id: OTHER, name: "shodan" });
  assert.deepEqual(args.wrong, { $lev: "file", id: OTHER }, "a reference of the wrong kind is not completed (checkArgRefs refuses it)");
  assert.doesNotMatch(JSON.stringify(args), /the-value/);
});

test("the workflow receives each file reference with its name and size, never its path", () => {
  const args = workflowArgs({ f: { $lev: "file", id: ID }, l: [{ $lev: "file", id: ID }], n: 1 }, refs);
  const expanded = { $lev: "file", id: ID, name: "hashes.txt", size: 12 };
  assert.deepEqual(args, { f: expanded, l: [expanded], n: 1 });
  assert.doesNotMatch(JSON.stringify(args), /blobs/);
});
