import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { pack, type Header } from "tar-stream";
import { extractArchive, safeEntryName, UnsafeArchiveError } from "./safe-extract.ts";

async function tarGz(entries: (Partial<Header> & { name: string; body?: string })[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((r) => p.on("end", () => r()));
  for (const { body, ...h } of entries) p.entry({ type: "file", mode: 0o644, ...h }, body ?? "");
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(path.join(tmpdir(), "levextract-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("files and directories land under the target, modes normalised, an old target replaced", () =>
  withDir(async (dir) => {
    const target = path.join(dir, ".lev/deps/joe.x");
    await extractArchive(await tarGz([{ name: "pyproject.toml", body: "[project]\n" }, { name: "old", body: "" }]), target);
    const gz = await tarGz([
      { name: "./pyproject.toml", body: "[project]\n" },
      { name: "lev/joe/x", type: "directory", mode: 0o777 },
      { name: "lev/joe/x/__init__.py", body: "X = 1\n", mode: 0o4777 },
    ]);
    await extractArchive(gz, target);
    assert.equal(await readFile(path.join(target, "lev/joe/x/__init__.py"), "utf8"), "X = 1\n");
    assert.equal((await stat(path.join(target, "lev/joe/x/__init__.py"))).mode & 0o7777, 0o644);
    assert.equal((await stat(target)).mode & 0o777, 0o755, "containers read it as user 65534");
    assert.equal(existsSync(path.join(target, "old")), false, "the previous copy is gone");
    assert.deepEqual((await readdir(path.join(dir, ".lev/deps"))).sort(), ["joe.x"], "no temporary directory left");
  }));

test("links, devices, absolute names and '..' are refused and nothing is left behind", () =>
  withDir(async (dir) => {
    const target = path.join(dir, "deps/joe.x");
    for (const bad of [
      [{ name: "lev", type: "symlink" as const, linkname: "/etc" }],
      [{ name: "hard", type: "link" as const, linkname: "/etc/passwd" }],
      [{ name: "dev", type: "character-device" as const }],
      [{ name: "fifo", type: "fifo" as const }],
      [{ name: "/etc/cron.d/x", body: "x" }],
      [{ name: "../../escape", body: "x" }],
      [{ name: "lev/../../escape", body: "x" }],
      [{ name: "a", body: "x" }, { name: "a/b", body: "y" }],
      [{ name: "a", body: "x" }, { name: "a", body: "y" }],
    ]) {
      await assert.rejects(extractArchive(await tarGz(bad), target), UnsafeArchiveError, JSON.stringify(bad));
      assert.equal(existsSync(target), false);
      assert.deepEqual(existsSync(path.join(dir, "deps")) ? await readdir(path.join(dir, "deps")) : [], []);
    }
    assert.equal(existsSync(path.join(dir, "escape")), false);
  }));

test("size and entry caps; not a .tar.gz", () =>
  withDir(async (dir) => {
    const target = path.join(dir, "x");
    const big = await tarGz([{ name: "a", body: "x".repeat(2000) }]);
    await assert.rejects(extractArchive(big, target, { maxBytes: 1000, maxEntries: 10 }), /more than 1000 bytes/);
    const many = await tarGz(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, body: "" })));
    await assert.rejects(extractArchive(many, target, { maxBytes: 1000, maxEntries: 3 }), /more than 3 entries/);
    // a gzip bomb stops at the cap instead of filling memory
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    await assert.rejects(extractArchive(bomb, target, { maxBytes: 1024 * 1024, maxEntries: 10 }), UnsafeArchiveError);
    await assert.rejects(extractArchive(Buffer.from("not gzip"), target), /not a \.tar\.gz/);
    assert.equal(existsSync(target), false);
  }));

test("entry names", () => {
  assert.equal(safeEntryName("./a/./b"), "a/b");
  assert.equal(safeEntryName("a//b/"), "a/b");
  for (const bad of ["/a", "a/../../b", "..", "a\\b", "a\0b"]) assert.throws(() => safeEntryName(bad), UnsafeArchiveError, bad);
});
