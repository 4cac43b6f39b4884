import assert from "node:assert/strict";
import { test } from "node:test";
import { holdsSecret } from "../refs.ts";
import { mayPauseBeforeEntry, policyGrantsAnything, taskDebugRefusal, type TaskDebugFacts } from "./task-debug.ts";

const plain: TaskDebugFacts = {
  running: true,
  container: { user: "65534:65534", capAdd: [], network: "bridge" },
  policy: { network: "none", caps: [] },
  holdsSecret: false,
};

test("an unprivileged running task without secrets may be debugged", () => {
  assert.equal(taskDebugRefusal(plain), null);
  assert.equal(taskDebugRefusal({ ...plain, container: { ...plain.container!, network: "lev-run-net" } }), null);
  assert.equal(mayPauseBeforeEntry(plain), true);
});

test("a task that is not running is refused as such", () => {
  assert.equal(taskDebugRefusal({ ...plain, running: false })?.reason, "task_not_running");
  assert.equal(taskDebugRefusal({ ...plain, container: null })?.reason, "task_not_running");
});

test("anything granted refuses the task: its container, its policy, a dependency's grant", () => {
  const cases: [string, Partial<TaskDebugFacts>][] = [
    ["a capability", { container: { user: "0:0", capAdd: ["NET_RAW"], network: "bridge" } }],
    ["the host network", { container: { user: "65534:65534", capAdd: [], network: "host" } }],
    ["root without a capability", { container: { user: "0:0", capAdd: [], network: "bridge" } }],
    ["no user said", { container: { capAdd: [], network: "bridge" } }],
    ["a policy with host networking (unused by this Cr)", { policy: { network: "host", caps: [] } }],
    ["a policy with a capability (unused by this Cr)", { policy: { network: "none", caps: ["NET_RAW"] } }],
    ["a dependency's grant in the policy", { policy: { network: "none", caps: [], packages: { "a.b": { modes: { "lev.a.b.m.f": { network: "none", caps: ["NET_ADMIN"], images: [] } } } } } }],
    ["isolated for a dependency", { isolatedFor: "a.b" }],
  ];
  for (const [what, over] of cases) {
    const f = { ...plain, ...over };
    assert.equal(taskDebugRefusal(f)?.reason, "granted", what);
    assert.equal(mayPauseBeforeEntry(f), false, what);
  }
  // a dependency listed with nothing granted grants nothing
  assert.equal(policyGrantsAnything({ network: "none", caps: [], packages: { "a.b": { modes: { "lev.a.b.m.f": { network: "none", caps: [], images: [] } } } } }), false);
});

test("a task holding a secret is refused; a grant is named first", () => {
  assert.equal(taskDebugRefusal({ ...plain, holdsSecret: true })?.reason, "secret");
  assert.equal(taskDebugRefusal({ ...plain, holdsSecret: true, policy: { network: "host", caps: [] } })?.reason, "granted");
  assert.equal(mayPauseBeforeEntry({ ...plain, holdsSecret: true }), false);
});

test("holdsSecret: any typed reference but the owner's own file, at any depth", () => {
  const file = { $lev: "file", id: "a".repeat(20) };
  assert.equal(holdsSecret({ wordlist: file, n: 3 }), false);
  assert.equal(holdsSecret([{ x: [file] }]), false);
  assert.equal(holdsSecret({ token: { $lev: "secret", id: "a".repeat(20) } }), true);
  assert.equal(holdsSecret({ deep: [[{ a: { $lev: "credential" } }]] }), true);
  assert.equal(holdsSecret({ odd: { $lev: 7 } }), true, "a malformed reference counts as one");
  assert.equal(holdsSecret("$lev"), false);
});
