import { execFileSync } from "node:child_process";

/**
 * `npm run admin -- <args>` against the hub under test, as its operator would run it: the hub's
 * data directory (E2E_DATA_DIR, set by playwright.config.ts), so the running hub's database.
 * Returns what it printed.
 */
export function adminCli(...args: string[]): string {
  const dir = process.env.E2E_DATA_DIR;
  if (!dir) throw new Error("E2E_DATA_DIR is not set: playwright.config.ts exposes the hub's data directory under that name");
  return execFileSync(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/admin.ts", ...args], {
    cwd: process.cwd(),
    env: { ...process.env, LEVHUB_DATA_DIR: dir },
    encoding: "utf8",
    timeout: 60_000,
  });
}
