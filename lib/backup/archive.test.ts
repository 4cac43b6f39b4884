import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { pipeline } from "node:stream/promises";
import { createWriteStream } from "node:fs";
import tar from "tar-stream";
import { readArchive, stagedEntries, writeArchive } from "./archive.ts";
import type { BackupManifest } from "./manifest.ts";

const work = mkdtempSync(path.join(tmpdir(), "levhub-archive-"));
after(() => rmSync(work, { recursive: true, force: true }));

function staged(): string {
  const root = mkdtempSync(path.join(work, "staged-"));
  mkdirSync(path.join(root, "files/data/packages/alice/a-very-long-package-name-indeed/1.0.0-0123456789ab/lev/alice/pkg"), { recursive: true });
  writeFileSync(path.join(root, "files/data/packages/alice/a-very-long-package-name-indeed/1.0.0-0123456789ab/lev/alice/pkg/__init__.py"), "x = 1\n");
  mkdirSync(path.join(root, "postgres/tables"), { recursive: true });
  writeFileSync(path.join(root, "postgres/tables/User.jsonl"), '{"id":"u1"}\n');
  writeFileSync(path.join(root, "postgres/empty.json"), "");
  return root;
}

async function manifestFor(root: string): Promise<BackupManifest> {
  return { format: 1, levhub: { version: "0.1.0", commit: null }, createdAt: new Date(0).toISOString(), dataDir: "/data", parts: [], entries: await stagedEntries(root) };
}

test("an archive reads back as written: every entry, long paths and empty files included", async () => {
  const root = staged();
  const manifest = await manifestFor(root);
  assert.equal(manifest.entries.length, 3);
  const file = path.join(work, "ok.tar");
  await writeArchive(file, root, manifest);
  const out = mkdtempSync(path.join(work, "out-"));
  assert.deepEqual(await readArchive(file, out), manifest);
  for (const e of manifest.entries) assert.deepEqual(readFileSync(path.join(out, e.path)), readFileSync(path.join(root, e.path)));
});

test("a changed byte, a missing entry, an unlisted entry or a path out of the staging directory is refused", async () => {
  const root = staged();
  const manifest = await manifestFor(root);
  const file = path.join(work, "base.tar");
  await writeArchive(file, root, manifest);

  const bytes = readFileSync(file);
  const at = bytes.indexOf(Buffer.from('{"id":"u1"}'));
  bytes[at + 8] ^= 1;
  writeFileSync(path.join(work, "flipped.tar"), bytes);
  await assert.rejects(readArchive(path.join(work, "flipped.tar"), mkdtempSync(path.join(work, "o-"))), /postgres\/tables\/User\.jsonl: sha256 [0-9a-f]{64}, the manifest says/);

  // hand-made archives: the manifest, then what the case needs
  async function craft(name: string, m: BackupManifest, entries: { name: string; data: string; type?: "file" | "symlink" }[]) {
    const pack = tar.pack();
    const done = pipeline(pack, createWriteStream(path.join(work, name)));
    pack.entry({ name: "manifest.json" }, JSON.stringify(m));
    for (const e of entries) {
      if (e.type === "symlink") pack.entry({ name: e.name, type: "symlink", linkname: "/etc/passwd" });
      else pack.entry({ name: e.name }, e.data);
    }
    pack.finalize();
    await done;
    return path.join(work, name);
  }
  const one = { path: "postgres/tables/User.jsonl", size: 12, sha256: manifest.entries.find((e) => e.path === "postgres/tables/User.jsonl")!.sha256 };
  const m1 = { ...manifest, entries: [one] };
  const o = () => mkdtempSync(path.join(work, "o-"));
  await assert.rejects(readArchive(await craft("missing.tar", m1, []), o()), /listed in the manifest but missing/);
  await assert.rejects(readArchive(await craft("unlisted.tar", m1, [{ name: "postgres/tables/User.jsonl", data: '{"id":"u1"}\n' }, { name: "extra", data: "x" }]), o()), /extra, which its manifest does not list/);
  const evil = { path: "../escape", size: 1, sha256: "0".repeat(64) };
  const target = o();
  await assert.rejects(readArchive(await craft("escape.tar", { ...manifest, entries: [evil] }, [{ name: "../escape", data: "x" }]), target), /does not list/);
  assert.deepEqual(readdirSync(path.dirname(target)).includes("escape"), false, "nothing written outside");
  await assert.rejects(readArchive(await craft("link.tar", m1, [{ name: "postgres/tables/User.jsonl", data: "", type: "symlink" }]), o()), /holds a symlink/);
  await assert.rejects(readArchive(await craft("notjson.tar", { ...manifest, format: 2 } as unknown as BackupManifest, []), o()), /not a Levhub backup manifest/);
});
