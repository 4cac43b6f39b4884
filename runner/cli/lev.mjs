#!/usr/bin/env node
// The `lev` command: loads the TypeScript sources through tsx, so no build step is needed.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Under an older system Node (`npx lev` on a machine whose node is 20), re-run on the Node this
// repository pins when setup installed it; otherwise say what is needed.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pinned = existsSync(join(root, ".nvmrc")) ? readFileSync(join(root, ".nvmrc"), "utf8").trim().replace(/^v/, "") : null;
const need = pinned ? Number(pinned.split(".")[0]) : 24;
if (Number(process.versions.node.split(".")[0]) < need) {
  const node = join(process.env.LEVHUB_HOME ?? join(homedir(), ".levhub"), "node", `v${pinned}`, "bin", "node");
  if (pinned && existsSync(node)) {
    const child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
    // Ctrl-C reaches the child through the terminal's process group (`lev agent` drains on the
    // first, cancels on the second): this process only waits; a signal sent to it alone is passed on
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
    child.on("exit", (code, signal) => process.exit(code ?? 128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1)));
  } else {
    process.stderr.write(`lev needs Node ${need} or newer (this is ${process.version}): run it as \`bash scripts/node.sh runner/cli/lev.mjs …\`, which installs the pinned Node, or put Node ${need} first in PATH\n`);
    process.exit(2);
  }
} else {
  const { register } = await import("tsx/esm/api");
  register();
  const { main } = await import("./main.ts");
  process.exitCode = await main(process.argv.slice(2));
}
