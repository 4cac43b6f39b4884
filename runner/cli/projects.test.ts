import assert from "node:assert/strict";
import { test } from "node:test";
import { standInHub } from "../test/stand-in-hub.ts";
import { CliError } from "./hub.ts";
import { projectCommand, projectLine, ProjectUsageError } from "./projects.ts";

const hub = standInHub();
const { seen, cfg } = hub;

const acme = { slug: "acme", name: "ACME pentest", description: "", client: "ACME", windowStart: "2026-12-01T09:00:00.000Z", windowEnd: null, personal: false, role: "owner", memberCount: 3 };

async function call(args: string[]): Promise<{ code: number; lines: unknown[] }> {
  const lines: unknown[] = [];
  const code = await projectCommand(args, (v) => lines.push(v), cfg);
  return { code, lines };
}

test("project create sends the API's fields, the window from --from/--until", async () => {
  seen.length = 0;
  hub.reply = () => [201, acme];
  const { code, lines } = await call(["create", "acme", "--name", "ACME pentest", "--client", "ACME", "--from", "2026-12-01T09:00:00Z"]);
  assert.equal(code, 0);
  assert.deepEqual(seen, [{ method: "POST", url: "/api/projects", body: { slug: "acme", name: "ACME pentest", client: "ACME", windowStart: "2026-12-01T09:00:00Z" } }]);
  assert.equal(lines[0], "created project acme  ACME pentest  owner  3 members  2026-12-01T09:00:00.000Z → …");
});

test("members: add (operator by default), set-role, remove go to the member routes, names encoded", async () => {
  seen.length = 0;
  hub.reply = (method) =>
    method === "POST" ? [201, { username: "bob", name: null, role: "operator" }] : method === "PATCH" ? [200, { username: "bob", role: "viewer", scansDisabled: 2 }] : [200, { removed: "bob", scansDisabled: 0 }];
  assert.deepEqual((await call(["add-member", "acme", "bob"])).lines, ["added bob to acme as operator"]);
  assert.deepEqual((await call(["set-role", "acme", "bob", "viewer"])).lines, ["bob is now viewer of acme; 2 of their scans there were disabled"]);
  assert.deepEqual((await call(["remove-member", "acme", "bob"])).lines, ["removed bob from acme"]);
  assert.deepEqual(
    seen.map((s) => [s.method, s.url, s.body]),
    [
      ["POST", "/api/projects/acme/members", { username: "bob", role: "operator" }],
      ["PATCH", "/api/projects/acme/members/bob", { role: "viewer" }],
      ["DELETE", "/api/projects/acme/members/bob", undefined],
    ],
  );
});

test("list, show and the hub's refusals", async () => {
  hub.reply = (_m, url) => (url === "/api/projects" ? [200, [{ ...acme, slug: "alice", name: "alice", personal: true, memberCount: 1, windowStart: null }, acme]] : [404, { error: { code: "not_found", message: "project nope not found" } }]);
  assert.deepEqual((await call(["list"])).lines, ["alice  alice (personal)  owner  1 member  no window\nacme  ACME pentest  owner  3 members  2026-12-01T09:00:00.000Z → …"]);
  await assert.rejects(call(["show", "nope"]), (e: Error) => e instanceof CliError && /project nope not found/.test(e.message));
  await assert.rejects(call(["set-role", "acme", "bob", "admin"]), ProjectUsageError);
  await assert.rejects(call(["frobnicate"]), ProjectUsageError);
  await assert.rejects(call(["create", "acme"]), ProjectUsageError);
  assert.equal(projectLine({ ...acme, role: null }), "acme  ACME pentest  not a member  3 members  2026-12-01T09:00:00.000Z → …");
});

test("project scope show and set: the file is the API's body, the answer shown in words", async () => {
  const { mkdtemp, writeFile } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = await mkdtemp(join(tmpdir(), "lev-scope-"));
  const file = join(dir, "scope.json");
  const body = { scope: { allow: ["10.231.0.0/16"], exclude: ["10.231.5.0/24"], services: [] }, requireEnforcement: true };
  await writeFile(file, JSON.stringify(body));
  seen.length = 0;
  const stored = { ...body, allowHostNetwork: false, enforcedByNetwork: false, canEdit: true };
  hub.reply = (method) => (method === "PUT" ? [200, stored] : [200, { scope: null, requireEnforcement: false, allowHostNetwork: false }]);
  const set = await call(["scope", "set", "acme", "--file", file]);
  assert.deepEqual(seen, [{ method: "PUT", url: "/api/projects/acme/scope", body }]);
  assert.equal(
    set.lines[0],
    "scope of acme set\nallowed: 10.231.0.0/16\nexcluded: 10.231.5.0/24\nservices: none\nrequire enforcement: yes; host network allowed: no\n(checked by the hub on every target; recorded, not yet enforced by the network)",
  );
  assert.deepEqual((await call(["scope", "show", "acme"])).lines, ["unscoped: runs may target anything"]);
  await assert.rejects(call(["scope", "set", "acme"]), ProjectUsageError);
  await assert.rejects(call(["scope", "set", "acme", "--file", join(dir, "missing.json")]), ProjectUsageError);
  await writeFile(file, "{not json");
  await assert.rejects(call(["scope", "set", "acme", "--file", file]), ProjectUsageError);
  await assert.rejects(call(["scope", "drop", "acme"]), ProjectUsageError);
});
