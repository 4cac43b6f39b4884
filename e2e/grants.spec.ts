import { expect, test } from "@playwright/test";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { createNetnsTarget } from "../lib/testing/netns-target.ts";
import { signInAsAdmin, signInOrUp, type Account } from "./support/accounts.ts";
import { tarGz } from "./support/archive.ts";
import { SHOTS } from "./support/screenshots.ts";

// A user publishes a copy of the nmap example in their own namespace. Its modes ask for the host
// network, which nobody has granted that namespace: the run is refused at the task's start. The
// admin grants the namespace the run's own network with NET_RAW, and the same scan of a target (a
// network namespace the spec creates) succeeds; the raw command-line mode stays uncovered.

const CAROL: Account = { name: "carol", email: "carol@example.test", password: "carol's long passphrase" };
const EXAMPLE = join(process.cwd(), "examples", "szczecin.nmap_python");

/** The nmap example as a `.tar.gz` published under `namespace` (paths, imports and schemas renamed). */
async function nmapCopy(namespace: string): Promise<string> {
  const files: { path: string; content: Buffer }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (name === "__pycache__" || name === "tests") continue;
      if (statSync(full).isDirectory()) walk(full);
      else
        files.push({
          path: relative(EXAMPLE, full).split("szczecin").join(namespace),
          content: Buffer.from(readFileSync(full, "utf8").split("szczecin").join(namespace)),
        });
    }
  };
  walk(EXAMPLE);
  const file = join(mkdtempSync(join(tmpdir(), "levhub-e2e-nmap-")), `${namespace}.nmap_python.tar.gz`);
  writeFileSync(file, await tarGz(files));
  return file;
}

test("a user's copy of the nmap example is refused a network until an admin grants the run's own network with NET_RAW", async ({ page, browser }) => {
  const target = await createNetnsTarget();
  try {
    await signInOrUp(page, CAROL);
    await page.goto("/upload");
    await page.getByLabel("Package archive").setInputFiles(await nmapCopy(CAROL.name));
    await page.getByRole("button", { name: "Upload" }).click();
    await expect(page.getByRole("status", { name: "Upload succeeded" })).toBeVisible({ timeout: 120_000 });

    // the form says what the mode asks for before anything runs
    const form = `/p/${CAROL.name}/nmap_python/run/nmap.alive`;
    await page.goto(form);
    await expect(page.getByLabel("Privileges")).toContainText(/Asks for\s*host networking/);
    await expect(page.getByLabel("Privileges")).toContainText(/not granted/i);
    await page.getByLabel("ip").fill(target.ip);
    await page.getByRole("button", { name: "Start run" }).click();
    await expect(page.getByRole("status", { name: "Run status" })).toHaveText("failed", { timeout: 120_000 });
    await expect(page.getByRole("alert").first()).toContainText(/host network.*not granted/i);
    await page.screenshot({ path: join(SHOTS, "refused.png"), fullPage: false });

    const admin = await browser.newPage();
    await signInAsAdmin(admin);
    await admin.goto("/admin/policy");
    const grant = admin.getByRole("form", { name: "Grant privileges" });
    await grant.getByLabel("Namespace").fill(CAROL.name);
    await grant.getByLabel(/The run's own network/).check();
    await grant.getByRole("checkbox", { name: "NET_RAW", exact: true }).check();
    await grant.getByLabel("Note").fill("carol's recon copy, reviewed");
    await grant.getByRole("button", { name: "Save grant" }).click();
    await expect(admin.getByRole("button", { name: `Revoke the grant of ${CAROL.name} (whole namespace)` })).toBeVisible();
    const row = admin.getByRole("row", { name: new RegExp(`${CAROL.name} \\(whole namespace\\)`) });
    await expect(row).toContainText("every function but raw command-line modes");
    await expect(row).toContainText("Its tasks run as root with NET_RAW on the run's own network.");
    // the example's own grant, as npm start gave it: what its functions ask for, by name
    await expect(admin.getByRole("row", { name: /szczecin\.nmap_python/ })).toContainText("nmap.alive");
    await admin.screenshot({ path: join(SHOTS, "policy.png"), fullPage: false });
    await admin.goto("/admin/accounts");
    await admin.screenshot({ path: join(SHOTS, "accounts.png"), fullPage: false });
    // the hub's own worker (npm start runs one in-process) is online, on the hub's machine
    await admin.goto("/admin/workers");
    await expect(admin.getByRole("heading", { name: "Workers", level: 1 })).toBeVisible();
    await expect(admin.getByText("online").first()).toBeVisible();
    await expect(admin.getByRole("table", { name: "Workers" })).toContainText("on the hub's machine");
    await admin.screenshot({ path: join(SHOTS, "workers.png"), fullPage: false });
    await admin.close();

    await page.goto(form);
    await expect(page.getByLabel("Privileges")).not.toContainText(/not granted/i);
    await expect(page.getByLabel("Privileges")).toContainText("Its tasks run as root with NET_RAW on the run's own network.");
    await page.getByLabel("ip").fill(target.ip);
    await page.getByRole("button", { name: "Start run" }).click();
    await expect(page.getByRole("status", { name: "Run status" })).toHaveText("succeeded", { timeout: 120_000 });
    await expect(page.getByText(`${CAROL.name}/nmap_python.alive@1.0`).first()).toBeVisible();
    await expect(page.getByRole("region", { name: "Stored documents" })).toContainText(target.ip, { timeout: 30_000 });

    // the raw command-line mode is not covered by a grant that does not name it
    await page.goto(`/p/${CAROL.name}/nmap_python/run/nmap.raw`);
    await expect(page.getByLabel("Privileges")).toContainText(/not granted/i);
  } finally {
    await target.close();
  }
});
