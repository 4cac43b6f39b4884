/**
 * Secrets through a run on the fake engine, played as a package trying every way to get a secret
 * into the workflow container or an unmasked channel: the workflow gets a handle (name only), a
 * Cr's env forwards the value to that tool alone, every other use is refused, and what the tool
 * prints, stores or fails with comes out masked — to the run's logs, its documents, its errors,
 * and the workflow reading them back.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { channelClient, FakeEngine, MemoryStore, type FakeContainer } from "../../test/fake-engine.ts";
import { restrictedPolicy } from "../policy/policy.ts";
import type { RunRefs } from "../refs.ts";
import { secretToken } from "../secrets/env.ts";
import { maskLabel } from "../secrets/mask.ts";
import type { RunResult } from "../types.ts";
import { DEFAULT_BASE_IMAGES, Runner } from "./runner.ts";

const PKG = path.resolve(import.meta.dirname, "../../test/fixtures/levtest.cases");
const PY = "levhub/python:bookworm";
const ID = "shodan-key-0123456789ab";
const OTHER = "not-this-runs-secret-00";
const VALUE = "SHODAN-v4lue-9f8e7d6c5b4a";
const M = maskLabel("shodan");
const refs: RunRefs = { [ID]: { kind: "secret", name: "shodan", value: VALUE } };
let work: string;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "run-secrets-"));
});
after(() => rm(work, { recursive: true, force: true }));

type Client = Awaited<ReturnType<typeof channelClient>>;

/** A run whose workflow is `workflow` and whose tools are `tool` (both given their channel). */
function play(workflow: (ch: Client) => Promise<number>, tool: (c: FakeContainer, ch: Client) => Promise<number> = async () => 0) {
  const engine = new FakeEngine();
  const store = new MemoryStore();
  const policy = restrictedPolicy({ refs: {}, base: DEFAULT_BASE_IMAGES, any: false });
  const runner = new Runner({ engine, store, policy, workDir: work });
  engine.onStart = (c: FakeContainer) => {
    const role = c.spec.labels["zone.lev.role"];
    if (role !== "workflow" && role !== "tool") return;
    void (async () => {
      const ch = await channelClient(FakeEngine.socketOf(c));
      try {
        c.exit(role === "workflow" ? await workflow(ch) : await tool(c, ch));
      } finally {
        ch.close();
      }
    })();
  };
  const start = (args: Record<string, unknown> = { key: { $lev: "secret", id: ID } }) =>
    runner.start({ packageDir: PKG, function: "wf", args, refs, job: 1, owner: "t" }).result;
  return { engine, store, start };
}

const envOf = (c: FakeContainer, key: string) => c.spec.env.find((e) => e.startsWith(`${key}=`))?.slice(key.length + 1);
const allText = (r: RunResult, store: MemoryStore) => JSON.stringify({ r, docs: [...store.docs.values()] });

test("the workflow holds a handle; the value reaches only the tool whose Cr forwards it", async () => {
  const { engine, store, start } = play(async (ch) => {
    for (const env of [[`API_KEY=${secretToken(ID)}`, "MODE=x"], ["MODE=y"]]) {
      const s = await ch.request("start", { cr: { image: PY, schema: "t/s.m", cmd: ["x"], env } });
      assert.equal(s.ok, true, JSON.stringify(s));
      await ch.request("wait", { task: (s.result as { task: number }).task });
    }
    return 0;
  });
  const r = await start();
  assert.equal(r.status, "succeeded", JSON.stringify(r.error));
  const wf = [...engine.containers.values()].find((c) => c.spec.labels["zone.lev.role"] === "workflow")!;
  assert.deepEqual(JSON.parse(envOf(wf, "LEV_CALL")!).args, { key: { $lev: "secret", id: ID, name: "shodan" } });
  assert.ok(!wf.spec.env.join("\n").includes(VALUE), "never the value in the workflow container");
  const [forwarding, other] = engine.tools();
  assert.equal(envOf(forwarding, "API_KEY"), VALUE);
  assert.deepEqual(JSON.parse(envOf(forwarding, "LEV_SECRETS")!), { [ID]: "API_KEY" });
  assert.ok(!other.spec.env.join("\n").includes(VALUE), "a tool that does not forward it does not get it");
  assert.equal(envOf(other, "LEV_SECRETS"), undefined);
  assert.ok(!allText(r, store).includes(VALUE));
});

test("every other way to use a secret is refused before a container exists", async () => {
  const tries: [string, Record<string, unknown>][] = [
    ["a secret of another run, by its token", { env: [`K=${secretToken(OTHER)}`] }],
    ["part of an env value", { env: [`AUTH=Bearer ${secretToken(ID)}`] }],
    ["the id inside a value", { env: [`K=${ID}`] }],
    ["on the command line", { cmd: ["--key", secretToken(ID)] }],
    ["written into a file", { files: { "/etc/key": { b64: Buffer.from(secretToken(ID)).toString("base64") } } }],
    ["as a file reference", { files: { "/etc/key": { $lev: "file", id: ID } } }],
    ["a secret reference as a file", { files: { "/etc/key": { $lev: "secret", id: ID } } }],
    ["in a service's env, partly", { services: { db: { image: PY, env: [`X=pre${secretToken(ID)}`] } } }],
  ];
  const replies: Record<string, unknown>[] = [];
  const { engine, start } = play(async (ch) => {
    for (const [, cr] of tries) replies.push(await ch.request("start", { cr: { image: PY, schema: "t/s.m", cmd: ["x"], ...cr } }));
    return 0;
  });
  const r = await start();
  assert.equal(r.status, "succeeded");
  for (const [i, [what]] of tries.entries()) {
    assert.equal(replies[i].ok, false, what);
    assert.equal((replies[i].error as { type: string }).type, "InvalidRequest", `${what}: ${JSON.stringify(replies[i])}`);
  }
  assert.equal(engine.tools().length, 0, "no tool container was created");
});

test("what a tool prints, stores and fails with is masked before it leaves the runner, the workflow's reads included", async () => {
  let readBack: unknown = null;
  const { store, start } = play(
    async (ch) => {
      const s = await ch.request("start", { cr: { image: PY, schema: "t/s.m", cmd: ["x"], env: [`API_KEY=${secretToken(ID)}`] } });
      const task = (s.result as { task: number }).task;
      const w = await ch.request("wait", { task });
      readBack = { doc: (await ch.request("find_one", { coll: "t/s.m", task, query: null, projection: null })).result, wait: w };
      return 0;
    },
    async (c, ch) => {
      const value = envOf(c, "API_KEY")!;
      const b64 = Buffer.from(`key: ${value}`).toString("base64");
      const out = (s: string) => c.listener!("stdout", Buffer.from(s));
      out(`plain ${value}\n`);
      out(`${b64.slice(0, 10)}\n${b64.slice(10, 21)}\n${b64.slice(21)}\n`);
      out(`${JSON.stringify({ key: value })}\n`);
      c.listener!("stderr", Buffer.from(`half ${value.slice(0, 12)}`));
      await ch.request("put", { fields: { key: value, nested: { b64, pieces: [value.slice(0, 9), value.slice(9)] } } });
      await ch.request("error", { type: "ValueError", message: `bad key ${value}`, traceback: `Traceback\n  key=${JSON.stringify(value)}` });
      return 1;
    },
  );
  const r = await start();
  const text = allText(r, store) + JSON.stringify(readBack);
  assert.ok(!text.includes(VALUE), text);
  for (const form of [Buffer.from(VALUE).toString("hex"), VALUE.slice(0, 12)]) assert.ok(!text.includes(form), form);
  const lines = r.logs.filter((l) => l.task === 1).map((l) => l.line);
  assert.ok(lines.includes(`plain ${M}`), lines.join("\n"));
  assert.ok(lines.includes(`{"key":"${M}"}`));
  assert.ok(lines.includes(`half ${M}`), "a beginning left at the stream's end is masked");
  const [doc] = [...store.docs.values()];
  assert.equal(doc.key, M);
  assert.deepEqual((doc.nested as { pieces: string[] }).pieces, [M, M]);
  assert.match(r.tasks[0].error?.message ?? "", /ValueError: bad key ••••\(secret shodan\)$/);
  assert.match(r.tasks[0].error?.traceback ?? "", new RegExp(`key="${M.replace(/[()]/g, "\\$&")}"`));
  assert.match(JSON.stringify(readBack), /secret shodan/, "the workflow read back the masked document and error");
});
