import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { copyTree, newCopyBudget, SLOT_COPY_CAPS, SlotCopyRefused } from "./slot-copy.ts";

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function tree(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), "slot-copy-"));
  dirs.push(d);
  await mkdir(path.join(d, "src/lev/a/b"), { recursive: true });
  await writeFile(path.join(d, "src/pyproject.toml"), "[project]\n");
  await writeFile(path.join(d, "src/lev/a/b/__init__.py"), "x = 1\n");
  await chmod(path.join(d, "src/lev/a/b/__init__.py"), 0o640);
  return d;
}

test("a package tree is copied with its modes, into files of its own (no shared inode)", async () => {
  const d = await tree();
  await copyTree(path.join(d, "src"), path.join(d, "dst"), newCopyBudget());
  assert.equal(await readFile(path.join(d, "dst/lev/a/b/__init__.py"), "utf8"), "x = 1\n");
  const [a, b] = await Promise.all([stat(path.join(d, "src/lev/a/b/__init__.py")), stat(path.join(d, "dst/lev/a/b/__init__.py"))]);
  assert.equal(b.mode & 0o777, 0o640);
  assert.notEqual(a.ino, b.ino);
  assert.equal(b.nlink, 1, "a hard link would tell a package how many runs of it are under way");
});

test("anything but files and directories refuses the copy", async () => {
  const d = await tree();
  await symlink("/etc/passwd", path.join(d, "src/lev/link"));
  await assert.rejects(copyTree(path.join(d, "src"), path.join(d, "dst1"), newCopyBudget()), SlotCopyRefused);
  await rm(path.join(d, "src/lev/link"));
  execFileSync("mkfifo", [path.join(d, "src/lev/fifo")]);
  await assert.rejects(copyTree(path.join(d, "src"), path.join(d, "dst2"), newCopyBudget()), /neither a file nor a directory/);
  await rm(path.join(d, "src/lev/fifo"));
  await symlink(path.join(d, "src"), path.join(d, "rootlink"));
  await assert.rejects(copyTree(path.join(d, "rootlink"), path.join(d, "dst3"), newCopyBudget()), /is not a directory/, "not even at the root");
});

test("the caps count across a lease's trees: entries and bytes", async () => {
  const d = await tree();
  const budget = newCopyBudget();
  budget.entries = SLOT_COPY_CAPS.entries - 2;
  await assert.rejects(copyTree(path.join(d, "src"), path.join(d, "dst1"), budget), /more than 2000 files and directories/);
  const bytes = newCopyBudget();
  bytes.bytes = SLOT_COPY_CAPS.bytes - 3;
  await assert.rejects(copyTree(path.join(d, "src"), path.join(d, "dst2"), bytes), /more than 33554432 bytes/);
});
