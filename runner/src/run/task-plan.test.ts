import assert from "node:assert/strict";
import { test } from "node:test";
import { ChannelReplyError } from "../channel/channel.ts";
import { defaultRunLimits, restrictedPolicy } from "../policy/policy.ts";
import { crSpecSchema } from "../channel/spec.ts";
import { planTask, type PlanFacts } from "./task-plan.ts";

const PY = "levhub/python:bookworm";
const facts = (over: Partial<PlanFacts> = {}): PlanFacts => ({
  policy: restrictedPolicy({ refs: {}, base: [PY], any: false }, { ...defaultRunLimits(), maxTasks: 5, maxConcurrentTasks: 3 }),
  run: { runId: "r", owner: "o", instance: "i", job: 1, pkgModule: "lev.a.b", pkgDir: "/p", runtimeDir: "/rt", runNetwork: "lev-r", workflowImage: PY, deps: [] },
  runDir: "/runs/r",
  taskTimeoutMs: 1000,
  runningHosts: new Set(["lev-t1"]),
  ...over,
});
const cr = (over: Record<string, unknown> = {}) => crSpecSchema.parse({ image: PY, schema: "a/b.c", ...over });
const refusedWith = (type: string, re: RegExp) => (e: unknown) => e instanceof ChannelReplyError && e.type === type && re.test(e.message);

test("services first, the tool last, each with its own channel directory and files", () => {
  const plan = planTask(cr({ services: { db: { image: PY, schema: "a/b.db" } }, files: { "/x": { b64: "" } } }), 4, facts());
  assert.deepEqual(plan.map((p) => [p.service, p.facts.name, p.facts.chanDir]), [
    ["db", "lev-r-t4-db", "/runs/r/tasks/4/svc-db/chan"],
    [null, "lev-r-t4", "/runs/r/tasks/4/tool/chan"],
  ]);
  assert.deepEqual(plan[1].files.map((f) => f.host), ["/runs/r/tasks/4/tool/files/file-0"]);
  assert.deepEqual(plan[1].facts.aliases, ["lev-t4"]);
});

test("quotas: the task after maxTasks, and more containers than the cap at once", () => {
  assert.equal(planTask(cr(), 5, facts()).length, 1);
  assert.throws(() => planTask(cr(), 6, facts()), refusedWith("QuotaExceeded", /at most 5 tasks/));
  const three = { a: { image: PY, schema: "s" }, b: { image: PY, schema: "s" }, c: { image: PY, schema: "s" } };
  assert.throws(() => planTask(cr({ services: three }), 1, facts()), refusedWith("QuotaExceeded", /needs 4 containers at once/));
});

test("links only to running tasks; policy refusals throw; unavailable images fail as a task", () => {
  assert.equal(planTask(cr({ links: { up: "lev-t1" } }), 2, facts()).length, 1);
  assert.throws(() => planTask(cr({ links: { up: "lev-t9" } }), 2, facts()), refusedWith("InvalidRequest", /'lev-t9' is not a running task/));
  assert.throws(() => planTask(cr({ host: true }), 2, facts()), refusedWith("PolicyDenied", /host networking/));
  const [p] = planTask(cr({ image: ".x.y" }), 2, facts());
  assert.equal(p.plan, null);
  assert.equal(p.imageError?.type, "ImageNotFound");
  assert.match(p.imageError?.message ?? "", /^image '.x.y' is not available to this run: it names the image built from the Dockerfile of package x.y/);
});

test("files= resolve inside the Cr's package: the run's own, a dependency, never an unknown one", () => {
  const dep = { namespace: "joe", name: "jsfuck", version: "1.0.0", dir: "/deps/joe.jsfuck" };
  const f = facts({ run: { ...facts().run, deps: [dep] } });
  assert.equal(planTask(cr(), 2, f)[0].pkgDir, "/p");
  assert.equal(planTask(cr({ package: "joe.jsfuck" }), 2, f)[0].pkgDir, "/deps/joe.jsfuck");
  assert.equal(planTask(cr({ package: "Joe.JSFuck" }), 2, f)[0].pkgDir, "/deps/joe.jsfuck", "package keys are case-insensitive");
  assert.throws(() => planTask(cr({ package: "eve.other" }), 2, f), refusedWith("InvalidRequest", /'eve.other'\): not a dependency of this run/));
  const svc = { image: PY, schema: "s", package: "eve.other" };
  assert.throws(() => planTask(cr({ services: { db: svc } }), 2, f), refusedWith("InvalidRequest", /not a dependency/), "services too");
});

test("a file reference mounts one of the run's stored files; any other is refused", () => {
  const ID = "abcdefghijklmnop0123";
  const refs = { [ID]: { kind: "file" as const, path: "/blobs/ab/abcd", name: "w.txt", size: 3, sha256: "a".repeat(64) } };
  const [tool] = planTask(cr({ files: { "/in/w": { $lev: "file", id: ID }, "/etc/x": { b64: "" } } }), 2, facts({ refs }));
  assert.deepEqual(tool.facts.files, [{ host: "/blobs/ab/abcd", target: "/in/w" }, { host: "/runs/r/tasks/2/tool/files/file-1", target: "/etc/x" }]);
  assert.deepEqual(tool.plan?.spec.binds.filter((b) => b.includes("/in/w")), ["/blobs/ab/abcd:/in/w:ro"]);
  const other = cr({ files: { "/in/w": { $lev: "file", id: "zzzzzzzzzzzzzzzzzzzz" } } });
  assert.throws(() => planTask(other, 2, facts({ refs })), refusedWith("InvalidRequest", /files\['\/in\/w'\]: file 'zzzzzzzzzzzzzzzzzzzz' is not one of this run's files/));
  assert.throws(() => planTask(other, 2, facts()), refusedWith("InvalidRequest", /not one of this run's files/), "a run without refs");
  assert.throws(() => cr({ files: { "/in/w": { $lev: "file", id: ID, path: "/etc/shadow" } } }), "a reference carries no path");
});
