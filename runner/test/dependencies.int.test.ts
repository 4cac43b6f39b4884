/**
 * A package that imports another one, on real Docker: the dependency mounted at /lev/deps in the
 * workflow and tool containers, its files= resolved inside it, and grants that follow the package
 * whose code asks — checked by the planner, so a workflow cannot borrow a dependency's grant.
 */
import assert from "node:assert/strict";
import { chmod, cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { main } from "../cli/main.ts";
import { after, before, describe, test } from "node:test";
import { DEFAULT_BASE_IMAGES, introspect, restrictedPolicy, type PackageDependency, type RunPolicy } from "../src/index.ts";
import { allManaged, createHarness, FIXTURES, logText, REPO, type Harness } from "./harness.ts";

const PKG = path.join(FIXTURES, "levtest.deps");
export const DEP_DIR = path.join(REPO, "runner/python/tests/fixtures/levdep.net");
const dep: PackageDependency = { namespace: "levdep", name: "net", version: "1.2.0", dir: DEP_DIR };
const base = restrictedPolicy({ refs: {}, base: [...DEFAULT_BASE_IMAGES], any: false });
/** the run's package has no grant; the dependency has the host network */
const depGranted: RunPolicy = { ...base, packages: { "levdep.net": { hostNetwork: true, caps: [] } } };

describe("packages that import packages", () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ policy: depGranted });
  });
  after(async () => {
    await h.close();
    assert.deepEqual(await h.leftovers(), []);
    assert.deepEqual(await allManaged(), []);
  });
  const run = (fn: string, policy: RunPolicy = depGranted, deps: PackageDependency[] = [dep]) =>
    h.run(PKG, fn, {}, { policy, dependencies: deps });
  const planned = (log: string) => /checking that levdep\.net builds this Cr/.test(log);

  test("introspection sees the dependency, and fails without it", async () => {
    const m = await introspect(h.engine, PKG, { dependencies: [dep] });
    assert.deepEqual(m.workflows.map((w) => w.name).sort(), ["ask_host_ourselves", "claim_unknown", "forged", "use_hostnet", "use_plain", "use_shared"]);
    const without = await introspect(h.engine, PKG);
    assert.deepEqual(without.workflows, []);
    assert.match(JSON.stringify(without.problems), /lev\.levdep/);
  });

  test("the workflow imports the dependency and runs its mode; no planner for a Cr asking nothing", async () => {
    const r = await run("use_plain");
    assert.equal(r.status, "succeeded", logText(r));
    assert.equal(planned(logText(r)), false);
    assert.equal(r.tasks[0].schema, "levdep/net.plain");
  });

  test("a dependency's files= resolve inside the dependency", async () => {
    const r = await run("use_shared");
    assert.equal(r.status, "succeeded", logText(r));
    const doc = await h.db.collection("levdep/net.shared").findOne({ "_id.job": r.job });
    assert.equal(doc?.text, "from the dependency");
  });

  test("an honest dependency mode gets its package's host network; the run's own package has none", async () => {
    const r = await run("use_hostnet");
    assert.equal(r.status, "succeeded", logText(r));
    assert.equal(planned(logText(r)), true);
    // the planner's lines are the runner's machinery: flagged so a worker keeps them out of the user's log
    const plannerLines = r.logs.filter((l) => /builds this Cr \(planner\)/.test(l.line));
    assert.ok(plannerLines.length >= 1 && plannerLines.every((l) => l.internal === true && l.stream === "system"), JSON.stringify(plannerLines));
    assert.ok(r.logs.some((l) => !l.internal), "the run's own lines are not internal");
    // the run's package is on the workflow's path, never on the path of a task under another grant
    assert.match(logText(r, 0), /levtest\.deps sitecustomize ran/);
    assert.doesNotMatch(logText(r, 1), /sitecustomize ran/);
    const doc = await h.db.collection("levdep/net.hostnet").findOne({ "_id.job": r.job });
    assert.equal(doc?.net, "host");
    const own = await run("ask_host_ourselves");
    assert.equal(own.status, "failed");
    assert.equal(own.error?.type, "PolicyDenied", logText(own));
  });

  test("a forged claim (the dependency's entry with other env or cmd) is refused with PolicyDenied", async () => {
    for (const kind of ["env", "cmd"]) {
      const r = await h.run(PKG, "forged", { kind }, { policy: depGranted, dependencies: [dep] });
      assert.equal(r.status, "failed", logText(r));
      assert.equal(r.error?.type, "PolicyDenied", logText(r));
      assert.match(logText(r), /is not the one levdep\.net builds/);
      assert.equal(r.tasks[0].status, "failed");
    }
  });

  test("a dependency whose lev/ holds more than its own package voids every dependency grant of the run", async () => {
    const evil: PackageDependency = { namespace: "levevil", name: "shadow", version: "1.0.0", dir: path.join(FIXTURES, "levevil.shadow") };
    // (listed after the real one, so the workflow itself still imports the real lev.levdep.net)
    const r = await run("use_hostnet", depGranted, [dep, evil]);
    assert.equal(r.error?.type, "PolicyDenied", logText(r));
    assert.match(logText(r), /dependency levevil\.shadow: lev\/ must hold only lev\/levevil\/shadow\//);
    assert.equal(planned(logText(r)), false);
  });

  test("no planner when the dependency's grant is not wider than the run's", async () => {
    const same: RunPolicy = { ...base, hostNetwork: true, packages: { "levdep.net": { hostNetwork: true, caps: [] } } };
    const r = await run("use_hostnet", same);
    assert.equal(r.status, "succeeded", logText(r));
    assert.equal(planned(logText(r)), false);
  });

  test("without the dependency's grant its host mode is refused like the run's own", async () => {
    const r = await run("use_hostnet", base);
    assert.equal(r.error?.type, "PolicyDenied", logText(r));
  });

  test("a Cr claiming a package that is no dependency of the run is an InvalidRequest", async () => {
    const r = await run("claim_unknown");
    assert.equal(r.status, "failed");
    assert.equal(r.tasks[0].error?.type, "InvalidRequest", logText(r));
    assert.match(r.tasks[0].error?.message ?? "", /'levdep.absent'\): not a dependency of this run/);
  });
});

describe("lev exec with .lev/deps (what lev add leaves behind), offline", () => {
  test("a workflow importing a package from .lev/deps runs; without it, it cannot", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "levexec-deps-"));
    await chmod(dir, 0o755); // containers read it as user 65534
    try {
      await cp(PKG, dir, { recursive: true });
      assert.equal(await main(["exec", dir, "use_shared", "--quiet"]), 2, "no .lev/deps: the workflow is not even found");
      await cp(DEP_DIR, path.join(dir, ".lev/deps/levdep.net"), { recursive: true });
      assert.equal(await main(["exec", dir, "use_shared", "--quiet"]), 0);
      assert.equal(await main(["exec", dir, "use_hostnet", "--quiet"]), 0, "lev exec: one person's machine, host network allowed");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    assert.deepEqual(await allManaged(), []);
  });
});
