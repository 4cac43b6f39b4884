import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { ChannelReplyError } from "../channel/channel.ts";
import { checkFiles, packageFile, planFiles, readFiles, writeFiles } from "./task-files.ts";
import { crSpecSchema } from "../channel/spec.ts";

let root: string;
let pkg: string;
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), "files-"));
  pkg = path.join(root, "pkg");
  await mkdir(path.join(pkg, "lev/a/b"), { recursive: true });
  await writeFile(path.join(pkg, "lev/a/b/x.txt"), "inside");
  await writeFile(path.join(root, "secret.txt"), "outside");
  await symlink(path.join(root, "secret.txt"), path.join(pkg, "lev/a/b/link.txt"));
  await symlink("x.txt", path.join(pkg, "lev/a/b/ok-link.txt"));
  await writeFile(path.join(pkg, "big.bin"), Buffer.alloc(2048));
});
after(() => rm(root, { recursive: true, force: true }));

const refused = async (p: Promise<unknown>, re: RegExp) =>
  assert.rejects(p, (e: unknown) => e instanceof ChannelReplyError && e.type === "InvalidRequest" && re.test(e.message));

test("paths relative to the package, or absolute under /lev/pkg, resolve inside it", async () => {
  assert.equal(await packageFile(pkg, "/d", "lev/a/b/x.txt", 1024), path.join(await realpathOf(pkg), "lev/a/b/x.txt"));
  assert.equal(await packageFile(pkg, "/d", "/lev/pkg/lev/a/b/x.txt", 1024), path.join(await realpathOf(pkg), "lev/a/b/x.txt"));
  assert.equal(await packageFile(pkg, "/d", "lev/a/b/ok-link.txt", 1024), path.join(await realpathOf(pkg), "lev/a/b/x.txt"));
});

test("anything resolving outside the package, not a file, missing or too big is refused", async () => {
  await refused(packageFile(pkg, "/d", "../secret.txt", 1024), /resolves outside the package/);
  await refused(packageFile(pkg, "/d", "lev/a/b/link.txt", 1024), /resolves outside the package/);
  await refused(packageFile(pkg, "/d", "/etc/passwd", 1024), /not a path inside the package/);
  await refused(packageFile(pkg, "/d", "/lev/pkg/../../etc/passwd", 1024), /outside the package/);
  await refused(packageFile(pkg, "/d", "lev", 1024), /not a regular file/);
  await refused(packageFile(pkg, "/d", "nope.txt", 1024), /does not exist/);
  await refused(packageFile(pkg, "/d", "big.bin", 1024), /2 KiB, over the limit of 1 KiB/);
});

test("files are written read-only into the runner's directory, nothing when one is refused", async () => {
  const dir = path.join(root, "out");
  await mkdir(dir);
  const cr = crSpecSchema.parse({ image: "i", schema: "s", files: { "/etc/a": { b64: Buffer.from("A").toString("base64") }, "/etc/b": { path: "lev/a/b/x.txt" } } });
  const planned = planFiles(cr, dir);
  assert.deepEqual(planned.map((p) => [p.host, p.target]), [[path.join(dir, "file-0"), "/etc/a"], [path.join(dir, "file-1"), "/etc/b"]]);
  await writeFiles(planned, await readFiles(planned, pkg, 1024));
  assert.equal(await readFile(planned[1].host, "utf8"), "inside");
  assert.equal((await stat(planned[0].host)).mode & 0o777, 0o444);
  const bad = crSpecSchema.parse({ image: "i", schema: "s", files: { "/etc/a": { b64: Buffer.alloc(2000).toString("base64") } } });
  await refused(readFiles(planFiles(bad, dir), pkg, 1024), /over the limit/);
});

async function realpathOf(p: string) {
  const { realpath } = await import("node:fs/promises");
  return realpath(p);
}

test("checkFiles validates without reading and caps the files' total", async () => {
  const mk = (files: Record<string, unknown>) => planFiles(crSpecSchema.parse({ image: "i", schema: "s", files }), "/nowhere");
  const b64 = (n: number) => ({ b64: Buffer.alloc(n).toString("base64") });
  assert.equal(await checkFiles(mk({ "/a": b64(600), "/b": { path: "lev/a/b/x.txt" } }), pkg, 1024), 606);
  await refused(checkFiles(mk({ "/a": b64(600), "/b": b64(600) }), pkg, 1024), /in all, over the limit of 1 KiB/);
  await refused(checkFiles(mk({ "/b": { path: "lev/a/b/link.txt" } }), pkg, 1024), /outside the package/);
});

test("a stored file is checked, not copied nor counted against the inline cap; a changed one is refused", async () => {
  const blob = path.join(root, "blob");
  await writeFile(blob, "hash:1234\n");
  const ID = "abcdefghijklmnop0123";
  const refs = { [ID]: { kind: "file" as const, path: blob, name: "h.txt", size: 10, sha256: "a".repeat(64) } };
  const dir = path.join(root, "out-ref");
  await mkdir(dir);
  const cr = crSpecSchema.parse({ image: "i", schema: "s", files: { "/in/h": { $lev: "file", id: ID }, "/etc/a": { b64: Buffer.from("A").toString("base64") } } });
  const planned = planFiles(cr, dir, refs);
  assert.deepEqual(planned.map((p) => [p.host, p.target]), [[blob, "/in/h"], [path.join(dir, "file-1"), "/etc/a"]]);
  assert.equal(await checkFiles(planned, pkg, 4), 3, "only the inline content counts (its size estimated from base64)");
  const contents = await readFiles(planned, pkg, 4);
  assert.equal(contents[0], null);
  await writeFiles(planned, contents);
  assert.equal(await readFile(blob, "utf8"), "hash:1234\n", "the blob is left as it is");
  assert.equal(await readFile(planned[1].host, "utf8"), "A");
  await writeFile(blob, "changed");
  await assert.rejects(checkFiles(planned, pkg, 4), (e: unknown) => e instanceof ChannelReplyError && e.type === "RunnerError" && /'h.txt' is missing or changed/.test(e.message));
  await rm(blob);
  await assert.rejects(checkFiles(planned, pkg, 4), /missing or changed/);
});
