import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { archiveDirectory, CliError, hubError, scaffold, splitTarget } from "./hub.ts";

test("run targets split into package and function, functions may hold dots", () => {
  assert.deepEqual(splitTarget("levhub.hello.greet.hi"), { package: "levhub.hello", function: "greet.hi" });
  assert.deepEqual(splitTarget("szczecin.nmap_python.server_port"), { package: "szczecin.nmap_python", function: "server_port" });
  assert.throws(() => splitTarget("levhub.hello"), CliError);
  assert.throws(() => splitTarget("a..b"), CliError);
});

test("lev new writes a package skeleton and archiveDirectory packs it without caches", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "levnew-"));
  try {
    const root = await scaffold("alice.probe", path.join(dir, "alice.probe"));
    assert.match(await readFile(path.join(root, "pyproject.toml"), "utf8"), /name = "lev\.alice\.probe"/);
    assert.match(await readFile(path.join(root, "lev/alice/probe/__init__.py"), "utf8"), /__lev__ = annot\.meta/);
    await assert.rejects(scaffold("alice.probe", root), /already exists/);
    await assert.rejects(scaffold("Bad-Name", path.join(dir, "x")), /not <ns>\.<name>/);
    const tar = gunzipSync(await archiveDirectory(root)).toString("latin1");
    for (const f of ["pyproject.toml", "main.py", "lev/alice/probe/tool.py", "lev/alice/probe/asset.py"]) assert.ok(tar.includes(f), f);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a hub's error prints as `error <code>: message`, then its field errors and problems; an answer without the hub's shape names the HTTP status", () => {
  const e = hubError(
    { status: 422, statusText: "Unprocessable Entity" },
    JSON.stringify({ error: { code: "validation", message: "invalid args.port", fieldErrors: { "args.port": "expected an integer" }, problems: [{ severity: "error", where: "hello.greet", code: "unknown-param", message: "one more thing" }] } }),
  );
  assert.equal(e.code, "validation");
  assert.equal(e.message, "error validation: invalid args.port\n  args.port: expected an integer\n  hello.greet: one more thing");
  const gone = hubError({ status: 404, statusText: "Not Found" }, JSON.stringify({ error: { code: "not_found", message: "run not found" } }));
  assert.deepEqual([gone.code, gone.message], ["not_found", "error not_found: run not found"]);
  const proxy = hubError({ status: 502, statusText: "Bad Gateway" }, "<html>upstream down</html>");
  assert.deepEqual([proxy.code, proxy.message], [null, "error 502: <html>upstream down</html>"]);
  const empty = hubError({ status: 503, statusText: "Service Unavailable" }, "");
  assert.equal(empty.message, "error 503: Service Unavailable");
  // a body that is JSON but not the hub's shape: no code is made up from it
  const odd = hubError({ status: 500, statusText: "Internal Server Error" }, JSON.stringify({ error: { code: 7, message: ["x"] } }));
  assert.deepEqual([odd.code, odd.message.split("\n")[0]], [null, `error 500: ${JSON.stringify({ error: { code: 7, message: ["x"] } })}`]);
});

test("lev login describes the token: scopes, namespace limit, expiry", async () => {
  const { describeToken } = await import("./hub.ts");
  const now = Date.parse("2027-01-01T00:00:00Z");
  assert.equal(describeToken({ scopes: ["read", "run"], namespace: null, expiresAt: "2027-04-01T00:00:00.000Z" }, now), "scopes read, run; expires 2027-04-01 (in 90 days)");
  assert.equal(describeToken({ scopes: ["publish"], namespace: "alice", expiresAt: "2027-01-01T12:00:00.000Z" }, now), "scopes publish; only namespace alice; expires 2027-01-01 (today)");
});
