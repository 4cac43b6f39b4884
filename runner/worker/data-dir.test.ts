import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { claimDataDir, DataDirInUseError } from "./data-dir.ts";

test("a worker takes its data directory: leftovers of an earlier process go, package versions stay", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "worker-dir-"));
  try {
    await mkdir(path.join(dir, "runs", "r1", "chan"), { recursive: true });
    await mkdir(path.join(dir, "spool"), { recursive: true });
    await writeFile(path.join(dir, "spool", "r1.ndjson"), "{}\n");
    await mkdir(path.join(dir, "packages", "a".repeat(64)), { recursive: true });
    await mkdir(path.join(dir, "packages", ".lev-partial"), { recursive: true });
    await writeFile(path.join(dir, "packages", ".download-1"), "x");
    // a pid that no longer runs
    await writeFile(path.join(dir, "worker.pid"), "999999999\n");
    const claim = await claimDataDir(dir);
    assert.deepEqual((await readdir(dir)).sort(), ["packages", "worker.pid"]);
    assert.deepEqual(await readdir(path.join(dir, "packages")), ["a".repeat(64)]);
    await assert.rejects(claimDataDir(dir), (e: unknown) => e instanceof DataDirInUseError && /another worker of this process/.test(e.message));
    await claim.release();
    assert.deepEqual(await readdir(dir), ["packages"]);
    await (await claimDataDir(dir)).release();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a data directory a live worker process holds is refused with its pid", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "worker-dir-"));
  const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
  try {
    await writeFile(path.join(dir, "worker.pid"), `${other.pid}\n`);
    await mkdir(path.join(dir, "runs", "r1"), { recursive: true });
    await assert.rejects(claimDataDir(dir), (e: unknown) => e instanceof DataDirInUseError && e.message === `${dir} is used by the worker with pid ${other.pid}: give each worker its own LEVHUB_WORKER_DATA_DIR`);
    assert.deepEqual(await readdir(path.join(dir, "runs")), ["r1"], "nothing of the other worker's was touched");
  } finally {
    other.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }
});
