import "server-only";
import { readFile } from "node:fs/promises";

let own: Promise<string | null> | null = null;

/** The kernel boot id of the hub's machine (Linux), or null when it cannot be read. */
export function hubBootId(): Promise<string | null> {
  own ??= readFile("/proc/sys/kernel/random/boot_id", "utf8").then(
    (s) => s.trim() || null,
    () => null,
  );
  return own;
}
