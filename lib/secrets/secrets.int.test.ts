/**
 * Project secrets on a real PostgreSQL, FerretDB and Docker: owners manage them, members see their
 * names, nobody reads a value back; binding checks who may use which secret in which project; a
 * real run of a package that prints its key plainly, base64-split across lines and inside JSON,
 * and stores it, shows it nowhere (run page, logs, documents, results index, export, audit); the
 * workflow never holds it; a device gets it only over https from a project that allows it; a key
 * rotation re-encrypts every value.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { secretForms } from "../../runner/src/index.ts";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { Viewer } from "../types.ts";

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../e2e/fixtures/leaky");
const VALUE = "SHODAN-k3y-0f9e8d7c6b5a4321";
const CLOUD_VALUE = "cloud-token-1234567890abcdef";
const MINE_VALUE = "alices-own-key-0987654321";

let hub: TestHub;
let root: Viewer;
let alice: Viewer;
let bob: Viewer;
let carol: Viewer;
let dave: Viewer;
let versionId: string;
let shodan: string;
let cloud: string;
let mine: string;
let pkgDir: string;

type Rejection = { code?: string; message?: string; fieldErrors?: Record<string, string> };
const code = (c: string) => (e: Rejection) => e.code === c;
const ref = (id: string) => ({ $lev: "secret", id });

/** No form of any of the values (plain, JSON, hex, base64 at every alignment…) anywhere in `text`. */
function assertNoValue(text: string, what: string) {
  for (const v of [VALUE, CLOUD_VALUE, MINE_VALUE]) {
    for (const form of secretForms(v)) assert.ok(!text.includes(form), `${what} holds '${form}' (a form of a secret)`);
  }
}

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  const { signUp } = await import("../accounts/users.ts");
  ({ root, alice, bob } = await signUpTestUsers());
  carol = await signUp({ email: "carol@example.org", username: "carol", password: "longenough" });
  dave = await signUp({ email: "dave@example.org", username: "dave", password: "longenough" });
  const { createProject } = await import("../projects/projects.ts");
  const { addMember } = await import("../projects/members.ts");
  await createProject(alice, { slug: "acme", name: "ACME", description: "", client: "" });
  await addMember(alice, "acme", { username: "bob", role: "operator" });
  await addMember(alice, "acme", { username: "carol", role: "viewer" });
  // the fixture in alice's namespace, public so the project's members may run it
  pkgDir = mkdtempSync(path.join(tmpdir(), "levhub-leaky-"));
  // mkdtemp's 0700 would travel with the copy: introspection's container user must read it
  chmodSync(pkgDir, 0o755);
  cpSync(FIXTURE, pkgDir, { recursive: true });
  renameSync(path.join(pkgDir, "lev", "__NS__"), path.join(pkgDir, "lev", "alice"));
  writeFileSync(path.join(pkgDir, "pyproject.toml"), readFileSync(path.join(FIXTURE, "pyproject.toml"), "utf8").replaceAll("__NS__", "alice"));
  const { publishDirectory } = await import("../packages/upload.ts");
  versionId = (await publishDirectory(alice, pkgDir, { private: false })).versionId;
});

after(async () => {
  await hub?.close();
  if (pkgDir) rmSync(pkgDir, { recursive: true, force: true });
});

test("owners manage a project's secrets, its members see their names, nobody reads a value back", async () => {
  const { createSecret, listSecrets, updateSecret, deleteSecret } = await import("./secrets.ts");
  const { db } = await import("../platform/db.ts");
  const made = await createSecret(alice, "acme", { name: "SHODAN", value: VALUE, description: "the team's Shodan key", roles: ["owner", "operator"] });
  shodan = made.id;
  cloud = (await createSecret(alice, "acme", { name: "CLOUD", value: CLOUD_VALUE, description: "", roles: ["owner"] })).id;
  mine = (await createSecret(alice, "alice", { name: "MINE", value: MINE_VALUE, description: "", roles: ["operator"] })).id;
  assert.deepEqual([made.name, made.roles, made.personal, made.usable], ["SHODAN", ["owner", "operator"], false, true]);
  assertNoValue(JSON.stringify(made), "what creating a secret answers");
  const asBob = await listSecrets(bob, "acme");
  assert.deepEqual(asBob.map((s) => [s.name, s.usable]), [["CLOUD", false], ["SHODAN", true]]);
  assert.deepEqual((await listSecrets(carol, "acme")).map((s) => [s.name, s.usable]), [["CLOUD", false], ["SHODAN", false]], "a viewer runs nothing");
  assert.deepEqual((await listSecrets(alice, "alice")).map((s) => [s.name, s.roles, s.personal]), [["MINE", ["owner"], true]], "a personal secret is its owner's");
  assertNoValue(JSON.stringify([asBob, await listSecrets(root, "acme")]), "the lists");
  await assert.rejects(createSecret(bob, "acme", { name: "X", value: "xxxxxxxxxx", description: "", roles: ["owner"] }), code("forbidden"));
  await assert.rejects(listSecrets(dave, "acme"), code("not_found"));
  await assert.rejects(listSecrets(bob, "alice"), code("not_found"));
  await assert.rejects(createSecret(alice, "acme", { name: "SHODAN", value: "another-value", description: "", roles: ["owner"] }), (e: Rejection) => e.code === "conflict" && e.fieldErrors?.name === "taken");
  // at rest: ciphertext under the key ring's key, the secret's id bound in
  const rows = await db().secret.findMany({ select: { id: true, ciphertext: true, keyId: true } });
  for (const r of rows) assert.ok(!Buffer.from(r.ciphertext).includes(Buffer.from(VALUE)) && !Buffer.from(r.ciphertext).includes(Buffer.from(CLOUD_VALUE)));
  const { keyRing } = await import("../platform/secrets-key.ts");
  assert.ok(rows.every((r) => r.keyId === keyRing().current.id));
  const keyFile = path.join(hub.dataDir, "secrets.key");
  assert.equal((await import("node:fs")).statSync(keyFile).mode & 0o777, 0o600, "the key file is its owner's alone");
  // a ciphertext copied onto another secret's row does not decrypt there (the id is its associated data)
  const { secretValues } = await import("./values.ts");
  const spare = await createSecret(alice, "acme", { name: "SPARE", value: "spare-value-123", description: "", roles: ["owner"] });
  const shodanRow = rows.find((r) => r.id === shodan)!;
  await db().secret.update({ where: { id: spare.id }, data: { ciphertext: shodanRow.ciphertext } });
  await assert.rejects(secretValues([spare.id]), /could not be decrypted/);
  // a new value replaces the old, unseen; the description and roles change; admins may, audited so
  await updateSecret(root, "acme", spare.id, { value: "a-new-spare-value", description: "rotated" });
  assert.equal((await secretValues([spare.id])).get(spare.id)?.value, "a-new-spare-value");
  await deleteSecret(alice, "acme", spare.id);
  const audited = await db().auditEvent.findMany({ where: { action: { startsWith: "secret." } }, orderBy: { id: "asc" } });
  assert.deepEqual(audited.map((a) => a.action), ["secret.create", "secret.create", "secret.create", "secret.create", "secret.update", "secret.delete"]);
  assert.equal((audited[4].data as { asAdmin?: boolean }).asAdmin, true);
  assertNoValue(JSON.stringify(audited.map((a) => a.data)), "the audit rows");
});

test("binding: a project's secret serves its own runs and the roles it names; a personal one its owner anywhere", async () => {
  const { resolveRunTarget } = await import("../runs/target.ts");
  const { db } = await import("../platform/db.ts");
  const acmeId = (await db().project.findUniqueOrThrow({ where: { slug: "acme" } })).id;
  const bobsId = (await db().project.findUniqueOrThrow({ where: { slug: "bob" } })).id;
  const target = (viewer: Viewer, key: unknown, projectId = acmeId) => resolveRunTarget(viewer, { ref: { versionId }, function: "leak", args: { key }, projectId });
  const t = await target(bob, ref(shodan));
  assert.deepEqual(t.refs.secret, [shodan], "the one typed-reference path carries the secret's id");
  const { boundSecrets } = await import("./bind.ts");
  assert.deepEqual((await boundSecrets(t.refs.secret, t.args)).map((s) => [s.name, s.param]), [["SHODAN", "key"]]);
  assert.deepEqual(t.args, { key: ref(shodan) }, "the arguments hold the reference only");
  // one the viewer sees but may not use: its reason (422); one they may not see reads as missing (404)
  const refused = async (p: Promise<unknown>, code: string, pattern: RegExp) =>
    assert.rejects(p, (e: Rejection) => {
      assert.equal(e.code, code);
      assert.match(e.fieldErrors?.["args.key"] ?? "", pattern);
      return true;
    });
  await refused(target(bob, ref(cloud)), "validation", /may be used by the project's owners, not by an operator/);
  await refused(target(bob, ref(shodan), bobsId), "validation", /belongs to another project/);
  await refused(target(bob, ref(mine)), "not_found", /no such secret/);
  await refused(target(dave, ref(shodan), (await db().project.findUniqueOrThrow({ where: { slug: "dave" } })).id), "not_found", /no such secret/);
  await refused(target(bob, ref("no-such-secret-00000000")), "not_found", /no such secret/);
  await refused(target(bob, VALUE), "validation", /must be one of the project's secrets/);
  assert.deepEqual((await target(alice, ref(mine))).refs.secret, [mine], "alice's own, in a team project");
  assert.deepEqual((await target(alice, ref(cloud))).refs.secret, [cloud]);
  // the run form's picker: what each may bind, and where
  const { secretChoices } = await import("./bind.ts");
  assert.deepEqual((await secretChoices(bob)).map((c) => [c.name, c.project]), [["SHODAN", "acme"]]);
  assert.deepEqual((await secretChoices(alice)).map((c) => [c.name, c.project]), [["CLOUD", "acme"], ["MINE", null], ["SHODAN", "acme"]]);
  assert.deepEqual(await secretChoices(carol), []);
});

test("a real run: the tool gets the key, and nothing the hub shows, stores or exports holds it", { timeout: 600_000 }, async () => {
  await hub.startWorker();
  const { startRun, waitForRun, getRun, runDocuments } = await import("../runs/index.ts");
  const { listDocuments } = await import("../results/documents.ts");
  const { exportDocuments } = await import("../results/export.ts");
  const { db } = await import("../platform/db.ts");
  const started = await startRun(bob, { versionId, function: "leak", args: { key: ref(shodan), target: "127.0.0.1" }, project: "acme" });
  const run = await waitForRun(bob, started.id);
  assert.equal(run.status, "succeeded", JSON.stringify(run.error));
  assert.deepEqual(run.args, { key: ref(shodan), target: "127.0.0.1" });
  assert.deepEqual(run.secretNames, { [shodan]: "SHODAN" });
  const detail = await getRun(alice, started.id);
  const lines = detail.logs.map((l) => l.line);
  assert.ok(lines.some((l) => l === "using key ••••(secret SHODAN) against 127.0.0.1"), lines.join("\n"));
  assert.ok(lines.filter((l) => l.includes("••••(secret SHODAN)")).length >= 4, "the plain line, the base64 pieces and the JSON line are masked");
  const docs = await runDocuments(alice, started.id);
  const doc = docs.find((d) => d.task === 1)?.doc as Record<string, unknown>;
  assert.equal(doc.same, true, "the tool received the value, through env and Secret.value() alike");
  assert.equal(doc.key, "••••(secret SHODAN)");
  const index = await listDocuments(alice, { run: started.id }, {});
  const { stream } = await exportDocuments(alice, { run: started.id }, "json");
  const exported = await new Response(stream).text();
  const audit = (await db().auditEvent.findMany({ orderBy: { id: "asc" } })).filter((a) => a.target === started.id || (a.data as { run?: string } | null)?.run === started.id);
  assert.deepEqual(audit.map((a) => a.action), ["run.start", "secret.use", "secret.deliver"]);
  assert.deepEqual((audit[0].data as { args: unknown }).args, { key: ref(shodan), target: "127.0.0.1" }, "the run's arguments, by reference");
  assert.equal((audit[1].data as { run: string }).run, started.id);
  const store = await db().runLog.findMany({ where: { runId: started.id } });
  assertNoValue(JSON.stringify({ detail, docs, index, exported, audit: audit.map((a) => a.data), store }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)), "the run's page, documents, index, export, audit and log rows");
  assert.ok((await db().secret.findUniqueOrThrow({ where: { id: shodan } })).lastUsedAt, "lastUsedAt is set");
});

test("the workflow holds a handle only: str, env, value(), a command line and concatenation get it nothing", { timeout: 600_000 }, async () => {
  const { startRun, waitForRun, runDocuments } = await import("../runs/index.ts");
  const started = await startRun(alice, { versionId, function: "exfiltrate", args: { key: ref(shodan) }, project: "acme" });
  const run = await waitForRun(alice, started.id);
  assert.equal(run.status, "succeeded", JSON.stringify(run.error));
  const docs = await runDocuments(alice, started.id);
  const tries = (docs.find((d) => d.task === 0)?.doc as { tries: Record<string, unknown> }).tries;
  assert.equal(tries.str, `{"$lev":"secret","id":"${shodan}"}`);
  assert.equal(tries.env, false);
  assert.match(String(tries.value), /^refused: the value of secret 'SHODAN' is only in a tool container/);
  assert.match(String(tries.cmd), /^refused: .*command line/);
  assert.match(String(tries.concat), /^refused: .*whole env value/);
  // Python's json.dumps escapes the bullets: read it back as JSON
  assert.match(JSON.stringify(JSON.parse(String(tries.read_back))), /••••\(secret SHODAN\)/);
  assertNoValue(JSON.stringify({ run, docs }), "the workflow's run");
});

test("a device gets secrets only from projects that allow it, and only over https", async () => {
  const { startRun } = await import("../runs/index.ts");
  const { createDevice } = await import("../devices/devices.ts");
  const { updateProject } = await import("../projects/projects.ts");
  const { workerFromToken } = await import("../queue/credentials.ts");
  const { registerWorker } = await import("../queue/workers.ts");
  const { secretsForWorker } = await import("../worker/worker-secrets.ts");
  const { admitRunSecrets } = await import("../worker/admission.ts");
  const { INSTANCE_HEADER } = await import("../../runner/worker/protocol.ts");
  const { db } = await import("../platform/db.ts");
  const { token } = await createDevice(bob, "laptop");
  await assert.rejects(startRun(bob, { versionId, function: "leak", args: { key: ref(shodan) }, project: "acme", device: "laptop" }), (e: Rejection) => e.code === "validation" && /may not be sent to device laptop/.test(e.fieldErrors?.device ?? ""));
  await updateProject(alice, "acme", { secretsOnDevices: true });
  const queued = await startRun(bob, { versionId, function: "leak", args: { key: ref(shodan) }, project: "acme", device: "laptop" });
  // the device's agent holds it (as a claim would leave it)
  const caller = (await workerFromToken(token))!;
  let seq = 0;
  const reg = await registerWorker({ ...caller, requestSeq: ++seq }, { protocol: 3, name: "laptop", version: "test", engine: { host: "unix:///x", version: "1" }, capacity: 1, labels: { hostNetwork: false } });
  await db().run.update({ where: { id: queued.id }, data: { status: "running", workerInstance: reg.instance } });
  // as the route does: admitted first (the instance named in its header must hold the run), then the body
  const askFor = async (runId: string, hubScheme: "http" | "https" | "unix") => {
    const req = new Request(`http://hub/api/worker/runs/${runId}/secrets`, { method: "POST", headers: { [INSTANCE_HEADER]: reg.instance } });
    const admitted = await admitRunSecrets({ worker: { ...caller, requestSeq: ++seq }, params: { id: runId }, req });
    try {
      return await secretsForWorker(admitted, { instance: reg.instance, hubScheme });
    } finally {
      admitted.release();
    }
  };
  const ask = (hubScheme: "http" | "https" | "unix") => askFor(queued.id, hubScheme);
  await assert.rejects(ask("http"), (e: Rejection) => e.code === "validation" && /only over https/.test(e.message ?? ""));
  const got = await ask("https");
  assert.deepEqual(got.secrets[shodan], { kind: "secret", name: "SHODAN", value: VALUE });
  // the project changes its mind: a run already queued is refused at delivery
  await updateProject(alice, "acme", { secretsOnDevices: false });
  await assert.rejects(ask("https"), /keeps its secrets on the hub's workers/);
  // another instance, or a run not held, gets nothing
  await assert.rejects(askFor("no-such-run", "https"), code("not_found"));
  // this run's deliveries and refusals (the earlier run's delivery of the same secret is not one of them)
  const actions = (await db().auditEvent.findMany({ where: { action: { in: ["secret.deliver", "secret.refused"] } }, orderBy: { id: "asc" } }))
    .filter((a) => (a.data as { run?: string } | null)?.run === queued.id)
    .map((a) => a.action);
  assert.deepEqual(actions, ["secret.refused", "secret.deliver", "secret.refused"]);
  await db().run.update({ where: { id: queued.id }, data: { status: "failed", workerInstance: null } });
});

test("rotating the key re-encrypts every value in one go; the old key file goes; an unknown key is refused clearly", async () => {
  const { rotateSecretsKey } = await import("./rotate.ts");
  const { secretValues } = await import("./values.ts");
  const { keyRing } = await import("../platform/secrets-key.ts");
  const { db } = await import("../platform/db.ts");
  const before = keyRing({ fresh: true }).current.id;
  const r = await rotateSecretsKey(process.env, hub.dataDir);
  assert.equal(r.source, "file");
  assert.deepEqual(r.from, [before]);
  assert.notEqual(r.to, before);
  assert.ok((await db().secret.findMany()).every((s) => s.keyId === r.to));
  // this process had the old ring: it reads the new key by itself
  const values = await secretValues([shodan, cloud, mine]);
  assert.deepEqual([...values.values()].map((v) => v.value), [VALUE, CLOUD_VALUE, MINE_VALUE]);
  assert.deepEqual(readdirSync(hub.dataDir).filter((f) => f.startsWith("secrets.key")), ["secrets.key"], "no key file is left behind");
  // a value encrypted with a key the hub does not have: refused, saying which key
  await db().secret.update({ where: { id: cloud }, data: { keyId: "0123456789abcdef" } });
  await assert.rejects(secretValues([cloud]), /encrypted with key 0123456789abcdef, which this hub does not have/);
  await db().secret.update({ where: { id: cloud }, data: { keyId: r.to } });
  assert.ok(existsSync(path.join(hub.dataDir, "secrets.key")));
});
