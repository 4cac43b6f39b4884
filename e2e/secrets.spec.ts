import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { secretForms } from "../runner/src/secrets/mask.ts";
import { fixtureFiles, tarGz } from "./support/archive.ts";
import { signInOrUp, type Account } from "./support/accounts.ts";
import { SHOTS } from "./support/screenshots.ts";

// Project secrets and the audit trail (issue 18, points 3-4): an owner adds a secret, an operator
// runs a package whose tool is given it in env and prints it plainly, base64-split across lines
// and in JSON; the run page shows only the mask; the owner's audit page lists the run and the use.

const OLIVE: Account = { name: "sc_olive", email: "sc-olive@example.test", password: "olive's secrets passphrase" };
const OSCAR: Account = { name: "sc_oscar", email: "sc-oscar@example.test", password: "oscar's secrets passphrase" };
const SLUG = "vault";
const NAME = "Vault engagement";
const VALUE = "SHODAN-e2e-9c8b7a6f5e4d3c2b1a";

const contexts = new Map<string, BrowserContext>();

async function as(browser: Browser, who: Account): Promise<Page> {
  let context = contexts.get(who.name);
  if (!context) {
    context = await browser.newContext();
    contexts.set(who.name, context);
    await signInOrUp(await context.newPage(), who);
  }
  return context.newPage();
}

test.afterAll(async () => {
  for (const c of contexts.values()) await c.close();
});

/** No form of the secret (plain, JSON, hex, base64 at every alignment…) in `text`. */
function assertNoValue(text: string, where: string): void {
  for (const form of secretForms(VALUE)) expect(text.includes(form), `${where} holds '${form}', a form of the secret`).toBe(false);
}

test("an owner adds a secret, an operator's run uses it, the run page shows it masked, the audit page lists its use", async ({ browser }) => {
  test.setTimeout(600_000);
  // accounts come by invitation (signInOrUp), as on a fresh hub
  await (await as(browser, OSCAR)).close();

  // olive publishes the leaky fixture and makes a project with oscar as operator
  const olive = await as(browser, OLIVE);
  const archive = join(mkdtempSync(join(tmpdir(), "levhub-e2e-secrets-")), `${OLIVE.name}.leaky.tar.gz`);
  writeFileSync(archive, await tarGz(fixtureFiles(join(process.cwd(), "e2e", "fixtures", "leaky"), OLIVE.name)));
  await olive.goto("/upload");
  await olive.getByLabel("Package archive").setInputFiles(archive);
  await olive.getByLabel(/^Public/).check();
  await olive.getByRole("button", { name: "Upload" }).click();
  await expect(olive.getByRole("status", { name: "Upload succeeded" })).toBeVisible({ timeout: 180_000 });

  await olive.goto("/projects");
  const form = olive.getByRole("form", { name: "New project" });
  await form.getByLabel("Short name").fill(SLUG);
  await form.getByLabel("Name", { exact: true }).fill(NAME);
  await form.getByRole("button", { name: "Create project" }).click();
  await olive.waitForURL(`**/projects/${SLUG}`);
  await olive.getByRole("link", { name: "Settings" }).click();
  const add = olive.getByRole("form", { name: "Add a member" });
  await add.getByLabel("User name").fill(OSCAR.name);
  await add.getByLabel("Role").selectOption("operator");
  await add.getByRole("button", { name: "Add member" }).click();
  await expect(olive.getByRole("status").filter({ hasText: OSCAR.name })).toBeVisible();

  // the secret: write-only, operators may use it; the page says whoever may use it can read it
  const secrets = olive.getByRole("region", { name: "Secrets" });
  await expect(secrets.getByRole("note")).toContainText("Whoever may use a secret can read it");
  const addSecret = secrets.getByRole("form", { name: "Add a secret" });
  await addSecret.getByLabel("Name").fill("SHODAN");
  await addSecret.getByLabel("Value").fill(VALUE);
  await addSecret.getByLabel("Description").fill("the team's Shodan key");
  await addSecret.getByLabel("operators").check();
  await addSecret.getByRole("button", { name: "Add secret" }).click();
  await expect(secrets.getByRole("list", { name: "Secrets" })).toContainText("SHODAN");
  await olive.reload();
  assertNoValue(await olive.content(), "the project settings page");
  await olive.screenshot({ path: join(SHOTS, "project-secrets.png"), fullPage: true });

  // oscar runs the leak mode in the project, the secret picked by name (no text box for it)
  const oscar = await as(browser, OSCAR);
  await oscar.goto(`/p/${OLIVE.name}/leaky/run/leak`);
  await oscar.getByLabel("Project", { exact: true }).selectOption(SLUG);
  const key = oscar.getByLabel(/^key/);
  await expect(key).toHaveJSProperty("tagName", "SELECT");
  await key.selectOption({ label: "SHODAN — the team's Shodan key" });
  await oscar.getByRole("button", { name: "Start run" }).click();
  await oscar.waitForURL(/\/runs\/[^/]+$/);
  const runPath = new URL(oscar.url()).pathname;
  const runId = runPath.split("/").pop()!;
  await expect(oscar.getByRole("status", { name: "Run status" })).toHaveText("succeeded", { timeout: 180_000 });

  // the run page: the argument by name, the log and the document masked, no form of the value anywhere
  await oscar.reload();
  await expect(oscar.getByLabel("Arguments")).toContainText("SHODAN");
  const logs = oscar.getByLabel("Run logs");
  await expect(logs).toContainText("••••(secret SHODAN)");
  await expect(oscar.getByRole("region", { name: "Stored documents" })).toContainText("••••(secret SHODAN)");
  assertNoValue(await oscar.content(), "the run page");
  // the base64 pieces read together, as a reader of the log would join them
  assertNoValue((await logs.innerText()).replace(/\s+/g, ""), "the run's log, lines joined");
  const api = await oscar.request.get(`/api/runs/${runId}`);
  expect(api.ok()).toBe(true);
  assertNoValue(await api.text(), "GET /api/runs/{id}");
  expect((await api.json()).args.key).toEqual({ $lev: "secret", id: expect.any(String) });

  // olive's audit page: the run (its arguments by reference) and the secret's use
  await olive.goto(`/audit?project=${SLUG}`);
  const events = olive.getByRole("table", { name: "Audit events, newest first" });
  await expect(events.locator('tr[data-action="secret.use"]')).toContainText("secret SHODAN");
  await expect(events.locator('tr[data-action="run.start"]').first()).toContainText(OSCAR.name);
  assertNoValue(await olive.content(), "the audit page");
  await olive.screenshot({ path: join(SHOTS, "audit.png"), fullPage: true });
  await olive.getByLabel("What").selectOption("secret.use");
  await olive.getByRole("button", { name: "Filter" }).click();
  await expect(events.locator("tbody tr")).toHaveCount(1);
  const exported = await olive.request.get(`/api/audit/export?project=${SLUG}&format=csv`);
  expect(exported.ok()).toBe(true);
  const csv = await exported.text();
  expect(csv).toContain("secret.use");
  assertNoValue(csv, "the audit CSV");

  // oscar is no owner: his audit page shows nothing of the project
  await oscar.goto(`/audit?project=${SLUG}`);
  await expect(oscar.locator('tr[data-action="secret.use"]')).toHaveCount(0);
});
