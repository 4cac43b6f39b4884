/**
 * The worker's side of a debug session against a small hub of its own (HTTP on 127.0.0.1, the
 * protocol's schemas) and the fake engine: the worker's own refusal, input applied in order and
 * acknowledged, output numbered and resent until recorded, continue, and the shell hung up when the
 * hub ends the session.
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { FakeEngine, type FakeExec } from "../test/fake-engine.ts";
import { HubClient } from "./hub-client.ts";
import { DebugSessions } from "./debug-session.ts";
import { INSTANCE_HEADER } from "./protocol.ts";
import { debugOutputRequestSchema, type DebugInput, type DebugOutputRequest } from "./debug-protocol.ts";
import type { Run } from "../src/run/run.ts";

const SESSION = "sess0000abcd";
let server: http.Server;
let url: string;
const posts: DebugOutputRequest[] = [];
/** the frames recorded, by seq */
const recorded = new Map<number, string>();
let streamLines: DebugInput[] = [];
let failNextOutput = 0;
let ended = false;
let instanceSeen = "";

before(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      instanceSeen = String(req.headers[INSTANCE_HEADER] ?? "");
      if (req.url === `/api/worker/debug/${SESSION}/output`) {
        const parsed = debugOutputRequestSchema.parse(JSON.parse(body));
        if (failNextOutput > 0) {
          failNextOutput--;
          res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "unavailable", message: "down" } }));
          return;
        }
        posts.push(parsed);
        let acked = Math.max(0, ...recorded.keys());
        for (const f of parsed.frames) if (f.seq === acked + 1) recorded.set((acked = f.seq), Buffer.from(f.data, "base64").toString());
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ acked, ...(ended ? { end: "closed" } : {}) }));
        return;
      }
      if (req.url === `/api/worker/debug/${SESSION}/stream`) {
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        const after = (JSON.parse(body) as { after: number }).after;
        let sent = 0;
        const tick = setInterval(() => {
          while (sent < streamLines.length) {
            const l = streamLines[sent++];
            if ("seq" in l && l.seq <= after) continue;
            res.write(JSON.stringify(l) + "\n");
            if (l.kind === "end") {
              clearInterval(tick);
              res.end();
              return;
            }
          }
        }, 10);
        res.on("close", () => clearInterval(tick));
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const until = async (what: string, cond: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`no ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

async function setup(target: ReturnType<Run["debugTarget"]>) {
  const engine = new FakeEngine();
  const id = await engine.create({ name: "t", image: "levhub/python:bookworm", labels: {}, env: [], binds: [], readOnlyRoot: true, network: "bridge", capAdd: [], limits: { memoryBytes: 1, nanoCpus: 1, pids: 1 }, logMaxBytes: 1, init: false });
  await engine.start(id);
  let resumed = 0;
  const run = { debugTarget: () => (target.ok ? { ...target, containerId: id } : target), resumeTask: () => (resumed++, true) } as unknown as Run;
  const sessions = new DebugSessions({ hub: new HubClient({ url, token: "lwk_x" }), engine, instance: () => "11111111-1111-4111-8111-111111111111", run: () => run, log: () => undefined });
  return { engine, sessions, resumed: () => resumed };
}

test("the worker refuses a task its runner refuses, and says why", async () => {
  posts.length = 0;
  const { engine, sessions } = await setup({ ok: false, refusal: { reason: "granted", message: "the task runs under a grant" } });
  sessions.serve([{ session: SESSION, runId: "r", task: 1, cols: 80, rows: 24 }]);
  await until("the refusal", () => posts.some((p) => p.end));
  assert.deepEqual(posts.at(-1)?.end, { reason: "refused", message: "the task runs under a grant" });
  assert.equal(engine.execs.length, 0, "no shell was started");
  await until("the session to be gone", () => sessions.size === 0);
});

test("input in order, output numbered and resent until recorded, continue, and the hub's end hangs the shell up", async () => {
  posts.length = 0;
  recorded.clear();
  ended = false;
  streamLines = [
    { seq: 1, kind: "data", data: Buffer.from("id\r").toString("base64") },
    { seq: 2, kind: "resize", cols: 120, rows: 40 },
    { kind: "ping" },
  ];
  const { engine, sessions, resumed } = await setup({ ok: true, containerId: "", paused: true });
  sessions.serve([{ session: SESSION, runId: "r", task: 1, cols: 80, rows: 24 }]);
  sessions.serve([{ session: SESSION, runId: "r", task: 1, cols: 80, rows: 24 }]); // a repeated order opens nothing more
  await until("the shell", () => engine.execs.length === 1);
  const shell: FakeExec = engine.execs[0];
  assert.equal(shell.spec.user, "65534:65534");
  assert.equal(shell.spec.tty, true);
  assert.match(shell.spec.cmd.join(" "), /\/tmp\/\.levhub-debug-sess0000abcd\.pid/);
  await until("the input", () => shell.input.join("") === "id\r" && shell.sizes.some(([c, r]) => c === 120 && r === 40));
  assert.equal(instanceSeen, "11111111-1111-4111-8111-111111111111");
  assert.ok(posts.some((p) => p.opened && p.paused === true), "opened, paused");

  // the hub is away for a moment: the output is sent again, each frame recorded once and in order
  failNextOutput = 2;
  shell.print("uid=65534(nobody)\r\n");
  shell.print("$ ");
  await until("the output recorded", () => [...recorded.values()].join("") === "uid=65534(nobody)\r\n$ ");
  assert.ok(Math.max(...posts.map((p) => p.acked)) >= 2, "the input applied was acknowledged");

  streamLines.push({ seq: 3, kind: "continue" });
  await until("continue", () => resumed() === 1);
  await until("the state said", () => posts.some((p) => p.paused === false));

  // the hub ends the session: the shell is hung up through its pid file, as uid 65534
  streamLines.push({ kind: "end", reason: "closed" });
  ended = true;
  await until("the hang-up", () => engine.execs.length === 2);
  assert.equal(engine.execs[1].spec.user, "65534:65534");
  assert.match(engine.execs[1].spec.cmd.join(" "), /kill -HUP/);
  engine.execs[1].exit(0);
  await until("the session to be gone", () => sessions.size === 0, 10_000);
});
