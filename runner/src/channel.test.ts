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
    (m) => protocolErrors.push(m),
  );
  try {
    assert.equal((await stat(path.join(dir, "lev.sock"))).mode & 0o777, 0o666);
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
