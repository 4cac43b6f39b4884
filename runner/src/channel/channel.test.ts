import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ChannelReplyError, ChannelServer } from "./channel.ts";

async function client(sockPath: string) {
  const s = net.connect(sockPath);
  await new Promise((r) => s.once("connect", r));
  s.setEncoding("utf8");
  const replies: Record<string, unknown>[] = [];
  let buf = "";
  s.on("data", (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      replies.push(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
    }
  });
  const until = async (n: number) => {
    while (replies.length < n) await new Promise((r) => setTimeout(r, 5));
  };
  return { s, replies, until };
}

test("the channel answers each request once, out of order, with typed errors", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "chan-"));
  const protocolErrors: string[] = [];
  const server = await ChannelServer.listen(
    path.join(dir, "lev.sock"),
    async (op, body) => {
      if (op === "slow") {
        await new Promise((r) => setTimeout(r, 50));
        return { slow: true };
      }
      if (op === "echo") return { body };
      if (op === "fail") throw new ChannelReplyError("TaskFailed", "boom", "Traceback…", 3);
      throw new Error("internal detail");
    },
    { maxFrameBytes: 1024, uid: 65534, onProtocolError: (m) => protocolErrors.push(m) },
  );
  try {
    const st = await stat(path.join(dir, "lev.sock"));
    if (process.getuid?.() === 0) {
      assert.equal(st.mode & 0o777, 0o600, "a private socket for the one container user");
      assert.equal(st.uid, 65534);
    } else assert.equal(st.mode & 0o777, 0o666);
    const c = await client(server.path);
    c.s.write(JSON.stringify({ id: 1, op: "slow" }) + "\n" + JSON.stringify({ id: 2, op: "echo", x: 1 }) + "\n");
    c.s.write(JSON.stringify({ id: 3, op: "fail" }) + "\nnot json\n" + JSON.stringify({ id: 4, op: "other" }) + "\n");
    await c.until(4);
    assert.deepEqual(c.replies[0], { id: 2, ok: true, result: { body: { x: 1 } } });
    const byId = Object.fromEntries(c.replies.map((r) => [r.id as number, r]));
    assert.deepEqual(byId[1], { id: 1, ok: true, result: { slow: true } });
    assert.deepEqual(byId[3], { id: 3, ok: false, error: { type: "TaskFailed", message: "boom", traceback: "Traceback…", task: 3 } });
    assert.equal((byId[4].error as { type: string }).type, "RunnerError");
    assert.match(protocolErrors[0], /invalid JSON/);
    c.s.destroy();
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("a line over the cap is drained, not kept, and answered with id null; the channel goes on", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "chan-"));
  const sizes: number[] = [];
  const server = await ChannelServer.listen(path.join(dir, "lev.sock"), async (_op, body) => ({ body }), {
    maxFrameBytes: 64 * 1024,
    uid: 65534,
    onProtocolError: () => undefined,
    onOversize: (bytes) => {
      sizes.push(bytes);
      return new ChannelReplyError("OutputTooLarge", `${bytes} bytes`);
    },
  });
  try {
    const c = await client(server.path);
    // 64 MiB in 1 MiB chunks without a newline, then a normal request
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    for (let i = 0; i < 64; i++) {
      if (!c.s.write(chunk)) await new Promise((r) => c.s.once("drain", r));
    }
    c.s.write("\n" + JSON.stringify({ id: 5, op: "echo", x: 2 }) + "\n");
    await c.until(2);
    // the oversize line is drained, not accumulated: the server never held more than one frame's worth
    assert.ok(server.peakBufferedBytes <= 64 * 1024, `held ${server.peakBufferedBytes} bytes of unfinished lines`);
    assert.deepEqual(sizes, [64 * 1024 * 1024]);
    assert.deepEqual(c.replies[0], { id: null, ok: false, error: { type: "OutputTooLarge", message: `${64 * 1024 * 1024} bytes`, traceback: null, task: null } });
    assert.deepEqual(c.replies[1], { id: 5, ok: true, result: { body: { x: 2 } } });
    c.s.destroy();
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("requests split across many chunks are reassembled", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "chan-"));
  const server = await ChannelServer.listen(path.join(dir, "lev.sock"), async (_op, body) => ({ n: (body.s as string).length }), {
    maxFrameBytes: 1024 * 1024,
    uid: 65534,
    onProtocolError: () => undefined,
  });
  try {
    const c = await client(server.path);
    const line = Buffer.from(JSON.stringify({ id: 1, op: "x", s: "é".repeat(100_000) }) + "\n");
    for (let i = 0; i < line.length; i += 7777) c.s.write(line.subarray(i, i + 7777));
    await c.until(1);
    assert.deepEqual(c.replies[0], { id: 1, ok: true, result: { n: 100_000 } });
    c.s.destroy();
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("connections share one line's budget, and their number is capped", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "chan-"));
  const sizes: number[] = [];
  const server = await ChannelServer.listen(path.join(dir, "lev.sock"), async () => ({ ok: 1 }), {
    maxFrameBytes: 64 * 1024,
    maxConnections: 2,
    uid: 65534,
    onProtocolError: () => undefined,
    onOversize: (bytes) => {
      sizes.push(bytes);
      return new ChannelReplyError("OutputTooLarge", "too much");
    },
  });
  try {
    const a = await client(server.path);
    const b = await client(server.path);
    a.s.write(Buffer.alloc(40 * 1024, 0x20));
    await new Promise((r) => setTimeout(r, 50));
    b.s.write(Buffer.alloc(40 * 1024, 0x20));
    await new Promise((r) => setTimeout(r, 50));
    b.s.write("\n");
    await b.until(1);
    assert.equal((b.replies[0].error as { type: string }).type, "OutputTooLarge", "the second partial line did not fit beside the first");
    a.s.write(JSON.stringify({ id: 1, op: "x" }) + "\n");
    await a.until(1);
    assert.deepEqual(a.replies[0], { id: 1, ok: true, result: { ok: 1 } }, "the first connection's line still fits and is answered");
    const c = net.connect(server.path);
    const closed = await new Promise<boolean>((r) => {
      c.once("close", () => r(true));
      c.once("data", () => r(false));
      setTimeout(() => r(false), 1000);
    });
    assert.ok(closed, "a third connection is refused");
    a.s.destroy();
    b.s.destroy();
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
