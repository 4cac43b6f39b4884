/**
 * A run's package and dependencies copied into a warm container's slot (warm-pool.ts). Copies,
 * not hard links: a hard link would share the cache's inode with every other run of the same
 * version, and its link count and change time would tell a package when others' runs start and
 * end. Bounded, because it is the runner's own work on the host: a tree over the caps is not
 * copied and the run starts cold (a bind mount costs nothing whatever the tree).
 */
import { constants } from "node:fs";
import { chmod, copyFile, lstat, mkdir, readdir } from "node:fs/promises";
import path from "node:path";

export const SLOT_COPY_CAPS = { entries: 2_000, bytes: 32 * 1024 * 1024 } as const;

export class SlotCopyRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SlotCopyRefused";
  }
}

/** What the copies of one lease have used so far, against SLOT_COPY_CAPS. */
export interface CopyBudget {
  entries: number;
  bytes: number;
}

export const newCopyBudget = (): CopyBudget => ({ entries: 0, bytes: 0 });

/**
 * `dst` made a copy of the tree at `src` (directories and regular files, with their modes).
 * Anything else — a symbolic link, a device, a FIFO — refuses the copy: packages are unpacked
 * with files and directories only (package/extract.ts), so anything else is not a package's.
 */
export async function copyTree(src: string, dst: string, budget: CopyBudget): Promise<void> {
  const root = await lstat(src);
  if (!root.isDirectory()) throw new SlotCopyRefused(`${src} is not a directory`);
  await copyDir(src, dst, root.mode, budget);
}

async function copyDir(src: string, dst: string, mode: number, budget: CopyBudget): Promise<void> {
  await mkdir(dst, { recursive: true });
  await chmod(dst, mode & 0o7777);
  for (const e of await readdir(src, { withFileTypes: true })) {
    if (++budget.entries > SLOT_COPY_CAPS.entries) throw new SlotCopyRefused(`more than ${SLOT_COPY_CAPS.entries} files and directories`);
    const from = path.join(src, e.name);
    const to = path.join(dst, e.name);
    const st = await lstat(from);
    if (st.isDirectory()) await copyDir(from, to, st.mode, budget);
    else if (st.isFile()) {
      budget.bytes += st.size;
      if (budget.bytes > SLOT_COPY_CAPS.bytes) throw new SlotCopyRefused(`more than ${SLOT_COPY_CAPS.bytes} bytes`);
      // a clone where the file system can (no bytes copied), else a copy; never over an existing file
      await copyFile(from, to, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL);
      await chmod(to, st.mode & 0o7777);
    } else throw new SlotCopyRefused(`${from} is neither a file nor a directory`);
  }
}
