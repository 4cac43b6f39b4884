/**
 * A worker's data directory is its own: one worker process at a time (a second one is refused
 * with the first one's pid), and what a previous process left — run directories, spooled events
 * of an instance the hub has since declared lost, half-downloaded archives, the files its runs were
 * given (kept only while a run holds them) — is removed when a worker takes it. Unpacked package
 * versions stay: they are complete by construction.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

export class DataDirInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataDirInUseError";
  }
}

const LOCK = "worker.pid";
/** data directories a worker of this process holds (the pid alone cannot tell two of them apart) */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes `dir` for this worker and clears what an earlier one left; `release` gives it back. */
export async function claimDataDir(dir: string): Promise<{ release: () => Promise<void> }> {
  const abs = path.resolve(dir);
  if (held.has(abs)) throw new DataDirInUseError(`${abs} is already used by another worker of this process`);
  await mkdir(abs, { recursive: true, mode: 0o755 });
  const lock = path.join(abs, LOCK);
  const other = Number((await readFile(lock, "utf8").catch(() => "")).trim());
  if (Number.isInteger(other) && other > 0 && other !== process.pid && alive(other)) {
    throw new DataDirInUseError(`${abs} is used by the worker with pid ${other}: give each worker its own LEVHUB_WORKER_DATA_DIR`);
  }
  held.add(abs);
  await writeFile(lock, `${process.pid}\n`, { mode: 0o644 });
  await rm(path.join(abs, "runs"), { recursive: true, force: true });
  await rm(path.join(abs, "spool"), { recursive: true, force: true });
  await rm(path.join(abs, "blobs"), { recursive: true, force: true });
  const packages = path.join(abs, "packages");
  for (const name of await readdir(packages).catch(() => [] as string[])) {
    if (name.startsWith(".")) await rm(path.join(packages, name), { recursive: true, force: true });
  }
  return {
    release: async () => {
      held.delete(abs);
      await rm(lock, { force: true });
    },
  };
}
