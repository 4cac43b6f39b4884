import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { buildTarGz, buildZip, type ArchiveEntry } from "../../test/archives.ts";
import { ArchiveError, archiveKind, extractArchive, FETCHED_PACKAGE_LIMITS, safeEntryPath, type ArchiveKind, type ExtractLimits } from "./extract.ts";

/** generous limits, each test tightening the one it is about */
const LIMITS: ExtractLimits = { ...FETCHED_PACKAGE_LIMITS, archiveBytes: 1e6, unpackedBytes: 1e6 };

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(path.join(tmpdir(), "levextract-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const archive = (kind: "zip" | "tar.gz", entries: ArchiveEntry[]): Promise<Buffer> => (kind === "zip" ? Promise.resolve(buildZip(entries)) : buildTarGz(entries));

test("entry paths: absolute, parent, backslash, NUL and control characters refused; the rest normalised", () => {
  assert.equal(safeEntryPath("./a//b/c.py"), "a/b/c.py");
  assert.equal(safeEntryPath("./a/./b"), "a/b");
  assert.equal(safeEntryPath("a//b/"), "a/b");
  assert.equal(safeEntryPath("./"), "", "the archive's root folder");
  assert.throws(() => safeEntryPath("/etc/passwd"), /absolute/);
  assert.throws(() => safeEntryPath("C:/x"), /absolute/);
  assert.throws(() => safeEntryPath("a/../../x"), /'\.\.'/);
  assert.throws(() => safeEntryPath("a\\b"), /may not contain '\\'/);
  assert.throws(() => safeEntryPath("a/\x1b[31mred"), /control characters/);
  for (const bad of ["/a", "a/../../b", "..", "a\\b", "a\0b"]) assert.throws(() => safeEntryPath(bad), ArchiveError, bad);
});

test("entry paths: depth and length are limited", () => {
  const limits = { depth: 3, pathLength: 20 };
  assert.equal(safeEntryPath("a/b/c.py", limits), "a/b/c.py");
  assert.throws(() => safeEntryPath("a/b/c/d.py", limits), /more than 3 folders deep/);
  assert.throws(() => safeEntryPath(`a/${"x".repeat(20)}`, limits), /path too long \(more than 20 characters\)/);
  assert.throws(() => safeEntryPath(`${"d/".repeat(40)}x.py`), /more than 32 folders deep/);
  assert.throws(() => safeEntryPath("x".repeat(401)), /path too long/);
});

test("archiveKind knows zip, wheel and tar.gz and refuses others", () => {
  assert.equal(archiveKind("p.ZIP"), "zip");
  assert.equal(archiveKind("p-0.1-py3-none-any.whl"), "wheel");
  assert.equal(archiveKind("p.tgz"), "tar.gz");
  assert.throws(() => archiveKind("p.rar"), ArchiveError);
});

test("a zip, a wheel and a tar.gz unpack into the target", () =>
  withDir(async (dir) => {
    for (const kind of ["zip", "wheel", "tar.gz"] as const) {
      const data = await archive(kind === "tar.gz" ? "tar.gz" : "zip", [
        { name: "pkg/a.txt", data: "hello" },
        { name: "pkg/sub/", type: "directory" },
        { name: "pkg/sub/b.txt", data: "world" },
      ]);
      const r = await extractArchive(kind, data, path.join(dir, kind), LIMITS);
      assert.deepEqual(r, { files: 2, bytes: 10 });
      assert.equal(await readFile(path.join(dir, kind, "pkg/sub/b.txt"), "utf8"), "world");
    }
  }));

test("files and directories land under the target, modes normalised, an old target replaced", () =>
  withDir(async (dir) => {
    const target = path.join(dir, ".lev/deps/joe.x");
    await extractArchive("tar.gz", await buildTarGz([{ name: "pyproject.toml", data: "[project]\n" }, { name: "old", data: "" }]), target, FETCHED_PACKAGE_LIMITS);
    const gz = await buildTarGz([
      { name: "./pyproject.toml", data: "[project]\n" },
      { name: "lev/joe/x", type: "directory", mode: 0o777 },
      { name: "lev/joe/x/__init__.py", data: "X = 1\n", mode: 0o4777 },
    ]);
    await extractArchive("tar.gz", gz, target, FETCHED_PACKAGE_LIMITS);
    assert.equal(await readFile(path.join(target, "lev/joe/x/__init__.py"), "utf8"), "X = 1\n");
    assert.equal((await stat(path.join(target, "lev/joe/x/__init__.py"))).mode & 0o7777, 0o644);
    assert.equal((await stat(target)).mode & 0o777, 0o755, "containers read it as user 65534");
    assert.equal(existsSync(path.join(target, "old")), false, "the previous copy is gone");
    assert.deepEqual((await readdir(path.join(dir, ".lev/deps"))).sort(), ["joe.x"], "no temporary directory left");
  }));

test("traversal, links, devices, FIFOs, clashes and duplicates are refused, and nothing is left behind", () =>
  withDir(async (dir) => {
    const target = path.join(dir, "deps/joe.x");
    const cases: [string, ArchiveKind, ArchiveEntry[], RegExp][] = [
      ["zip traversal", "zip", [{ name: "../evil.py", data: "x" }], /'\.\.'/],
      ["zip symlink", "zip", [{ name: "pkg/link", type: "symlink", linkname: "/etc/passwd" }], /symbolic link/],
      ["zip absolute", "zip", [{ name: "/etc/cron.d/x", data: "x" }], /absolute/],
      ["zip duplicate", "zip", [{ name: "a", data: "x" }, { name: "a", data: "y" }], /appears twice/],
      ["zip file, then a path through it", "zip", [{ name: "a", data: "x" }, { name: "a/b", data: "y" }], /clashes/],
      ["zip folder, then a file of its name", "wheel", [{ name: "a/b", data: "x" }, { name: "a", data: "y" }], /clashes/],
      ["tar traversal", "tar.gz", [{ name: "a/../../evil", data: "x" }], /'\.\.'/],
      ["tar parent", "tar.gz", [{ name: "../../escape", data: "x" }], /'\.\.'/],
      ["tar parent inside", "tar.gz", [{ name: "lev/../../escape", data: "x" }], /'\.\.'/],
      ["tar absolute", "tar.gz", [{ name: "/etc/cron.d/x", data: "x" }], /absolute/],
      ["tar symlink", "tar.gz", [{ name: "lev", type: "symlink", linkname: "/etc" }], /symbolic link/],
      ["tar symlink up", "tar.gz", [{ name: "pkg/link", type: "symlink", linkname: "../../etc" }], /link/],
      ["tar hardlink", "tar.gz", [{ name: "pkg/a", data: "x" }, { name: "pkg/b", type: "link", linkname: "pkg/a" }], /hard link/],
      ["tar hardlink out", "tar.gz", [{ name: "hard", type: "link", linkname: "/etc/passwd" }], /hard link/],
      ["tar character device", "tar.gz", [{ name: "dev", type: "character-device" }], /character-device/],
      ["tar block device", "tar.gz", [{ name: "dev", type: "block-device" }], /block-device/],
      ["tar fifo", "tar.gz", [{ name: "fifo", type: "fifo" }], /fifo/],
      ["tar contiguous file", "tar.gz", [{ name: "c", type: "contiguous-file" }], /only regular files and folders/],
      ["tar file, then a path through it", "tar.gz", [{ name: "a", data: "x" }, { name: "a/b", data: "y" }], /clashes/],
      ["tar file, then a folder of its name", "tar.gz", [{ name: "a", data: "x" }, { name: "a", type: "directory" }], /clashes/],
      ["tar duplicate", "tar.gz", [{ name: "a", data: "x" }, { name: "a", data: "y" }], /appears twice/],
    ];
    for (const [name, kind, entries, re] of cases) {
      const data = await archive(kind === "tar.gz" ? "tar.gz" : "zip", entries);
      await assert.rejects(extractArchive(kind, data, target, FETCHED_PACKAGE_LIMITS), (e: unknown) => e instanceof ArchiveError && e.kind === "invalid" && re.test(e.message), name);
      assert.equal(existsSync(target), false, name);
      assert.deepEqual(existsSync(path.join(dir, "deps")) ? await readdir(path.join(dir, "deps")) : [], [], name);
    }
    assert.equal(existsSync(path.join(dir, "escape")), false);
    assert.equal(existsSync(path.join(dir, "evil.py")), false);
  }));

test("not an archive of its kind", () =>
  withDir(async (dir) => {
    await assert.rejects(extractArchive("zip", Buffer.from("plain text"), path.join(dir, "a"), LIMITS), (e: unknown) => e instanceof ArchiveError && /not a valid zip/.test(e.message));
    await assert.rejects(extractArchive("tar.gz", Buffer.from("plain text"), path.join(dir, "b"), LIMITS), (e: unknown) => e instanceof ArchiveError && /not a valid \.tar\.gz/.test(e.message));
    await assert.rejects(extractArchive("tar.gz", Buffer.from("not gzip"), path.join(dir, "c"), FETCHED_PACKAGE_LIMITS), /not a valid \.tar\.gz/);
    assert.deepEqual(await readdir(dir), []);
  }));

test("limits: files, entries, unpacked bytes by the bytes written, the archive's size", () =>
  withDir(async (dir) => {
    const out = (n: string) => path.join(dir, n);
    const tooLarge = (re: RegExp) => (e: unknown) => e instanceof ArchiveError && e.kind === "too_large" && re.test(e.message);
    const many = Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: "x" }));
    await assert.rejects(extractArchive("zip", buildZip(many), out("a"), { ...LIMITS, files: 4 }), tooLarge(/more than 4 files/));
    await assert.rejects(extractArchive("tar.gz", await buildTarGz(many), out("a"), { ...LIMITS, files: 4 }), tooLarge(/more than 4 files/));
    await assert.rejects(extractArchive("tar.gz", await buildTarGz(many), out("a"), { ...LIMITS, entries: 3 }), tooLarge(/more than 3 entries/));
    // folders count as entries, not as files
    const folders = Array.from({ length: 5 }, (_, i) => ({ name: `d${i}/`, type: "directory" as const }));
    await assert.rejects(extractArchive("tar.gz", await buildTarGz(folders), out("a"), { ...LIMITS, entries: 4 }), tooLarge(/more than 4 entries/));
    await assert.rejects(extractArchive("zip", buildZip(folders), out("a"), { ...LIMITS, entries: 4 }), tooLarge(/more than 4 entries/));
    assert.deepEqual((await extractArchive("zip", buildZip(folders), out("ok"), { ...LIMITS, files: 0 })).files, 0);

    const big = await buildTarGz([{ name: "big", data: Buffer.alloc(5000) }]);
    await assert.rejects(extractArchive("tar.gz", big, out("b"), { ...LIMITS, unpackedBytes: 4000 }), tooLarge(/unpacks to more than 4000 bytes/));
    await assert.rejects(extractArchive("zip", buildZip([{ name: "big", data: Buffer.alloc(5000) }]), out("b"), { ...LIMITS, unpackedBytes: 4000 }), tooLarge(/unpacks to more than 4000 bytes/));
    const two = await buildTarGz([{ name: "a", data: "x".repeat(600) }, { name: "b", data: "x".repeat(600) }]);
    await assert.rejects(extractArchive("tar.gz", two, out("b"), { ...LIMITS, unpackedBytes: 1000 }), tooLarge(/more than 1000 bytes/), "in all, not per file");
    await assert.rejects(extractArchive("tar.gz", big, out("c"), { ...LIMITS, archiveBytes: 10 }), tooLarge(/larger than 10 bytes/));
    await assert.rejects(extractArchive("zip", buildZip(many), out("c"), { ...LIMITS, archiveBytes: 10 }), tooLarge(/larger than/));

    const deep = await buildTarGz([{ name: "a/b/c/d.py", data: "x" }]);
    await assert.rejects(extractArchive("tar.gz", deep, out("d"), { ...LIMITS, depth: 3 }), /more than 3 folders deep/);
    await assert.rejects(extractArchive("zip", buildZip([{ name: "a/b/c/d.py", data: "x" }]), out("d"), { ...LIMITS, pathLength: 5 }), /path too long/);
    assert.deepEqual((await readdir(dir)).sort(), ["ok"], "nothing of a refused archive is left");
  }));

test("a gzip bomb stops at the cap instead of filling memory or the disk", () =>
  withDir(async (dir) => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    await assert.rejects(extractArchive("tar.gz", bomb, path.join(dir, "x"), { ...FETCHED_PACKAGE_LIMITS, unpackedBytes: 1024 * 1024, entries: 10 }), (e: unknown) => e instanceof ArchiveError && e.kind === "too_large");
    assert.deepEqual(await readdir(dir), []);
  }));
