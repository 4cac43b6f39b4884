import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signInOrUp, type Account } from "./support/accounts.ts";
import { apiFor, finishedProbeRun, probeScan, publishFixture, publishProbe, signedInState } from "./support/probe.ts";

// A pentester's day without friction (issue 14): what a new user ran into, each checked where it
// could fail — Enter starts the run, runs named by number everywhere, the run page's states
// (documents as they arrive, a cancelled run), devices that are not there, scans edited in the
// page, titles, the skip link, chips named in words, deleting what one published.

const WALKER: Account = { name: "walker", email: "walker@example.test", password: "walker's long passphrase" };
const OTHER: Account = { name: "stranger", email: "stranger@example.test", password: "stranger's long passphrase" };

let walker: string;
let stranger: string;
let api: APIRequestContext;

test.beforeAll(async ({ browser, baseURL }, info) => {
  info.setTimeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), "levhub-e2e-walk-"));
  walker = await signedInState(browser, join(dir, "walker.json"), (page) => signInOrUp(page, WALKER));
  stranger = await signedInState(browser, join(dir, "stranger.json"), (page) => signInOrUp(page, OTHER));
  const context = await browser.newContext({ storageState: walker });
  api = await apiFor(await context.newPage(), baseURL!, "walkthrough spec");
  await context.close();
  await publishProbe(api, WALKER);
  await publishFixture(api, WALKER, "walk", "walk");
});
test.afterAll(async () => {
  await api?.dispose();
});

async function as(browser: Browser, state: string): Promise<Page> {
  return (await browser.newContext({ storageState: state })).newPage();
}
const runStatus = (page: Page) => page.getByRole("status", { name: "Run status" });

test("Enter in a field of a run form starts the run (not Save scan), and the run page's title names it", async ({ browser }) => {
  const page = await as(browser, walker);
  await page.goto("/p/levhub/hello/run/greet.hello");
  const field = page.getByLabel(/^name/);
  await field.fill("enter key");
  await field.press("Enter");
  await page.waitForURL(/\/runs\/[^/]+$/);
  await expect(runStatus(page)).toHaveText("succeeded", { timeout: 120_000 });
  await expect(page).toHaveTitle(/^Run #\d+ · greet\.hello · Levhub$/);
  await expect(page.getByLabel("Arguments")).toContainText('name="enter key"');
});

test("a run is named by its number wherever a run is named: its page, the API, the results filter; someone else's number is a 404", async ({ browser }) => {
  const run = await finishedProbeRun(api, WALKER, "numbered");
  const page = await as(browser, walker);
  await page.goto(`/runs/${run.number}`);
  await expect(page.getByRole("navigation", { name: "Breadcrumb" })).toContainText(`#${run.number}`);
  await expect(page).toHaveTitle(`Run #${run.number} · echo · Levhub`);
  const byNumber = await api.get(`/api/runs/${run.number}`);
  expect(byNumber.status()).toBe(200);
  expect(((await byNumber.json()) as { id: string }).id).toBe(run.id);
  const byHash = await api.get(`/api/runs/${encodeURIComponent(`#${run.number}`)}`);
  expect(((await byHash.json()) as { id: string }).id).toBe(run.id);

  await page.goto("/results");
  await page.getByLabel("Run", { exact: true }).fill(`#${run.number}`);
  await page.getByRole("button", { name: "Filter", exact: true }).click();
  const documents = page.getByRole("table", { name: "Documents" });
  await expect(documents.getByRole("link", { name: `#${run.number}` }).first()).toBeVisible();
  await expect(documents.getByRole("row")).toHaveCount(2);

  const other = await as(browser, stranger);
  const res = await other.goto(`/runs/${run.number}`);
  expect(res?.status()).toBe(404);
  await expect(other).toHaveTitle("Not found · Levhub");
});

test("the run page shows a document as soon as its task stored it, while the run goes on; a cancelled run reads as cancelled, not finished", async ({ browser }) => {
  test.setTimeout(240_000);
  const page = await as(browser, walker);
  await page.goto(`/p/${WALKER.name}/walk/run/stages`);
  await page.getByLabel(/^target/).fill("127.0.0.1");
  await page.getByLabel(/^seconds/).fill("150");
  await page.getByRole("button", { name: "Start run" }).click();
  await page.waitForURL(/\/runs\/[^/]+$/);
  // the first stage's document, without reloading, while the second stage still waits
  await expect(page.getByRole("region", { name: `Collection ${WALKER.name}/walk.note` })).toBeVisible({ timeout: 120_000 });
  await expect(runStatus(page)).toHaveText("running");
  await expect(page.getByText("This run stored no documents.")).toHaveCount(0);

  await page.getByRole("button", { name: "Cancel run" }).click();
  await expect(runStatus(page)).toHaveText("cancelled", { timeout: 60_000 });
  const bar = page.getByRole("progressbar", { name: "Run progress" });
  await expect(bar).toHaveAttribute("data-tone", "cancelled");
  await expect(bar).toHaveAttribute("aria-valuetext", "1 of 2 tasks finished, 1 cancelled");
  await expect(page.getByText("1 of 2 tasks finished, 1 cancelled")).toBeVisible();
});

test("a device that never connected is shown as such in the run form, and a run sent to it says what it waits for", async ({ browser }) => {
  const made = await api.post("/api/devices", { data: { name: "walk-laptop" } });
  expect([201, 409]).toContain(made.status());
  const page = await as(browser, walker);
  await page.goto("/p/levhub/hello/run/greet.hello");
  await page.getByLabel("Run on").selectOption("walk-laptop");
  await expect(page.getByRole("status").filter({ hasText: "walk-laptop has never connected" })).toContainText(/waits at most 24 h, then ends failed/);
  await page.getByLabel(/^name/).fill("nobody home");
  await page.getByRole("button", { name: "Start run" }).click();
  await page.waitForURL(/\/runs\/[^/]+$/);
  await expect(runStatus(page)).toHaveText("queued");
  const note = page.getByRole("status", { name: "Device" });
  await expect(note).toContainText("Waiting for device walk-laptop, which has never connected");
  await expect(note).toContainText(/If it has not taken the run by \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(24 h after it was queued\), the run ends failed/);
  await page.getByRole("button", { name: "Cancel run" }).click();
  await expect(runStatus(page)).toHaveText("cancelled");
  await expect(page.getByRole("status", { name: "Device" })).toHaveCount(0);
});

test("a scan is edited in the page: every bad schedule field at once, then saved; the list shows its arguments and times in its zone", async ({ browser }) => {
  const scanId = await probeScan(api, WALKER, "walk scan");
  const page = await as(browser, walker);
  await page.goto("/scans");
  const row = page.getByRole("row", { name: /walk scan/ });
  await expect(row).toContainText('message="scanned"');
  await expect(row).toContainText(/\d{4}-\d\d-\d\d 03:00 Europe\/Warsaw/);
  await row.getByRole("link", { name: "Edit walk scan" }).click();
  await expect(page).toHaveTitle("Edit scan walk scan · Levhub");
  await page.getByLabel("Schedule (cron)").fill("99 25 * * *");
  await page.getByLabel("Time zone").fill("Mars/Olympus");
  await page.getByRole("button", { name: "Save scan" }).click();
  await expect(page.getByText(/^minute '99': .*; hour '25': /)).toBeVisible();
  await expect(page.getByText(/unknown time zone 'Mars\/Olympus'/)).toBeVisible();
  await page.getByLabel("Schedule (cron)").fill("30 4 * * *");
  await page.getByLabel("Time zone").fill("Europe/Warsaw");
  await page.getByLabel(/^message/).fill("edited");
  await page.getByRole("button", { name: "Save scan" }).click();
  await page.waitForURL(new RegExp(`/scans/${scanId}$`));
  await expect(page).toHaveTitle("Scan walk scan · Levhub");
  await expect(page.getByText("daily at 04:30")).toBeVisible();
  await expect(page.getByLabel("Arguments")).toContainText('message="edited"');
  await expect(page.getByText(/\d{4}-\d\d-\d\d 04:30 Europe\/Warsaw/)).toBeVisible();
});

test("titles name what a page shows; a 404, an admin page included, is titled Not found", async ({ browser }) => {
  const page = await as(browser, walker);
  for (const [path, title] of [
    ["/", "Levhub"],
    ["/browse", "Browse · Levhub"],
    ["/runs", "Runs · Levhub"],
    ["/scans", "Scans · Levhub"],
    [`/p/${WALKER.name}/walk`, `${WALKER.name}.walk · Levhub`],
    [`/p/${WALKER.name}/walk/run/stages`, `Run stages · ${WALKER.name}.walk · Levhub`],
    ["/runs/999999999", "Not found · Levhub"],
    ["/p/nobody/nothing", "Not found · Levhub"],
    ["/admin/accounts", "Not found · Levhub"],
    ["/admin/workers", "Not found · Levhub"],
    ["/no/such/page", "Not found · Levhub"],
  ] as const) {
    await page.goto(path);
    await expect(page, path).toHaveTitle(title);
  }
  const other = await as(browser, stranger);
  await other.goto(`/p/${WALKER.name}/walk`);
  await expect(other, "someone else's private package: no name in the title").toHaveTitle("Not found · Levhub");
});

test("the first Tab reaches a skip link to the page itself; chips say ATT&CK or BlackArch in words", async ({ browser }) => {
  const page = await as(browser, walker);
  await page.goto(`/p/${WALKER.name}/walk`);
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page.locator("main#main")).toBeFocused();
  const attck = page.getByRole("link", { name: "ATT&CK tactic: Discovery" });
  await expect(attck).toHaveText("ATT&CK · Discovery");
  await expect(page.getByRole("link", { name: "BlackArch category: Misc" })).toHaveText("BlackArch · Misc");
});

test("the publisher deletes a package after typing its name; its runs stay, its scans stop, and it is gone from the catalog", async ({ browser }) => {
  const run = await finishedProbeRun(api, WALKER, "before the deletion");
  const page = await as(browser, walker);
  await page.goto(`/p/${WALKER.name}/probe?tab=versions`);
  const form = page.getByRole("form", { name: "Delete this package or a version" });
  await form.getByLabel(/^Type/).fill("walker.prob");
  await form.getByRole("button", { name: "Delete the package" }).click();
  await expect(page.getByText(`type ${WALKER.name}.probe to confirm`, { exact: true })).toBeVisible();
  await form.getByLabel(/^Type/).fill(`${WALKER.name}.probe`);
  await form.getByRole("button", { name: "Delete the package" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Deleted ${WALKER.name}.probe` })).toContainText("No version is left: the package is no longer listed. Its runs and the documents they stored stay.");
  expect((await page.goto(`/p/${WALKER.name}/probe`))?.status()).toBe(404);
  await page.goto(`/runs/${run.number}`);
  await expect(runStatus(page)).toHaveText("succeeded");
  await page.goto("/scans");
  await expect(page.getByRole("row", { name: /walk scan/ })).toContainText(`${WALKER.name}.probe was deleted by its publisher`);
});
