import { expect, test } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNetnsTarget } from "../lib/testing/netns-target.ts";
import { signInOrUp, type Account } from "./support/accounts.ts";
import { SHOTS } from "./support/screenshots.ts";

// My devices: a user adds a device in Settings → My devices, starts the agent with the command
// shown once (here `lev agent` against the e2e hub, on this machine's Docker engine), sees it
// online, and runs the nmap example on it against a target in a network namespace the spec
// creates: the run page says where it ran.

const GRACE: Account = { name: "grace", email: "grace@example.test", password: "grace's long passphrase" };

/**
 * `lev agent` as the enrolment command says (the token in a file of mode 0600), until the spec
 * stops it (Ctrl-C, then SIGKILL if it hangs).
 */
function startAgent(url: string, token: string): { child: ChildProcess; output(): string; stop(): Promise<number | null>; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "levhub-e2e-agent-"));
  const tokenFile = join(dir, "agent.token");
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  const env: NodeJS.ProcessEnv = { ...process.env, LEV_URL: url };
  delete env.DOCKER_HOST;
  delete env.LEV_AGENT_TOKEN;
  const child = spawn(process.execPath, ["runner/cli/lev.mjs", "agent", "--token-file", tokenFile, "--name", "e2e-box", "--capacity", "1", "--data-dir", join(dir, "data")], {
    cwd: process.cwd(),
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    dir,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

test("add a device, start its agent, see it online and run the nmap example on it", async ({ page, baseURL }) => {
  test.setTimeout(300_000);
  await signInOrUp(page, GRACE);
  await page.goto("/settings/devices");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("My devices");
  await page.getByLabel("Device name").fill("laptop");
  await page.getByRole("button", { name: "Add device" }).click();
  const command = page.getByLabel("Enrolment command");
  // the token goes to a file only its user may read, never onto the agent's command line
  await expect(command).toHaveValue(/^\(umask 077; printf '%s\\n' 'ldv_[A-Za-z0-9_-]{43}' > ~\/\.lev-agent-laptop\.token\) && LEV_URL=\S+ lev agent --token-file ~\/\.lev-agent-laptop\.token$/);
  const shown = await command.inputValue();
  const token = /ldv_[A-Za-z0-9_-]{43}/.exec(shown)![0];
  expect(shown).toContain(`LEV_URL=${baseURL}`);

  const target = await createNetnsTarget();
  const agent = startAgent(baseURL!, token);
  try {
    await expect.poll(() => agent.output(), { timeout: 60_000, message: "the agent connects" }).toContain("connected as device laptop");
    await page.reload();
    const row = page.getByRole("row", { name: /laptop/ });
    await expect(row).toContainText("online");
    // the device's engine as the agent reported it: this machine's socket
    await expect(row).toContainText(/unix:\/\/\/\S*docker\.sock/);
    // the token is shown once: the list shows only its first characters
    await expect(page.getByText(token)).toHaveCount(0);

    await page.goto("/p/szczecin/nmap_python/run/nmap.port_os");
    await page.getByLabel(/^ip/).fill(target.ip);
    await page.getByLabel(/^ports/).fill("1-30");
    await expect(page.getByLabel("Run on").locator("option", { hasText: "my device laptop (online)" })).toHaveCount(1);
    await page.getByLabel("Run on").selectOption("laptop");
    await page.getByRole("button", { name: "Start run" }).click();
    await expect(page).toHaveURL(/\/runs\//);
    await expect(page.getByText("on device laptop")).toBeVisible();
    await expect(page.getByRole("status", { name: "Run status" })).toHaveText("succeeded", { timeout: 150_000 });
    await expect(page.getByRole("region", { name: "Stored documents" })).toContainText(target.ip, { timeout: 30_000 });
    expect(agent.output()).toContain("run assigned");

    await page.goto("/settings/devices");
    await expect(page.getByRole("row", { name: /laptop/ })).toContainText("online");
    await page.screenshot({ path: join(SHOTS, "devices.png"), fullPage: true });
  } finally {
    await target.close();
    const code = await agent.stop();
    rmSync(agent.dir, { recursive: true, force: true });
    expect(code, agent.output()).toBe(0);
  }
});
