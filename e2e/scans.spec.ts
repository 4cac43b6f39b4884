import { expect, test, type Page } from "@playwright/test";
import { join } from "node:path";
import { signInOrUp, type Account } from "./support/accounts.ts";
import { SHOTS } from "./support/screenshots.ts";

// Saved scans and re-run (issue 8 item 4, issue 7 item 3), against the example levhub.hello.

const CAROL: Account = { name: "carol", email: "carol@example.test", password: "carol's long passphrase" };
const runStatus = (page: Page) => page.getByRole("status", { name: "Run status" });

async function runHello(page: Page, name: string): Promise<string> {
  await page.goto("/p/levhub/hello/run/greet.hello");
  await page.getByLabel(/^name/).fill(name);
  await page.getByRole("button", { name: "Start run" }).click();
  await page.waitForURL(/\/runs\/[^/]+$/);
  await expect(runStatus(page)).toHaveText("succeeded", { timeout: 120_000 });
  return new URL(page.url()).pathname;
}

test("save a run as a scan with a schedule, see it listed, run it now, and find the run linked to it", async ({ page }) => {
  await signInOrUp(page, CAROL);
  await runHello(page, "scanned");

  await page.locator("summary", { hasText: "Save as scan" }).click();
  const save = page.getByRole("form", { name: "Save as scan" });
  await save.getByLabel("Scan name").fill("nightly hello");
  // every bad field of the schedule at once, by name
  await save.getByLabel("Schedule (cron)").fill("61 25 * * *");
  await save.getByRole("button", { name: "Save scan" }).click();
  await expect(save.getByText(/^minute '61': .*; hour '25': /)).toBeVisible();
  await save.getByLabel("Schedule (cron)").fill("0 3 * * *");
  await save.getByLabel("Time zone").fill("Europe/Paris");
  await save.getByRole("button", { name: "Save scan" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved as scan nightly hello" })).toBeVisible();

  await page.getByRole("link", { name: "Scans", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Your scans", level: 1 })).toBeVisible();
  const row = page.getByRole("row", { name: /nightly hello/ });
  await expect(row).toContainText("daily at 03:00");
  await expect(row).toContainText("0 3 * * *");
  await expect(row).toContainText("Europe/Paris");
  await expect(row).toContainText("levhub.hello");
  await expect(row).toContainText("greet.hello");

  await row.getByRole("button", { name: "Run nightly hello now" }).click();
  await page.waitForURL(/\/runs\/[^/]+$/);
  await expect(runStatus(page)).toHaveText("succeeded", { timeout: 120_000 });
  await expect(page.getByLabel("Arguments")).toContainText('name="scanned"');
  const fromScan = new URL(page.url()).pathname;
  await page.getByRole("link", { name: "nightly hello" }).click();

  await expect(page.getByRole("heading", { name: "nightly hello", level: 1 })).toBeVisible();
  const history = page.getByRole("table", { name: "Runs of this scan" });
  await expect(history.getByRole("row")).toHaveCount(2);
  await expect(history).toContainText("by hand");
  await history.getByRole("link").first().click();
  await expect(page).toHaveURL(new RegExp(`${fromScan}$`));

  // disabled: no next run; enabled again: a next run
  await page.goto("/scans");
  await page.getByRole("button", { name: "Disable nightly hello" }).click();
  await expect(page.getByRole("row", { name: /nightly hello/ })).toContainText("disabled");
  await page.getByRole("button", { name: "Enable nightly hello" }).click();
  await expect(page.getByRole("row", { name: /nightly hello/ })).not.toContainText("disabled");
  await page.screenshot({ path: join(SHOTS, "scans.png"), fullPage: false });
});

test("re-run a run from its page, and edit and re-run it with the form prefilled", async ({ page }) => {
  await signInOrUp(page, CAROL);
  const first = await runHello(page, "again");

  await page.getByRole("button", { name: "Re-run", exact: true }).click();
  await page.waitForURL((url) => /\/runs\/[^/]+$/.test(url.pathname) && url.pathname !== first);
  await expect(runStatus(page)).toHaveText("succeeded", { timeout: 120_000 });
  await expect(page.getByLabel("Arguments")).toContainText('name="again"');
  await expect(page.getByText("a re-run")).toBeVisible();

  await page.goto(first);
  await page.getByRole("link", { name: "Edit and re-run" }).click();
  const field = page.getByLabel(/^name/);
  await expect(field).toHaveValue("again");
  await field.fill("edited");
  await page.getByRole("button", { name: /^Re-run #\d+$/ }).click();
  await page.waitForURL((url) => /\/runs\/[^/]+$/.test(url.pathname) && url.pathname !== first);
  await expect(runStatus(page)).toHaveText("succeeded", { timeout: 120_000 });
  await expect(page.getByLabel("Arguments")).toContainText('name="edited"');
  await expect(page.getByText("hello, edited").first()).toBeVisible();
});
