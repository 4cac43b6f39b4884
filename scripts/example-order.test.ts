import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { publishOrder, readExample, type ExampleInfo } from "./example-order.ts";

const ex = (dir: string, name: string | null, requires: string[] = []): ExampleInfo => ({ dir, name, requires });
const dirs = (xs: ExampleInfo[]) => xs.map((x) => x.dir);

test("an example is published after the examples it depends on, otherwise in directory order", () => {
  const order = publishOrder([
    ex("a.recon", "lev.a.recon", ["lev.z.nmap", "lev.b.hello"]),
    ex("b.hello", "lev.b.hello"),
    ex("z.nmap", "lev.z.nmap", ["lev.b.hello"]),
    ex("c.other", "lev.c.other"),
  ]);
  assert.deepEqual(dirs(order), ["b.hello", "z.nmap", "a.recon", "c.other"]);
});

test("requirements outside the examples order nothing; a cycle still publishes every example once", () => {
  assert.deepEqual(dirs(publishOrder([ex("b", "lev.x.b", ["lev.elsewhere.pkg"]), ex("a", null)])), ["a", "b"]);
  const cyclic = publishOrder([ex("a", "lev.x.a", ["lev.x.b"]), ex("b", "lev.x.b", ["lev.x.a"])]);
  assert.deepEqual(dirs(cyclic).sort(), ["a", "b"]);
  assert.equal(cyclic.length, 2);
});

test("readExample reads the name and the lev.* requirements of pyproject.toml (runtime and others left out)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "levhub-example-"));
  mkdirSync(path.join(dir, "lev"));
  writeFileSync(
    path.join(dir, "pyproject.toml"),
    '[project]\nname = "lev.Joe.Recon"\nversion = "1.0"\ndependencies = [\n  "levrt",\n  "requests>=2",\n  "lev.joe.JSFuck>=1,<2",  # pinned at upload\n]\n',
  );
  assert.deepEqual(readExample(dir), { dir, name: "lev.joe.recon", requires: ["lev.joe.jsfuck"] });
  assert.deepEqual(readExample(path.join(dir, "lev")), { dir: path.join(dir, "lev"), name: null, requires: [] });
});

test("the repository's examples: levhub.recon comes after both packages it imports", () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "examples");
  const order = publishOrder(["levhub.hello", "levhub.recon", "szczecin.nmap_python"].map((d) => readExample(path.join(root, d)))).map((e) => path.basename(e.dir));
  assert.ok(order.indexOf("levhub.recon") > order.indexOf("levhub.hello"));
  assert.ok(order.indexOf("levhub.recon") > order.indexOf("szczecin.nmap_python"));
});
