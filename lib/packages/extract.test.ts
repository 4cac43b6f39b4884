import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildTarGz, buildZip } from "./archives.ts";
import { ArchiveError, archiveKind, extractArchive, safeEntryPath } from "./extract.ts";

const fresh = () => mkdtempSync(path.join(tmpdir(), "levhub-extract-"));

test("safeEntryPath refuses absolute, parent and backslash paths and normalises the rest", () => {
  assert.equal(safeEntryPath("./a//b/c.py"), "a/b/c.py");
  assert.throws(() => safeEntryPath("/etc/passwd"), /absolute/);
  assert.throws(() => safeEntryPath("C:/x"), /absolute/);
  assert.throws(() => safeEntryPath("a/../../x"), /'\.\.'/);
  assert.throws(() => safeEntryPath("a\\b"), /may not contain '\\'/);
});

test("archiveKind knows zip, wheel and tar.gz and refuses others", () => {
  assert.equal(archiveKind("p.ZIP"), "zip");
  assert.equal(archiveKind("p-0.1-py3-none-any.whl"), "wheel");
  assert.equal(archiveKind("p.tgz"), "tar.gz");
  assert.throws(() => archiveKind("p.rar"), ArchiveError);
});

test("extractArchive unpacks a zip and a tar.gz", async () => {
  for (const [kind, data] of [
    ["zip", buildZip([{ name: "pkg/a.txt", data: "hello" }, { name: "pkg/sub/b.txt", data: "world" }])],
    ["tar.gz", await buildTarGz([{ name: "pkg/a.txt", data: "hello" }, { name: "pkg/sub/b.txt", data: "world" }])],
  ] as const) {
    const dir = fresh();
    try {
      const r = await extractArchive(kind, data, path.join(dir, "out"));
      assert.equal(r.files, 2);
      assert.equal(readFileSync(path.join(dir, "out/pkg/sub/b.txt"), "utf8"), "world");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test("extractArchive refuses traversal, symlinks, devices and oversize archives", async () => {
  const cases: [string, Promise<Buffer> | Buffer, "zip" | "tar.gz", RegExp][] = [
    ["zip traversal", buildZip([{ name: "../evil.py", data: "x" }]), "zip", /'\.\.'/],
    ["zip symlink", buildZip([{ name: "pkg/link", type: "symlink", linkname: "/etc/passwd" }]), "zip", /symbolic link/],
    ["tar traversal", buildTarGz([{ name: "a/../../evil", data: "x" }]), "tar.gz", /'\.\.'/],
    ["tar absolute", buildTarGz([{ name: "/abs", data: "x" }]), "tar.gz", /absolute/],
    ["tar symlink", buildTarGz([{ name: "pkg/link", type: "symlink", linkname: "../../etc" }]), "tar.gz", /link/],
    ["tar hardlink", buildTarGz([{ name: "pkg/a", data: "x" }, { name: "pkg/b", type: "link", linkname: "pkg/a" }]), "tar.gz", /hard link/],
    ["not a zip", Buffer.from("plain text"), "zip", /not a valid zip/],
    ["not gzip", Buffer.from("plain text"), "tar.gz", /not a valid \.tar\.gz/],
  ];
  for (const [name, data, kind, re] of cases) {
    const dir = fresh();
    try {
      await assert.rejects(extractArchive(kind, await data, path.join(dir, "out")), (e: unknown) => e instanceof ArchiveError && re.test(e.message), name);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test("extractArchive enforces file count and unpacked size by the bytes written", async () => {
  const dir = fresh();
  try {
    const many = buildZip(Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: "x" })));
    await assert.rejects(extractArchive("zip", many, path.join(dir, "a"), { archiveBytes: 1e6, files: 4, unpackedBytes: 1e6 }), /more than 4 files/);
    const big = await buildTarGz([{ name: "big", data: Buffer.alloc(5000) }]);
    await assert.rejects(extractArchive("tar.gz", big, path.join(dir, "b"), { archiveBytes: 1e6, files: 10, unpackedBytes: 4000 }), /unpacks to more than/);
    await assert.rejects(extractArchive("tar.gz", big, path.join(dir, "c"), { archiveBytes: 10, files: 10, unpackedBytes: 1e6 }), /larger than/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
