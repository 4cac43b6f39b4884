/**
 * The tests' scan target (netns-target.ts) on the real machine and Docker engine: a container on a
 * user-defined bridge reaches its open ports and not its shut ones, and nothing is left afterwards.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import Docker from "dockerode";
import { netnsList, sh } from "./host-tools.ts";
import { cleanStaleTargets, createNetnsTarget } from "./netns-target.ts";

const docker = new Docker();

/** TCP connects from a container on `network` to each port: "open" or the error's name. */
async function probe(network: string, ip: string, ports: number[]): Promise<Record<string, string>> {
  const code = `
import json, socket
out = {}
for p in ${JSON.stringify(ports)}:
    s = socket.socket(); s.settimeout(3)
    try:
        s.connect((${JSON.stringify(ip)}, p)); out[str(p)] = "open"
    except OSError as e:
        out[str(p)] = type(e).__name__
    finally:
        s.close()
print(json.dumps(out))`;
  const chunks: Buffer[] = [];
  // a TTY: one plain stream, no multiplexing headers to strip
  const c = await docker.createContainer({ Image: "levhub/python:bookworm", Cmd: ["python3", "-c", code], Tty: true, HostConfig: { NetworkMode: network, AutoRemove: false } });
  try {
    const stream = await c.attach({ stream: true, stdout: true, stderr: false });
    stream.on("data", (d: Buffer) => chunks.push(d));
    await c.start();
    await c.wait();
    const text = Buffer.concat(chunks).toString("utf8");
    return JSON.parse(text.slice(text.indexOf("{")).trim());
  } finally {
    await c.remove({ force: true });
  }
}

test("a target in its own namespace: reachable from a run-like bridge, ports open and shut, gone at close", async () => {
  const net = await docker.createNetwork({ Name: `levtgt-test-${process.pid}`, Driver: "bridge" });
  try {
    await using target = await createNetnsTarget();
    assert.match(target.ip, /^10\.231\.\d+\.2$/);
    assert.ok((await netnsList()).includes(target.netns));
    const open = await target.open();
    const other = await target.open();
    await target.shut(other);
    assert.deepEqual(await probe(`levtgt-test-${process.pid}`, target.ip, [open, other]), { [open]: "open", [other]: "ConnectionRefusedError" });
    await target.close();
    assert.equal((await netnsList()).includes(target.netns), false, "the namespace is gone");
    assert.equal((await sh("ip", ["-o", "link", "show"])).includes(`${target.parent}@`), false, "and the machine's end of the veth");
  } finally {
    await net.remove();
  }
});

test("a crashed test's target is removed by the next one", async () => {
  const ns = "levtgt-999999-250";
  await sh("ip", ["netns", "add", ns]);
  assert.deepEqual(await cleanStaleTargets(), [ns]);
  assert.equal((await netnsList()).includes(ns), false);
});
