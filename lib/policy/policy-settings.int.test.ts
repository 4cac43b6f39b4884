/** The policy page's image settings against the real database: aliases and pull registries. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { Viewer } from "../types.ts";

let hub: TestHub;
let root: Viewer;
let alice: Viewer;

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ root, alice } = await signUpTestUsers());
});
after(async () => {
  await hub?.close();
});

type Rejection = { code?: string; fieldErrors?: Record<string, string> };

test("an admin sets image aliases and pull registries; they are stored, audited and read back", async () => {
  const { getPolicySettings, updatePolicySettings } = await import("./policy-settings.ts");
  const { getSettings } = await import("../platform/settings.ts");
  const { db } = await import("../platform/db.ts");
  const current = await getPolicySettings(root);
  assert.deepEqual(current.imageAliases, {}, "no alias by default");
  assert.deepEqual(current.pullRegistries, [], "never pull by default");
  const saved = await updatePolicySettings(root, { ...current, imageAliases: { "alpine:latest": "levhub/python:bookworm" }, pullRegistries: ["127.0.0.1:5000"] });
  assert.deepEqual(saved.imageAliases, { "alpine:latest": "levhub/python:bookworm" });
  const stored = await getSettings();
  assert.deepEqual(stored.imageAliases, { "alpine:latest": "levhub/python:bookworm" });
  assert.deepEqual(stored.pullRegistries, ["127.0.0.1:5000"]);
  const event = await db().auditEvent.findFirst({ where: { action: "settings.policy" }, orderBy: { createdAt: "desc" } });
  assert.deepEqual((event?.data as { after: { pullRegistries: string[] } }).after.pullRegistries, ["127.0.0.1:5000"]);
});

test("malformed aliases and registries are refused with their field named, and nothing changes", async () => {
  const { getPolicySettings, updatePolicySettings } = await import("./policy-settings.ts");
  const { getSettings } = await import("../platform/settings.ts");
  const current = await getPolicySettings(root);
  const before = JSON.stringify(await getSettings());
  const refused = (field: string) => (e: Rejection) => e.code === "validation" && Boolean(e.fieldErrors?.[field]);
  await assert.rejects(updatePolicySettings(root, { ...current, imageAliases: { "alpine:latest": "" } }), refused("imageAliases"));
  await assert.rejects(updatePolicySettings(root, { ...current, imageAliases: { "Not A Ref": "levhub/python:bookworm" } }), refused("imageAliases"));
  await assert.rejects(updatePolicySettings(root, { ...current, imageAliases: { ".alice.tool": "levhub/python:bookworm" } }), refused("imageAliases"));
  await assert.rejects(updatePolicySettings(root, { ...current, pullRegistries: ["https://127.0.0.1:5000"] }), refused("pullRegistries"));
  await assert.rejects(updatePolicySettings(root, { ...current, pullRegistries: ["127.0.0.1:5000/v2"] }), refused("pullRegistries"));
  await assert.rejects(updatePolicySettings(alice, current), (e: Rejection) => e.code === "forbidden");
  assert.equal(JSON.stringify(await getSettings()), before);
});
