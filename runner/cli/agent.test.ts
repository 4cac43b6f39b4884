import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { FakeEngine } from "../test/fake-engine.ts";
import { AgentConfigError, agentConfig, runAgent } from "./agent.ts";

const TOKEN = "ldv_" + "A".repeat(43);

test("agent settings: options before the environment, clear errors for what is missing or malformed", () => {
  const c = agentConfig(["--url", "http://hub.example:3000/", "--capacity", "3", "--name", "laptop"], { LEV_AGENT_TOKEN: TOKEN, LEV_URL: "http://other" });
  assert.equal(c.hubUrl, "http://hub.example:3000");
  assert.equal(c.token, TOKEN);
  assert.equal(c.capacity, 3);
  assert.equal(c.name, "laptop");
  assert.match(c.dataDir, /agent-[0-9a-f]{12}$/);
  // the data directory follows the credential, not the machine's name
  assert.equal(agentConfig(["--name", "other"], { LEV_URL: "http://h", LEV_AGENT_TOKEN: TOKEN }).dataDir, c.dataDir);
  assert.notEqual(agentConfig([], { LEV_URL: "http://h", LEV_AGENT_TOKEN: "ldv_" + "B".repeat(43) }).dataDir, c.dataDir);
  assert.equal(agentConfig(["--url", "https://h"], { LEV_AGENT_TOKEN: TOKEN }).capacity, 2);

  const bad: [string[], Record<string, string>, RegExp][] = [
    [[], { LEV_AGENT_TOKEN: TOKEN }, /--url or LEV_URL/],
    [["--url", "ftp://h"], { LEV_AGENT_TOKEN: TOKEN }, /not http\(s\)/],
    [["--url", "not a url"], { LEV_AGENT_TOKEN: TOKEN }, /not a URL/],
    [["--url", "http://h"], {}, /LEV_AGENT_TOKEN or --token-file/],
    [["--url", "http://h"], { LEV_AGENT_TOKEN: "lwk_" + "A".repeat(43) }, /not a device token/],
    [["--url", "http://h"], { LEV_AGENT_TOKEN: "ldv_short" }, /not a device token/],
    // a secret on the command line is readable by every user of the machine
    [["--url", "http://h", "--token", TOKEN], {}, /--token is refused.*LEV_AGENT_TOKEN or --token-file/],
    [["--url", "http://h", "--capacity", "0"], { LEV_AGENT_TOKEN: TOKEN }, /--capacity '0'/],
    [["--url", "http://h", "--capacity", "1.5"], { LEV_AGENT_TOKEN: TOKEN }, /--capacity '1.5'/],
    [["--url", "http://h", "--name=-x"], { LEV_AGENT_TOKEN: TOKEN }, /--name '-x'/],
    [["--url", "http://h", "--bogus"], { LEV_AGENT_TOKEN: TOKEN }, /bogus/],
    [["--url", "http://h", "stray"], { LEV_AGENT_TOKEN: TOKEN }, /stray/],
  ];
  for (const [args, env, re] of bad) assert.throws(() => agentConfig(args, env), (e: Error) => e instanceof AgentConfigError && re.test(e.message), args.join(" "));
});

/** A hub that knows one device token: register names the device, polls wait briefly and bring nothing. */
async function fakeHub(opts: { refuse?: boolean } = {}) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? "");
    const send = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    req.resume();
    req.on("end", () => {
      if (opts.refuse || req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { error: { code: "unauthorized", message: "no worker credential" } });
      if (req.url === "/api/worker/register") {
        return send(201, { workerId: "w1", instance: randomUUID(), heartbeatMs: 200, pollMs: 200, lostInstances: [], device: { id: "d1", name: "pentest-laptop" } });
      }
      if (req.url === "/api/worker/heartbeat") return send(200, { cancel: [], ended: [] });
      if (req.url === "/api/worker/poll") return void setTimeout(() => send(200, { assign: [], cancel: [] }), 100);
      send(404, { error: { code: "not_found", message: req.url } });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise((r) => server.close(r)) };
}

test("lev agent connects as the device the hub names, polls, and stops on the first Ctrl-C", async () => {
  const hub = await fakeHub();
  const dataDir = await mkdtemp(path.join(tmpdir(), "agent-test-"));
  try {
    const lines: string[] = [];
    let fire: () => void = () => undefined;
    const code = runAgent(
      { ...agentConfig(["--url", hub.url, "--name", "box"], { LEV_AGENT_TOKEN: TOKEN }), dataDir },
      { engine: new FakeEngine(), say: (l) => lines.push(l), signals: { on: (l) => ((fire = l), () => undefined) } },
    );
    const t0 = Date.now();
    while (!lines.some((l) => l.startsWith("connected as device pentest-laptop")) || !hub.seen.includes("/api/worker/poll")) {
      if (Date.now() - t0 > 10_000) throw new Error(`never connected: ${lines.join("\n")}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    fire();
    assert.equal(await code, 0);
    assert.ok(lines.some((l) => l.includes("taking no new one")), lines.join("\n"));
  } finally {
    await hub.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("lev agent with a refused token fails at once with the hub's answer", async () => {
  const hub = await fakeHub({ refuse: true });
  const dataDir = await mkdtemp(path.join(tmpdir(), "agent-test-"));
  try {
    await assert.rejects(
      runAgent({ ...agentConfig(["--url", hub.url], { LEV_AGENT_TOKEN: TOKEN }), dataDir }, { engine: new FakeEngine(), say: () => undefined, signals: { on: () => () => undefined } }),
      /no worker credential/,
    );
  } finally {
    await hub.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test("the token file must be this user's alone: group- or world-readable, a link or a directory is refused", async () => {
  const { chmod, mkdir, symlink, writeFile } = await import("node:fs/promises");
  const { readTokenFile } = await import("./agent.ts");
  const dir = await mkdtemp(path.join(tmpdir(), "lev-agent-token-"));
  try {
    const file = path.join(dir, "token");
    await writeFile(file, `${TOKEN}\n`, { mode: 0o600 });
    assert.equal(agentConfig(["--url", "http://h", "--token-file", file], {}).token, TOKEN);
    for (const mode of [0o644, 0o640, 0o604, 0o620]) {
      await chmod(file, mode);
      assert.throws(() => readTokenFile(file), (e: Error) => e instanceof AgentConfigError && /other users .*chmod 600/.test(e.message), mode.toString(8));
    }
    await chmod(file, 0o400);
    assert.equal(readTokenFile(file), TOKEN);
    const link = path.join(dir, "link");
    await symlink(file, link);
    assert.throws(() => readTokenFile(link), AgentConfigError);
    await mkdir(path.join(dir, "d"), { mode: 0o700 });
    assert.throws(() => readTokenFile(path.join(dir, "d")), /not a regular file/);
    assert.throws(() => readTokenFile(path.join(dir, "missing")), /cannot read the token file/);
    assert.throws(() => readTokenFile(file, 4242), /belongs to another user/);
    assert.throws(() => agentConfig(["--url", "http://h", "--token-file", file], { LEV_AGENT_TOKEN: TOKEN }), /not both/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("lev run --device sends the run to that device by name; without it, no device is named", async () => {
  const bodies: Record<string, unknown>[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d.toString()));
    req.on("end", () => {
      bodies.push(JSON.parse(raw) as Record<string, unknown>);
      res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ id: "r1", number: 1, status: "queued", error: null }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const saved = { url: process.env.LEV_URL, token: process.env.LEV_TOKEN };
  process.env.LEV_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.LEV_TOKEN = "lev_test";
  try {
    const { main } = await import("./main.ts");
    assert.equal(await main(["run", "levhub.hello.greet.hello", "--param", "name=x", "--device", "laptop"]), 0);
    assert.equal(await main(["run", "levhub.hello.greet.hello", "--param", "name=x"]), 0);
    assert.equal(bodies[0].device, "laptop");
    assert.deepEqual(bodies[0].args, { name: "x" });
    assert.ok(!("device" in bodies[1]));
  } finally {
    process.env.LEV_URL = saved.url;
    process.env.LEV_TOKEN = saved.token;
    if (saved.url === undefined) delete process.env.LEV_URL;
    if (saved.token === undefined) delete process.env.LEV_TOKEN;
    await new Promise((r) => server.close(r));
  }
});

test("the agent tells the hub its engine's socket, also when DOCKER_HOST is unset (docker-modem keeps a resolver then)", async () => {
  const { engineFacts } = await import("../worker/registration.ts");
  const { DockerodeEngine } = await import("../src/engine/engine.ts");
  const saved = process.env.DOCKER_HOST;
  delete process.env.DOCKER_HOST;
  try {
    const facts = await engineFacts(new DockerodeEngine());
    assert.match(facts.host, /^unix:\/\/\/\S+docker\.sock$/, facts.host);
  } finally {
    if (saved !== undefined) process.env.DOCKER_HOST = saved;
  }
  process.env.DOCKER_HOST = "unix:///tmp/levhub-agent-test.sock";
  try {
    assert.equal((await engineFacts(new DockerodeEngine())).host, "unix:///tmp/levhub-agent-test.sock");
  } finally {
    if (saved === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved;
  }
});
