/**
 * Attack corpus, issue 16 point 2: a host-network tool with NET_RAW on the hub's machine reads
 * loopback. The hub is set up as `npm start` sets it up (the embedded PostgreSQL, the results
 * store, the in-process worker talking to the hub), a sniffer container captures every frame on
 * every interface while the worker heartbeats and polls, a run of bob's goes through and alice uses
 * the API with her token over TCP. What alice sends is hers to expose; nothing the hub itself sends
 * may carry a secret: no worker or device token, no PostgreSQL startup or password, no other
 * user's run arguments or results.
 *
 * The machine may be shared with other hubs and tests, whose traffic the capture holds too: what
 * counts is this hub's (its credentials' prefixes, its PostgreSQL's ports, its random marker).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { startQueueCluster, type QueueCluster } from "../testing/queue-cluster.ts";
import { HELLO, settled } from "../testing/queue-faults.ts";
import { listeningTcpPorts, startSniffer, tcpSegments } from "../testing/sniffer.ts";
import type { Viewer } from "../types.ts";

const HEARTBEAT_MS = 300;
let cluster: QueueCluster;
let bob: Viewer;
let helloVersion: string;

before(async () => {
  cluster = await startQueueCluster({ heartbeatMs: HEARTBEAT_MS });
  const { signUp } = await import("../accounts/users.ts");
  bob = await signUp({ email: "bob@example.org", username: "bob", password: "longenough" });
  helloVersion = (await cluster.publishDirectory(HELLO)).versionId;
  // the worker npm start runs in its own process, on this machine's engine
  await cluster.startWorker({ name: "hub", hostNetwork: true });
});
after(async () => {
  await cluster?.close();
});

/** Where `needle` occurs in `hay`, with some bytes around it (printable), for a failure message. */
function around(hay: Buffer, needle: Buffer | RegExp): string | null {
  const text = hay.toString("latin1");
  const at = typeof needle === "string" || Buffer.isBuffer(needle) ? text.indexOf(needle.toString("latin1")) : text.search(needle);
  if (at < 0) return null;
  return JSON.stringify(text.slice(Math.max(0, at - 200), at + 200).replace(/[^\x20-\x7e]/g, "."));
}

test("a host-network sniffer on the hub's machine captures no worker token, no PostgreSQL startup or password, no other user's run", async (t) => {
  const marker = `bob-private-${randomBytes(6).toString("hex")}`;
  const sniffer = await startSniffer();
  let capture;
  try {
    // alice uses the API over TCP on 127.0.0.1: her own token, hers to expose (and proof that the capture sees loopback)
    const me = await fetch(`${cluster.url}/api/me`, { headers: { authorization: `Bearer ${cluster.aliceToken}` } });
    assert.equal(me.status, 200);
    // bob's run: its arguments go to the worker, its log line and document come back through the hub
    const { startRun } = await import("../runs/index.ts");
    const run = await startRun(bob, { versionId: helloVersion, function: "greet.hello", args: { name: marker } });
    const done = await settled(bob, run.id, 90_000);
    assert.equal(done.status, "succeeded", JSON.stringify(done.error));
    assert.ok(done.logs.some((l) => l.line.includes(marker)), "the run printed its argument (the worker reported it)");
    // a few more heartbeats and polls of an idle worker
    await new Promise((r) => setTimeout(r, HEARTBEAT_MS * 6));
  } finally {
    capture = await sniffer.stop();
  }
  const { bytes, frames } = capture;
  assert.ok(frames.length > 0, "the sniffer captured frames");
  assert.ok(bytes.includes(cluster.aliceToken), "the sniffer sees loopback TCP: alice's own request to the hub's port is in the capture");

  const pgDir = path.join(cluster.hub.dataDir, "pg");
  const pgPassword = readFileSync(path.join(cluster.hub.dataDir, "pg-password"), "utf8").trim();
  const postmaster = Number(readFileSync(path.join(pgDir, "postmaster.pid"), "utf8").split("\n")[0]);
  const pgPorts = listeningTcpPorts(postmaster);
  const { db } = await import("./db.ts");
  const credentials = await db().workerCredential.findMany({ select: { name: true, prefix: true } });
  assert.ok(credentials.length > 0, "the worker's credential");

  const leaks: string[] = [];
  const check = (what: string, hay: Buffer, needle: Buffer | RegExp) => {
    const seen = around(hay, needle);
    if (seen) leaks.push(`${what}: ${seen}`);
  };
  for (const c of credentials) check(`the worker credential '${c.name}'`, bytes, Buffer.from(c.prefix));
  const pgTraffic = Buffer.concat(tcpSegments(frames).filter((s) => pgPorts.includes(s.src) || pgPorts.includes(s.dst)).map((s) => s.payload));
  // the v3 startup message: protocol 0x00030000 then "user\0…"
  check("a startup message to this hub's PostgreSQL", pgTraffic, Buffer.from("\x00\x03\x00\x00user\x00", "latin1"));
  check("the PostgreSQL password", bytes, Buffer.from(pgPassword));
  check("bob's run argument (assignment, log line or document)", bytes, Buffer.from(marker));
  assert.deepEqual(leaks, [], `the capture (${frames.length} frames, ${bytes.length} bytes) holds:\n${leaks.join("\n")}`);
  assert.deepEqual(pgPorts, [], "this hub's PostgreSQL listens on no TCP port");
  const foreign = around(bytes, /l(wk|dv)_[A-Za-z0-9_-]{20}/);
  if (foreign) t.diagnostic(`a token of another hub on this machine crossed loopback (not this test's): ${foreign}`);
});
