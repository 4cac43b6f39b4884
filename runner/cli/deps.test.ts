/**
 * `lev add` against a stand-in for the hub's contract (GET …/versions/{version} and …/archive),
 * and `.lev/deps` as `lev exec` reads it. The real hub is exercised end to end by the hub's tests.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { addPackage, localDependencies, parseAddTarget } from "./deps.ts";
import { archiveDirectory, CliError } from "./hub.ts";

const DEP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../python/tests/fixtures/levdep.net");

let server: http.Server;
let url: string;
let work: string;
const archives = new Map<string, Buffer>();
const versions = new Map<string, unknown>();
const seen: string[] = [];
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "levadd-"));
  // a second package that depends on levdep.net: its closure holds levdep.net
  const top = path.join(work, "src-top");
  await mkdir(path.join(top, "lev/levtop/flows"), { recursive: true });
  await writeFile(path.join(top, "pyproject.toml"), `[project]\nname = "lev.levtop.flows"\nversion = "2.0.0"\ndependencies = ["lev.levdep.net==1.2.0"]\n`);
  await writeFile(path.join(top, "lev/levtop/flows/__init__.py"), "from lev.levdep.net import plain\n");
  const depGz = await archiveDirectory(DEP);
  const topGz = await archiveDirectory(top);
  archives.set("/api/packages/levdep/net/versions/1.2.0/archive", depGz);
  archives.set("/api/packages/levtop/flows/versions/2.0.0/archive", topGz);
  archives.set("/api/packages/levbad/sum/versions/1.0.0/archive", depGz);
  const dep = { namespace: "levdep", name: "net", version: "1.2.0", sha256: sha(depGz) };
  versions.set("/api/packages/levdep/net/versions/latest", { ...dep, dependencies: [] });
  versions.set("/api/packages/levtop/flows/versions/2.0.0", { namespace: "levtop", name: "flows", version: "2.0.0", sha256: sha(topGz), dependencies: [dep] });
  versions.set("/api/packages/levbad/sum/versions/latest", { namespace: "levbad", name: "sum", version: "1.0.0", sha256: "0".repeat(64), dependencies: [] });
  server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
    const body = archives.get(req.url ?? "");
    if (body) return void res.writeHead(200, { "content-type": "application/gzip" }).end(body);
    const v = versions.get(req.url ?? "");
    if (v) return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(v));
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "not_found", message: "no such package" } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
  await rm(work, { recursive: true, force: true });
});

async function project(name: string): Promise<string> {
  const dir = path.join(work, name);
  await mkdir(path.join(dir, "lev/me/flow"), { recursive: true });
  await writeFile(path.join(dir, "pyproject.toml"), `[project]\nname = "lev.me.flow"\nversion = "0.1.0"\ndependencies = ["levrt"]\n`);
  await writeFile(path.join(dir, "lev/me/flow/__init__.py"), "");
  return dir;
}

test("targets: ns.name[@version], lev. prefix allowed", () => {
  assert.deepEqual(parseAddTarget("joe.jsfuck"), { namespace: "joe", name: "jsfuck", version: "latest" });
  assert.deepEqual(parseAddTarget("lev.joe.jsfuck@1.2.0"), { namespace: "joe", name: "jsfuck", version: "1.2.0" });
  for (const bad of ["joe", "joe.js.fuck", "joe.x@", "joe.x@1@2", "../x.y", "joe.x@../1"]) assert.throws(() => parseAddTarget(bad), CliError, bad);
});

test("lev add fetches the version and its closure, checks each sha256, records the pin", async () => {
  const dir = await project("p1");
  const cfg = { url, token: "tok" };
  const v = await addPackage(dir, "levtop.flows@2.0.0", cfg);
  assert.equal(v.version, "2.0.0");
  assert.ok(seen.includes("GET /api/packages/levtop/flows/versions/2.0.0 Bearer tok"));
  assert.ok(existsSync(path.join(dir, ".lev/deps/levtop.flows/lev/levtop/flows/__init__.py")));
  assert.ok(existsSync(path.join(dir, ".lev/deps/levdep.net/lev/levdep/net/__init__.py")));
  assert.match(await readFile(path.join(dir, "pyproject.toml"), "utf8"), /dependencies = \["levrt", "lev\.levtop\.flows==2\.0\.0"\]/);
  const deps = await localDependencies(dir);
  assert.deepEqual(deps.map((d) => [d.namespace, d.name, d.version, d.dir]), [
    ["levdep", "net", "1.2.0", path.join(dir, ".lev/deps/levdep.net")],
    ["levtop", "flows", "2.0.0", path.join(dir, ".lev/deps/levtop.flows")],
  ]);
  // latest, once more: replaced in place
  await addPackage(dir, "levdep.net", cfg);
  assert.match(await readFile(path.join(dir, "pyproject.toml"), "utf8"), /"lev\.levtop\.flows==2\.0\.0", "lev\.levdep\.net==1\.2\.0"\]/);
});

test("a wrong sha256 or a missing package changes nothing in the project", async () => {
  const dir = await project("p2");
  const before = await readFile(path.join(dir, "pyproject.toml"), "utf8");
  await assert.rejects(addPackage(dir, "levbad.sum", { url, token: "t" }), /sha256 is [0-9a-f]{64}, not 0{64}/);
  await assert.rejects(addPackage(dir, "nobody.here", { url, token: "t" }), /: error not_found: no such package$/);
  assert.equal(await readFile(path.join(dir, "pyproject.toml"), "utf8"), before);
  assert.equal(existsSync(path.join(dir, ".lev")), false);
  // a pyproject.toml the requirement cannot be recorded in: refused before anything is unpacked
  const bad = `[project]\nname = "lev.me.flow"\ndependencies = ["levrt" "x"]\n`;
  await writeFile(path.join(dir, "pyproject.toml"), bad);
  await assert.rejects(addPackage(dir, "levtop.flows@2.0.0", { url, token: "tok" }), /pyproject\.toml:3: not valid TOML/);
  assert.equal(await readFile(path.join(dir, "pyproject.toml"), "utf8"), bad);
  assert.equal(existsSync(path.join(dir, ".lev")), false);
});

test(".lev/deps: a directory that is not the package it is named after is an error", async () => {
  const dir = await project("p3");
  assert.deepEqual(await localDependencies(dir), []);
  await cp(DEP, path.join(dir, ".lev/deps/levdep.other"), { recursive: true });
  await assert.rejects(localDependencies(dir), /holds lev\.levdep\.net; it must be named levdep\.net/);
});

test("lev upload never packs .lev/", async () => {
  const dir = await project("p4");
  await cp(DEP, path.join(dir, ".lev/deps/levdep.net"), { recursive: true });
  const { gunzipSync } = await import("node:zlib");
  const tar = gunzipSync(await archiveDirectory(dir)).toString("latin1");
  assert.ok(tar.includes("lev/me/flow/__init__.py"));
  assert.equal(tar.includes(".lev"), false);
});
