import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { toolContainerConfig, workflowContainerConfig, type RunFacts } from "../policy/container-config.ts";
import { checkDependencies, checkDependencyLayout, dependencyBinds, isolatedEnv, packageDir, pythonPath } from "./dependencies.ts";
import { restrictedPolicy } from "../policy/policy.ts";
import { crSpecSchema } from "../channel/spec.ts";

const PY = "levhub/python:bookworm";
const a = { namespace: "joe", name: "jsfuck", version: "1.0.0", dir: "/deps/joe.jsfuck/1.0.0" };
const b = { namespace: "szczecin", name: "nmap_python", version: "0.3.1", dir: "/deps/nmap" };

test("each dependency is mounted read-only at /lev/deps/<ns>.<name> and put on the Python path after the package", () => {
  assert.deepEqual(dependencyBinds([a, b]), ["/deps/joe.jsfuck/1.0.0:/lev/deps/joe.jsfuck:ro", "/deps/nmap:/lev/deps/szczecin.nmap_python:ro"]);
  assert.equal(pythonPath([a, b]), "/lev/rt:/lev/pkg:/lev/deps/joe.jsfuck:/lev/deps/szczecin.nmap_python");
  assert.equal(pythonPath([]), "/lev/rt:/lev/pkg", "no dependency: exactly as before");
});

test("workflow and tool containers both see the closure", () => {
  const policy = restrictedPolicy({ refs: {}, base: [PY], any: false });
  const run: RunFacts = { runId: "r", owner: "o", instance: "i", job: 1, pkgModule: "lev.x.y", pkgDir: "/p", runtimeDir: "/rt", runNetwork: "n", workflowImage: PY, deps: [a] };
  const wf = workflowContainerConfig(policy, run, { chanDir: "/c", function: "f", args: {} });
  const tool = toolContainerConfig(crSpecSchema.parse({ image: PY, schema: "s" }), policy, run, {
    name: "t", role: "tool", task: 1, chanDir: "/c", files: [], aliases: [], links: [], extraHosts: [], taskTimeoutMs: 1000,
  });
  assert.ok(tool.ok);
  for (const spec of [wf, tool.value.spec]) {
    assert.ok(spec.binds.includes("/deps/joe.jsfuck/1.0.0:/lev/deps/joe.jsfuck:ro"));
    assert.ok(spec.env.includes("PYTHONPATH=/lev/rt:/lev/pkg:/lev/deps/joe.jsfuck"));
  }
});

test("a Cr's package directory: its own, a dependency's (any case), or none", () => {
  assert.equal(packageDir(null, "/p", [a]), "/p");
  assert.equal(packageDir("JOE.jsfuck", "/p", [a]), a.dir);
  assert.equal(packageDir("joe.other", "/p", [a]), null);
  assert.equal(packageDir("joe.jsfuck", "/p", []), null);
});

test("a closure is refused with bad names, relative or ':' directories, a package twice or the package itself", () => {
  assert.equal(checkDependencies([a, b], { namespace: "x", name: "y" }), null);
  assert.match(checkDependencies([{ ...a, name: "../x" }], null) ?? "", /not a package name/);
  assert.match(checkDependencies([{ ...a, version: "1 0" }], null) ?? "", /not a version/);
  assert.match(checkDependencies([{ ...a, dir: "rel/dir" }], null) ?? "", /absolute path/);
  assert.match(checkDependencies([{ ...a, dir: "/x:/etc" }], null) ?? "", /without ':'/);
  assert.match(checkDependencies([a, { ...a, version: "2.0.0" }], null) ?? "", /appears twice/);
  assert.match(checkDependencies([a], { namespace: "Joe", name: "jsfuck" }) ?? "", /is the package itself/);
});

test("isolated containers: only the runtime on the path, the dependencies' lev/ folders by LEV_DEPS, origin first", () => {
  assert.deepEqual(isolatedEnv([a, b], "szczecin.nmap_python"), [
    "PYTHONPATH=/lev/rt",
    "LEV_DEPS=/lev/deps/szczecin.nmap_python:/lev/deps/joe.jsfuck",
  ]);
  const policy = restrictedPolicy({ refs: {}, base: [PY], any: false });
  const run: RunFacts = { runId: "r", owner: "o", instance: "i", job: 1, pkgModule: "lev.x.y", pkgDir: "/p", runtimeDir: "/rt", runNetwork: "n", workflowImage: PY, deps: [a] };
  const facts = { name: "t", role: "tool" as const, task: 1, chanDir: "/c", files: [], aliases: [], links: [], extraHosts: [], taskTimeoutMs: 1000 };
  const tool = toolContainerConfig(crSpecSchema.parse({ image: PY, schema: "s" }), policy, run, { ...facts, isolatedFor: "joe.jsfuck" });
  assert.ok(tool.ok);
  const { env, binds } = tool.value.spec;
  assert.deepEqual(env.filter((e) => e.startsWith("PYTHONPATH=") || e.startsWith("LEV_DEPS=")), ["PYTHONPATH=/lev/rt", "LEV_DEPS=/lev/deps/joe.jsfuck"]);
  assert.equal(binds.some((x) => x.includes(":/lev/pkg:")), false, "the run's package is not mounted");
  assert.ok(binds.includes("/deps/joe.jsfuck/1.0.0:/lev/deps/joe.jsfuck:ro"));
});

test("a dependency's lev/ may hold only its own package", async () => {
  const root = await mkdtemp(path.join(tmpdir(), "levlayout-"));
  try {
    const make = async (name: string, files: string[]) => {
      for (const f of files) {
        await mkdir(path.dirname(path.join(root, name, f)), { recursive: true });
        await writeFile(path.join(root, name, f), "");
      }
      return path.join(root, name);
    };
    const good = { ...a, dir: await make("good", ["lev/joe/jsfuck/__init__.py", "lev/__pycache__/x.pyc", "sitecustomize.py", "data/x"]) };
    assert.equal(await checkDependencyLayout([good]), null, "files at its root are never on an isolated path");
    for (const files of [
      ["lev/joe/jsfuck/__init__.py", "lev/joe/other.py"],
      ["lev/joe/jsfuck/__init__.py", "lev/eve/x/__init__.py"],
      ["lev/joe/jsfuck/__init__.py", "lev/__init__.py"],
      ["lev/joe/jsfuck.py"],
    ]) {
      const bad = { ...a, dir: await make(`bad-${files.length}-${files[1] ?? files[0]}`.replace(/\//g, "_"), files) };
      assert.match((await checkDependencyLayout([good, bad])) ?? "", /joe\.jsfuck: lev\/ must hold only lev\/joe\/jsfuck\//, files.join(" "));
    }
    assert.match((await checkDependencyLayout([{ ...a, dir: path.join(root, "missing") }])) ?? "", /must hold only/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
