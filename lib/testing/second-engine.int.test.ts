import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Docker from "dockerode";
import { cleanStaleEngines, startSecondEngine, type SecondEngine } from "./second-engine.ts";
import { mountsUnder, netnsList, netnsPids, sh } from "./host-tools.ts";

const IMAGE = "levhub/python:bookworm";
const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Runs a command in a fresh container of `docker` and returns its exit code and output. */
async function runIn(docker: Docker, cmd: string[], binds: string[] = []): Promise<{ code: number; out: string }> {
  const c = await docker.createContainer({ Image: IMAGE, Cmd: cmd, HostConfig: { Binds: binds } });
  try {
    await c.start();
    const { StatusCode } = (await c.wait()) as { StatusCode: number };
    const logs = await c.logs({ stdout: true, stderr: true });
    return { code: StatusCode, out: logs.toString("utf8") };
  } finally {
    await c.remove({ force: true });
  }
}

async function assertGone(engine: { dir: string; netns: string }) {
  assert.equal(existsSync(engine.dir), false, "its directory is removed");
  assert.equal((await netnsList()).includes(engine.netns), false, "its namespace is removed");
  assert.deepEqual(mountsUnder(engine.dir), [], "nothing stays mounted under it");
}

test("a second engine is another host: own docker0, own loopback, shared files, images copied", async (t) => {
  const firstBridge = await sh("ip", ["-br", "addr", "show", "docker0"]);
  const engine: SecondEngine = await startSecondEngine({ name: "harness" });
  t.after(() => engine.stop());

  await t.test("its docker0 is in its namespace, the first engine's is untouched", async () => {
    const inside = await sh("ip", ["-n", engine.netns, "-br", "addr", "show", "docker0"]);
    assert.match(inside, /10\.213\.0\.1\/24/);
    assert.equal(await sh("ip", ["-br", "addr", "show", "docker0"]), firstBridge);
    assert.ok((await netnsPids(engine.netns)).length >= 2, "dockerd and its containerd run in the namespace");
  });

  await t.test("docker save | load copies a base image with the same id, once", async () => {
    const first = await engine.loadImage(IMAGE);
    const source = await new Docker().getImage(IMAGE).inspect();
    assert.equal(first.id, source.Id);
    assert.equal(first.copied, true);
    t.diagnostic(`copying ${IMAGE} took ${(first.ms / 1000).toFixed(1)} s`);
    const again = await engine.loadImage(IMAGE);
    assert.equal(again.copied, false);
  });

  await t.test("bind mounts of host paths work there", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "levhub-bind-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, "in.txt"), "from the host");
    const r = await runIn(engine.docker, ["sh", "-c", "cat /m/in.txt && echo written > /m/out.txt"], [`${dir}:/m`]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /from the host/);
    assert.equal(readFileSync(path.join(dir, "out.txt"), "utf8"), "written\n");
  });

  await t.test("its containers cannot reach the first host's 127.0.0.1 services", async () => {
    const server = net.createServer((s) => s.end("hub\n"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    t.after(() => server.close());
    const port = (server.address() as net.AddressInfo).port;
    // the same probe first reaches a listener of the container's own, so "refused" below is not a broken probe
    const probe = `
import socket
own = socket.socket(); own.bind(("127.0.0.1", ${port})); own.listen(1)
def reach(host):
    s = socket.socket(); s.settimeout(2)
    try:
        s.connect((host, ${port})); return "reached"
    except OSError as e:
        return type(e).__name__
print("own", reach("127.0.0.1"))
own.close()
print("host-loopback", reach("127.0.0.1"))
print("own-bridge", reach("10.213.0.1"))
`;
    const r = await runIn(engine.docker, ["python3", "-c", probe]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /own reached/);
    assert.match(r.out, /host-loopback ConnectionRefusedError/);
    assert.match(r.out, /own-bridge ConnectionRefusedError/);
  });

  await t.test("restart stops its containers and answers again", async () => {
    const c = await engine.docker.createContainer({ Image: IMAGE, Cmd: ["sleep", "300"] });
    await c.start();
    await engine.restart();
    const state = await engine.docker.getContainer(c.id).inspect();
    assert.equal(state.State.Running, false);
    await engine.docker.getContainer(c.id).remove({ force: true });
    assert.ok(await engine.docker.ping());
  });

  await t.test("stop removes the namespace, the mounts and every file", async () => {
    await engine.docker.createContainer({ Image: IMAGE, Cmd: ["sleep", "300"] }).then((c) => c.start());
    await engine.stop();
    await assertGone(engine);
    await engine.stop(); // idempotent
  });
});

test("an engine whose test process was killed (dockerd too) is cleaned up by the next start", async () => {
  // a child process starts an engine and a container there; then it and dockerd are SIGKILLed,
  // leaving containerd, the container's shim, mounts and the namespace behind
  const script = `
import { startSecondEngine } from ${JSON.stringify(path.join(HERE, "second-engine.ts"))};
const e = await startSecondEngine({ name: "crash" });
await e.loadImage(${JSON.stringify(IMAGE)});
const c = await e.docker.createContainer({ Image: ${JSON.stringify(IMAGE)}, Cmd: ["sleep", "300"] });
await c.start();
console.log(JSON.stringify({ dir: e.dir, netns: e.netns }));
setInterval(() => undefined, 1000);
`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      if (buf.includes("\n")) resolve(buf.split("\n")[0]);
    });
    child.once("exit", (code) => reject(new Error(`the child exited (${code}) before starting its engine`)));
  });
  const crashed = JSON.parse(line) as { dir: string; netns: string };
  const dockerd = Number(readFileSync(path.join(crashed.dir, "docker.pid"), "utf8"));
  child.kill("SIGKILL");
  process.kill(dockerd, "SIGKILL");
  await new Promise((r) => setTimeout(r, 300));
  assert.ok((await netnsPids(crashed.netns)).length > 0, "containerd outlived dockerd");

  const removed = await cleanStaleEngines();
  assert.ok(removed.includes(crashed.dir), `removed: ${removed.join(", ")}`);
  await assertGone(crashed);
  const left = (await sh("ps", ["-eo", "args"])).split("\n").filter((l) => l.includes(crashed.dir));
  assert.deepEqual(left, [], "no process of that engine is left");
});
