import { expect, test, type Browser, type Page } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signInAsAdmin, signInOrUp, type Account } from "./support/accounts.ts";
import { pageFiles } from "./support/app-surface.ts";
import { PAGES, type Fixtures } from "./support/authz-matrix.ts";
import { apiFor, finishedProbeRun, probeScan, publishProbe, signedInState } from "./support/probe.ts";
import { SHOTS } from "./support/screenshots.ts";

// A phone (390 × 844): every page of the app, read from the files on disk (a new page is visited
// as soon as it has its matrix entry, which the authorization tests demand), signed in as a user and
// as an admin, and signed out, must fit the screen's width: nothing scrolls sideways. Pages with
// parameters get real entities made here (a private package, a finished run, a scan).

const ROOT = process.cwd();
/** the screenshots to look at (every main page, phone and desktop) stay with the test output; only phone.png is the README's */
const LOOK = join(ROOT, "test-results", "screenshots");
const PHONE = { width: 390, height: 844 };
const MOBY: Account = { name: "moby", email: "moby@example.test", password: "moby's long passphrase" };

let fx: Fixtures;
/** a second run of the same function, for the compare page */
let secondRunId: string;
const states = new Map<"user" | "admin", string>();

test.beforeAll(async ({ browser, baseURL }, info) => {
  info.setTimeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), "levhub-e2e-mobile-"));
  states.set("admin", await signedInState(browser, join(dir, "admin.json"), signInAsAdmin));
  states.set("user", await signedInState(browser, join(dir, "user.json"), (page) => signInOrUp(page, MOBY)));
  const context = await browser.newContext({ storageState: states.get("user") });
  const api = await apiFor(await context.newPage(), baseURL!, "mobile spec");
  const { versionId } = await publishProbe(api, MOBY);
  const run = await finishedProbeRun(api, MOBY, "a message long enough to wrap on a phone, with a-very-long-unbroken-token-0123456789abcdef0123456789");
  const scanId = await probeScan(api, MOBY, "phone scan");
  secondRunId = (await finishedProbeRun(api, MOBY, "again")).id;
  await api.dispose();
  await context.close();
  // one user plays every member: the pages are the same ones (their personal project, no invite pending)
  fx = { owner: MOBY.name, operator: MOBY.name, viewer: MOBY.name, other: MOBY.name, admin: "e2eadmin", packageName: "probe", fn: "echo", versionId, project: MOBY.name, runId: run.id, scanId, inviteToken: "no-such-invite", fileId: "no-such-file-00000000" };
});

/**
 * Null when the page fits; else what sticks out: the element reaching furthest right that no
 * scrolling or clipping box contains (a table scrolling in its own box is fine).
 */
async function sidewaysScroll(page: Page): Promise<{ scrollWidth: number; clientWidth: number; widest: string } | null> {
  return page.evaluate(() => {
    const doc = document.documentElement;
    if (doc.scrollWidth <= doc.clientWidth) return null;
    // inside a box that scrolls or clips it: that box's business, not the page's. An absolutely
    // positioned element is clipped only by boxes at or above its containing block (a caption made
    // screen-reader-only escapes a scroll box that is not positioned, and widens the page)
    const contained = (el: Element) => {
      let escapes = ["absolute", "fixed"].includes(getComputedStyle(el).position);
      for (let p = el.parentElement; p && p !== document.body && p !== doc; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (!escapes && ["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) return true;
        if (style.position !== "static") escapes = ["absolute", "fixed"].includes(style.position);
      }
      return false;
    };
    let widest: Element | null = null;
    let right = doc.clientWidth;
    for (const el of Array.from(document.body.querySelectorAll("*"))) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > right + 0.5 && !contained(el)) {
        right = r.right;
        widest = el;
      }
    }
    const describe = (el: Element) => {
      const cls = typeof el.className === "string" && el.className ? `.${el.className.trim().split(/\s+/).slice(0, 4).join(".")}` : "";
      const text = (el.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 60);
      return `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${cls}> ${Math.round(el.getBoundingClientRect().width)} px wide, right edge at ${Math.round(right)} px: "${text}"`;
    };
    return { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, widest: widest ? describe(widest) : "(no single element: margins)" };
  });
}

/**
 * Every page's address with the entities made above (a page file without a matrix entry fails here
 * too), then more states of the same pages: a package's other tabs, the examples' long forms and
 * examples (nmap's raw mode), a comparison of two runs, a search.
 */
function pagePaths(): { file: string; path: string }[] {
  const pages = pageFiles(ROOT).map((file) => {
    const entry = PAGES[file];
    expect(entry, `${file} has no entry in e2e/support/authz-matrix.ts PAGES: add one (its path with real entities)`).toBeTruthy();
    return { file, path: entry.path(fx) };
  });
  const more = [
    ...["versions", "source", "history"].map((tab) => ({ file: "app/p/[ns]/[name]/page.tsx", path: `/p/${fx.owner}/${fx.packageName}?tab=${tab}` })),
    { file: "app/p/[ns]/[name]/page.tsx", path: "/p/szczecin/nmap_python" },
    { file: "app/p/[ns]/[name]/page.tsx", path: "/p/szczecin/nmap_python?tab=source" },
    { file: "app/p/[ns]/[name]/run/[fn]/page.tsx", path: "/p/szczecin/nmap_python/run/nmap.raw" },
    { file: "app/p/[ns]/[name]/run/[fn]/page.tsx", path: "/p/levhub/recon/run/sweep_and_greet" },
    { file: "app/compare/page.tsx", path: `/compare?a=${fx.runId}&b=${secondRunId}` },
    { file: "app/browse/page.tsx", path: "/browse?q=nmap" },
    { file: "app/not-found.tsx", path: "/no/such/page" },
  ];
  return [...pages, ...more];
}

async function visitAll(browser: Browser, who: "user" | "admin" | "anonymous"): Promise<string[]> {
  const context = await browser.newContext({ viewport: PHONE, ...(who === "anonymous" ? {} : { storageState: states.get(who) }) });
  const page = await context.newPage();
  const problems: string[] = [];
  try {
    for (const { file, path } of pagePaths()) {
      await page.goto(path);
      await page.waitForLoadState("networkidle").catch(() => undefined);
      const wide = await sidewaysScroll(page);
      if (wide) {
        problems.push(`${file} (${path}) as ${who}: ${wide.scrollWidth} px wide on a ${wide.clientWidth} px screen; widest: ${wide.widest}`);
        await page.screenshot({ path: join(LOOK, `too-wide-${who}-${file.replace(/[/[\]]+/g, "_")}.png`), fullPage: true });
      }
    }
  } finally {
    await context.close();
  }
  return problems;
}

for (const who of ["user", "admin", "anonymous"] as const) {
  test(`at 390 px every page fits the screen's width, as ${who === "anonymous" ? "a visitor" : `a${who === "admin" ? "n" : ""} ${who}`}`, async ({ browser }) => {
    test.setTimeout(300_000);
    expect(await visitAll(browser, who)).toEqual([]);
  });
}

test("on a phone, what pages show once after an action fits too: a new API token, a device's enrolment command, an open form section", async ({ browser }) => {
  const context = await browser.newContext({ viewport: PHONE, storageState: states.get("user") });
  const page = await context.newPage();
  await page.goto("/settings/tokens");
  await page.getByLabel("Token name").fill("phone token");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByRole("textbox", { name: "New token" })).toHaveValue(/^lev_/);
  expect(await sidewaysScroll(page), "a new token").toBeNull();
  await page.goto("/settings/devices");
  await page.getByLabel("Device name").fill(`phone-${Date.now() % 100000}`);
  await page.getByRole("button", { name: "Add device" }).click();
  await expect(page.getByLabel("Enrolment command")).toHaveValue(/lev agent --token-file/);
  expect(await sidewaysScroll(page), "a device's enrolment command").toBeNull();
  await page.goto(`/p/${fx.owner}/${fx.packageName}/run/${fx.fn}`);
  await page.locator("summary", { hasText: "Save as scan" }).click();
  expect(await sidewaysScroll(page), "the run form's Save as scan").toBeNull();
  await page.goto(`/runs/${fx.runId}`);
  await page.locator("summary", { hasText: "Save as scan" }).click();
  expect(await sidewaysScroll(page), "the run page's Save as scan").toBeNull();
  await context.close();
});

test("on a phone the catalog shows its results before its filters, and a link jumps down to them; on a desktop they stand side by side", async ({ browser }) => {
  for (const viewport of [PHONE, { width: 1280, height: 860 }]) {
    const context = await browser.newContext({ viewport, storageState: states.get("user") });
    const page = await context.newPage();
    await page.goto("/browse?q=nmap");
    const count = page.getByRole("heading", { level: 1, name: /packages?$/ });
    const filters = page.getByRole("complementary", { name: "Filters" });
    const [countBox, filtersBox] = [(await count.boundingBox())!, (await filters.boundingBox())!];
    if (viewport === PHONE) {
      expect(countBox.y, "the results' count above the filters").toBeLessThan(filtersBox.y);
      await page.getByRole("link", { name: "filters ↓" }).click();
      await expect(filters).toBeInViewport();
      await page.screenshot({ path: join(LOOK, "phone-browse.png"), fullPage: true });
    } else {
      await expect(page.getByRole("link", { name: "filters ↓" })).toBeHidden();
      expect(filtersBox.x + filtersBox.width, "the filters left of the results").toBeLessThanOrEqual(countBox.x);
    }
    await context.close();
  }
});

test("on a phone the top bar folds into one menu that reaches every section and the account's pages", async ({ browser }) => {
  const context = await browser.newContext({ viewport: PHONE, storageState: states.get("user") });
  const page = await context.newPage();
  await page.goto(`/runs/${fx.runId}`);
  // the wide bar's links and account button are not shown; one Menu button is
  await expect(page.getByRole("button", { name: /account menu/ })).toBeHidden();
  const menu = page.getByRole("button", { name: "Menu" });
  await expect(menu).toBeVisible();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await menu.click();
  const panel = page.locator("#phone-menu");
  for (const name of ["Browse", "Runs", "Scans", "Results", "Upload", "API tokens", "My devices", "Security"]) {
    const link = panel.getByRole("link", { name, exact: true });
    await expect(link).toBeVisible();
    const box = (await link.boundingBox())!;
    expect(box.x + box.width, `${name} is on the screen`).toBeLessThanOrEqual(PHONE.width);
  }
  await expect(panel.getByRole("button", { name: "Sign out" })).toBeInViewport();
  expect(await sidewaysScroll(page)).toBeNull();
  await page.screenshot({ path: join(LOOK, "phone-menu.png") });
  await panel.getByRole("link", { name: "API tokens", exact: true }).click();
  await page.waitForURL(/\/settings\/tokens$/);
  await expect(page.locator("#phone-menu")).toHaveCount(0);
  await page.keyboard.press("Escape");
  await context.close();
});

test("phone and desktop screenshots of the main pages (README: docs/screenshots/phone.png)", async ({ browser }) => {
  test.setTimeout(180_000);
  for (const [label, viewport] of [["phone", PHONE], ["desktop", { width: 1280, height: 860 }]] as const) {
    const context = await browser.newContext({ viewport, storageState: states.get("user") });
    const page = await context.newPage();
    for (const [name, path] of [
      ["home", "/"],
      ["run", `/runs/${fx.runId}`],
      ["form", `/p/${fx.owner}/${fx.packageName}/run/${fx.fn}`],
      ["scans", "/scans"],
      ["results", `/results?run=${fx.runId}`],
    ] as const) {
      await page.goto(path);
      await page.waitForLoadState("networkidle").catch(() => undefined);
      await page.screenshot({ path: join(LOOK, `${label}-${name}.png`), fullPage: label === "phone" });
    }
    if (label === "phone") {
      await page.goto(`/runs/${fx.runId}`);
      await expect(page.getByText("Comparing with the previous run…")).toHaveCount(0);
      await page.screenshot({ path: join(SHOTS, "phone.png") });
    }
    await context.close();
  }
});
