/**
 * The few host operations the second-engine harness needs (network namespaces, mounts, process
 * liveness), as plain functions over `ip`, `umount` and /proc. Linux and root only.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

export async function sh(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { timeout: 60_000 });
    return stdout;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(" ")} failed: ${(err.stderr ?? err.message).trim()}`);
  }
}

export async function netnsList(): Promise<string[]> {
  const out = await sh("ip", ["netns", "list"]);
  return out
    .split("\n")
    .map((l) => l.split(" ")[0])
    .filter(Boolean);
}

/** A namespace with its loopback up, as a fresh host has. */
export async function netnsAdd(name: string): Promise<void> {
  await sh("ip", ["netns", "add", name]);
  await sh("ip", ["-n", name, "link", "set", "lo", "up"]);
}

export async function netnsDelete(name: string): Promise<void> {
  if ((await netnsList()).includes(name)) await sh("ip", ["netns", "del", name]);
}

/** Processes whose network namespace is `name` (dockerd, containerd, shims, host-network containers). */
export async function netnsPids(name: string): Promise<number[]> {
  if (!(await netnsList()).includes(name)) return [];
  const out = await sh("ip", ["netns", "pids", name]);
  return out.split("\n").filter(Boolean).map(Number);
}

/** Mount points at or under `dir`, deepest first (as /proc/mounts escapes them: \040 for a space). */
export function mountsUnder(dir: string): string[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  return readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((l) => unescape(l.split(" ")[1] ?? ""))
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

export async function unmountUnder(dir: string): Promise<void> {
  for (const m of mountsUnder(dir)) {
    // lazy as a fallback: a mount still busy for a moment must not keep the directory forever
    await sh("umount", [m]).catch(() => sh("umount", ["-l", m]).catch(() => undefined));
  }
}

/** A process's start time in clock ticks since boot: with its PID, it names one process even after PIDs wrap. */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command name may hold spaces and parentheses: the fields after it start past the last ")"
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Waits until `pid` exits; false if it is still there after `ms`. */
export async function waitExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid) || processStart(pid) === null || isZombie(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}
