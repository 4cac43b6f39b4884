import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ContainerEngine, OutputListener } from "../engine/engine.ts";
import { functionRetries, introspect, IntrospectionError, MAX_FUNCTION_RETRIES } from "./introspect.ts";

const HELLO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../examples/levhub.hello");

/** An engine whose one container prints `chunks` on stdout, one per tick, until it is killed. */
function fakeEngine(chunks: Buffer[]) {
  let listener: OutputListener | null = null;
  let killed = false;
  let exit!: (code: number) => void;
  const exited = new Promise<number>((r) => (exit = r));
  const stats = { sent: 0, kills: 0, removed: false };
  const engine = {
    create: async () => "c1",
    attach: async (_id: string, l: OutputListener) => {
      listener = l;
    },
    start: async () => {
      void (async () => {
        for (const c of chunks) {
          if (killed) break;
          listener!("stdout", c);
          stats.sent++;
          await new Promise((r) => setImmediate(r));
        }
        exit(killed ? 137 : 0);
      })();
    },
    wait: () => exited,
    kill: async () => {
      stats.kills++;
      killed = true;
    },
    remove: async () => {
      stats.removed = true;
    },
  } as unknown as ContainerEngine;
  return { engine, stats };
}

test("a manifest within the cap is parsed", async () => {
  const { engine, stats } = fakeEngine([Buffer.from('{"package": "lev.levhub'), Buffer.from('.hello", "problems": []}\n')]);
  const m = await introspect(engine, HELLO, { maxManifestBytes: 1024 });
  assert.equal(m.package, "lev.levhub.hello");
  assert.equal(stats.removed, true);
});

test("output past the manifest cap stops the container at once and is refused, not buffered", async () => {
  const chunk = Buffer.alloc(600, 0x61);
  const { engine, stats } = fakeEngine(Array.from({ length: 1000 }, () => chunk));
  await assert.rejects(introspect(engine, HELLO, { maxManifestBytes: 1024 }), (e: unknown) => {
    assert.ok(e instanceof IntrospectionError);
    assert.match(e.message, /manifest is larger than 1024 bytes/);
    return true;
  });
  assert.equal(stats.kills, 1, "killed once");
  assert.ok(stats.sent <= 3, `the container was stopped after the cap, not after all its output (${stats.sent} chunks)`);
  assert.equal(stats.removed, true);
});

test("retries= reaches the manifest; absent, or anything but a whole number within the limit, is 0", async () => {
  const manifest = JSON.stringify({ package: "lev.levhub.hello", workflows: [{ name: "w", retries: 2 }, { name: "old" }], problems: [] });
  const { engine } = fakeEngine([Buffer.from(manifest + "\n")]);
  const m = await introspect(engine, HELLO);
  assert.deepEqual(m.workflows.map(functionRetries), [2, 0]);
  assert.equal(functionRetries({ retries: MAX_FUNCTION_RETRIES }), 5);
  for (const hostile of [-1, 6, 1e9, 1.5, NaN, "3", true, null]) {
    assert.equal(functionRetries({ retries: hostile as unknown as number }), 0, String(hostile));
  }
});

test("the retries limit is levrt's annot.MAX_RETRIES", async () => {
  const { readFile } = await import("node:fs/promises");
  const annot = await readFile(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../python/levrt/annot/__init__.py"), "utf8");
  assert.equal(Number(/^MAX_RETRIES = (\d+)$/m.exec(annot)?.[1]), MAX_FUNCTION_RETRIES);
});
