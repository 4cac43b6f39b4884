/**
 * A package that imports another one, on real Docker: the dependency mounted at /lev/deps in the
 * workflow and tool containers, its files= resolved inside it, and grants that follow published
 * code — a dependency's grant reaches only a Cr the planner built by calling one of its covered
 * modes, with an image that mode's manifest lists, so a workflow cannot borrow it (issue 16).
 */
import assert from "node:assert/strict";
import { chmod, cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { main } from "../cli/main.ts";
import { after, before, describe, test } from "node:test";
import {
  DEFAULT_BASE_IMAGES,
  definedIn,
  introspect,
  isRawCommandLine,
  modeBuilder,
  restrictedPolicy,
  type Manifest,
  type ModeGrant,
  type PackageDependency,
  type PackageGrant,
  type RunPolicy,
} from "../src/index.ts";
import { allManaged, createHarness, FIXTURES, logText, REPO, type Harness } from "./harness.ts";

const PKG = path.join(FIXTURES, "levtest.deps");
export const DEP_DIR = path.join(REPO, "runner/python/tests/fixtures/levdep.net");
const dep: PackageDependency = { namespace: "levdep", name: "net", version: "1.2.0", dir: DEP_DIR };
/** the run's own package has an image of its own (the attacker's, in the issue) */
const OWN_IMAGE = DEFAULT_BASE_IMAGES[0];
const base = restrictedPolicy({ refs: { ".levtest.deps": OWN_IMAGE }, base: [...DEFAULT_BASE_IMAGES], any: false });
const DEFAULT_GRANT: PackageGrant = { network: "bridge", caps: ["NET_RAW"] };

/** A dependency's mode grants as the hub passes them: its covered modes (not raw), defined in it, with the images their manifest lists. */
function modeGrants(manifest: Manifest, pkg: string, grant: PackageGrant): Record<string, ModeGrant> {
  const out: Record<string, ModeGrant> = {};
  for (const f of manifest.modes) if (definedIn(f, pkg) && !isRawCommandLine(f)) out[modeBuilder(f)] = { ...grant, images: f.privileges?.images ?? [] };
  return out;
}

describe("packages that import packages", () => {
  let h: Harness;
  /** the run's package has no grant; the dependency's modes have the default grant */
  let depGranted: RunPolicy;
  before(async () => {
    h = await createHarness({ policy: base });
    const m = await introspect(h.engine, DEP_DIR);
    depGranted = { ...base, packages: { "levdep.net": { modes: modeGrants(m, "levdep.net", DEFAULT_GRANT) } } };
  });
  after(async () => {
    await h.close();
    assert.deepEqual(await h.leftovers(), []);
    assert.deepEqual(await allManaged(), []);
  });
  const run = (fn: string, policy: RunPolicy = depGranted, deps: PackageDependency[] = [dep], args: Record<string, unknown> = {}) =>
    h.run(PKG, fn, args, { policy, dependencies: deps });
  const planned = (log: string) => /the planner builds this Cr from levdep\.net's own code/.test(log);

  test("introspection sees the dependency, and fails without it", async () => {
    const m = await introspect(h.engine, PKG, { dependencies: [dep] });
    assert.deepEqual(m.workflows.map((w) => w.name).sort(), ["ask_host_ourselves", "claim_unknown", "forged", "forged_builder", "use_hostnet", "use_pinned", "use_plain", "use_shared"]);
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

  test("an honest dependency mode gets its mode's grant (root with NET_RAW on the run's network); the run's own package has none", async () => {
    const r = await run("use_hostnet");
    assert.equal(r.status, "succeeded", logText(r));
    assert.equal(planned(logText(r)), true);
    // the planner's lines are the runner's machinery: flagged so a worker keeps them out of the user's log
    const plannerLines = r.logs.filter((l) => /the planner builds this Cr from/.test(l.line));
    assert.ok(plannerLines.length >= 1 && plannerLines.every((l) => l.internal === true && l.stream === "system"), JSON.stringify(plannerLines));
    assert.ok(r.logs.some((l) => !l.internal), "the run's own lines are not internal");
    // the run's package is on the workflow's path, never on the path of a task under another grant
    assert.match(logText(r, 0), /levtest\.deps sitecustomize ran/);
    assert.doesNotMatch(logText(r, 1), /sitecustomize ran/);
    const doc = await h.db.collection("levdep/net.hostnet").findOne({ "_id.job": r.job });
    assert.deepEqual([doc?.net, doc?.uid, doc?.cap_eff], ["host", 0, "0000000000002000"]);
    const own = await run("ask_host_ourselves");
    assert.equal(own.status, "failed");
    assert.equal(own.error?.type, "PolicyDenied", logText(own));
  });

  test("a forged claim (the dependency's entry with other env or cmd) is refused with PolicyDenied", async () => {
    for (const kind of ["env", "cmd"]) {
      const r = await run("forged", depGranted, [dep], { kind });
      assert.equal(r.status, "failed", logText(r));
      assert.equal(r.error?.type, "PolicyDenied", logText(r));
      assert.match(logText(r), /the Cr is not the one lev\.levdep\.net\.hostnet\(\) builds/);
      assert.equal(r.tasks[0].status, "failed");
    }
  });

  test("the issue's attack: a builder that is no mode of the dependency (Cr, a name it imports, an alias, a partial, a class) never gets its grant", async () => {
    for (const qualname of ["Cr", "pathlib", "again", "quick", "build", "Tool", "Tool.hostnet"]) {
      const r = await run("forged_builder", depGranted, [dep], { qualname });
      assert.equal(r.status, "failed", `${qualname}: ${logText(r)}`);
      assert.equal(r.error?.type, "PolicyDenied", `${qualname}: ${logText(r)}`);
      assert.match(logText(r), /which no grant of levdep\.net covers: it gets this run's grant only|names no mode/, qualname);
      assert.equal(planned(logText(r)), false, `${qualname}: no planner is even asked`);
      assert.deepEqual(r.tasks.map((t) => [t.status, t.exitCode]), [["failed", null]], `${qualname}: nothing started`);
      assert.doesNotMatch(logText(r), /uid=0/);
    }
    // a real mode named with the forged arguments: it cannot be called with them (or would build
    // another Cr), so the claim gets the run's grant only
    const real = await run("forged_builder", depGranted, [dep], { qualname: "hostnet" });
    assert.equal(real.error?.type, "PolicyDenied", logText(real));
    assert.match(logText(real), /the planner could not build the Cr of lev\.levdep\.net\.hostnet\(\)|the Cr is not the one lev\.levdep\.net\.hostnet\(\) builds/);
    assert.doesNotMatch(logText(real), /uid=0/);
  });

  test("a real mode whose image its caller chooses (the caller's own, even a base image) never runs under its grant", async () => {
    for (const image of [".levtest.deps", DEFAULT_BASE_IMAGES[1]]) {
      const r = await run("use_pinned", depGranted, [dep], { image });
      assert.equal(r.error?.type, "PolicyDenied", logText(r));
      assert.equal(planned(logText(r)), true);
      assert.match(logText(r), new RegExp(`image '${image.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}' is not one the manifest of lev\\.levdep\\.net\\.pinned\\(\\) lists \\(none\\)`));
    }
  });

  test("a dependency whose lev/ holds more than its own package voids every dependency grant of the run", async () => {
    const evil: PackageDependency = { namespace: "levevil", name: "shadow", version: "1.0.0", dir: path.join(FIXTURES, "levevil.shadow") };
    // (listed after the real one, so the workflow itself still imports the real lev.levdep.net)
    const r = await run("use_hostnet", depGranted, [dep, evil]);
    assert.equal(r.error?.type, "PolicyDenied", logText(r));
    assert.match(logText(r), /dependency levevil\.shadow: lev\/ must hold only lev\/levevil\/shadow\/; no mode's grant is used in this run/);
    assert.equal(planned(logText(r)), false);
  });

  test("no planner when the mode's grant gives nothing beyond the run's", async () => {
    const same: RunPolicy = { ...depGranted, ...DEFAULT_GRANT };
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
