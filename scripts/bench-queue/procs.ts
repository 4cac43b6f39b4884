/** The processes a bench measures on this machine, read from /proc. */
import { readdirSync, readFileSync } from "node:fs";

const pidsNow = () => readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map(Number);

/** user + system CPU of a process so far, in clock ticks (0 once it is gone) */
export function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return -1;
  }
}

/** A throwaway PostgreSQL's processes: its postmaster (its data directory on the command line) and the backends under it. */
export function postgresPids(dataDir: string): number[] {
  const all = pidsNow();
  const master = all.find((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(dataDir);
    } catch {
      return false;
    }
  });
  return master ? [master, ...all.filter((p) => parentOf(p) === master)] : [];
}

/** The results store's process (FerretDB) on this machine, if it runs here: its CPU is part of every stored document. */
export function ferretdbPid(): number | null {
  for (const p of pidsNow()) {
    try {
      if (readFileSync(`/proc/${p}/comm`, "utf8").startsWith("ferretdb")) return p;
    } catch {
      // gone
    }
  }
  return null;
}
