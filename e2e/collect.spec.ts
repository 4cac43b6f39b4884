import { expect, test, type Page } from "@playwright/test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signInAsAdmin, signInOrUp, type Account } from "./support/accounts.ts";
import { fixtureFiles, tarGz } from "./support/archive.ts";
import { SHOTS } from "./support/screenshots.ts";

// Collect and comments (issue 21): a user makes the hello example and one of its functions
// favourites and runs the function from the Favourites page; comments with Markdown render, a
// comment that tries to run script stays text; an author's page and its favourite star; an admin
// hides a comment. Each test signs in on its own (creating the account when needed).

const FAY: Account = { name: "fay", email: "fay@example.test", password: "fay's long passphrase" };
const GUS: Account = { name: "gus", email: "gus@example.test", password: "gus's long passphrase" };
const PACKAGE = "levhub.hello";
const FUNCTION = "greet.hello";

const star = (page: Page, label: string) => page.getByRole("button", { name: `Favourite ${label}`, exact: true });

/** The page's content is no wider than its column (nothing to scroll sideways). */
async function fitsWidth(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => {
    const main = document.querySelector("main")!;
    return main.scrollWidth - main.clientWidth;
  });
  expect(overflow, "horizontal overflow of the content in px").toBeLessThanOrEqual(0);
}

test("favourite a package and one of its functions, then run the function from the Favourites page", async ({ page }) => {
  await signInOrUp(page, FAY);
  await page.goto("/p/levhub/hello");
  await expect(star(page, PACKAGE)).toHaveAttribute("aria-pressed", "false");
  await star(page, PACKAGE).click();
  await expect(star(page, PACKAGE)).toHaveAttribute("aria-pressed", "true");
  await expect(star(page, PACKAGE)).toContainText("1");
  await star(page, `${PACKAGE}.${FUNCTION}`).click();
  await expect(star(page, `${PACKAGE}.${FUNCTION}`)).toHaveAttribute("aria-pressed", "true");

  // the count and the viewer's star on the package's card, and in the API
  await page.goto("/browse?q=hello");
  const card = page.getByRole("article", { name: PACKAGE });
  await expect(star(page, PACKAGE)).toHaveAttribute("aria-pressed", "true");
  await expect(card).toContainText("1");
  const api = await page.request.get("/api/packages/levhub/hello");
  expect(((await api.json()) as { favourites: number; favourited: boolean }).favourites).toBe(1);

  await page.goto("/favourites");
  await expect(page.getByRole("heading", { name: "Favourites", level: 1 })).toBeVisible();
  const fn = page.getByRole("listitem", { name: `${PACKAGE}.${FUNCTION}` });
  await expect(fn).toContainText(/v\d+\.\d+/);
  const packages = page.getByRole("region", { name: /Packages/ });
  await expect(packages.getByRole("article", { name: PACKAGE })).toBeVisible();
  await expect(packages.getByRole("link", { name: `Run ${PACKAGE}.greet.hi` })).toBeVisible();
  await page.screenshot({ path: join(SHOTS, "favourites.png"), fullPage: false });
  await page.setViewportSize({ width: 390, height: 844 });
  await fitsWidth(page);
  await page.screenshot({ path: join(process.cwd(), "test-results", "screenshots", "favourites-390.png"), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 860 });

  await fn.getByRole("link", { name: `Run ${PACKAGE}.${FUNCTION}` }).click();
  await expect(page).toHaveURL(/\/p\/levhub\/hello\/run\/greet\.hello/);
  await page.getByLabel(/^name/).fill("fay");
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.getByRole("status", { name: "Run status" })).toHaveText("succeeded", { timeout: 120_000 });

  // removing the function's star takes it off the page at once, and for good
  await page.goto("/favourites");
  await star(page, `${PACKAGE}.${FUNCTION}`).click();
  await expect(page.getByRole("listitem", { name: `${PACKAGE}.${FUNCTION}` })).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("listitem", { name: `${PACKAGE}.${FUNCTION}` })).toHaveCount(0);
  await expect(packages.getByRole("article", { name: PACKAGE })).toBeVisible();
});

test("comments render Markdown; a comment that tries to run script stays text; its author edits it; an admin hides one", async ({ page, browser }) => {
  await signInOrUp(page, FAY);
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto("/p/levhub/hello");
  await page.getByRole("link", { name: /^Comments/ }).click();
  await expect(page).toHaveURL(/tab=comments/);

  const box = page.getByLabel("Comment", { exact: true });
  await box.fill("**Works** with `greet.hello`:\n\n- fast\n- contained\n\n> runs in its own container\n\nSee [the docs](https://example.org/levhub).");
  await page.getByRole("button", { name: "Comment", exact: true }).click();
  const comments = page.getByRole("article", { name: "Comment by fay" });
  await expect(comments).toHaveCount(1);
  const first = comments.first();
  await expect(first.locator("strong")).toHaveText("Works");
  await expect(first.locator("li")).toHaveCount(2);
  await expect(first.locator("blockquote")).toContainText("runs in its own container");
  await expect(first.getByRole("link", { name: "the docs" })).toHaveAttribute("rel", "nofollow noopener ugc");
  await expect(box).toHaveValue("", { timeout: 10_000 });

  const attack = [
    `<script>window.__pwned = "script"; alert("script")</script>`,
    `<img src=x onerror="window.__pwned = 'img'; alert('img')">`,
    `[click me](javascript:window.__pwned='link';alert('link'))`,
    `<svg onload="window.__pwned='svg'"></svg> <a href="javascript:alert('a')">raw link</a>`,
  ].join("\n");
  await box.fill(attack);
  await page.getByRole("button", { name: "Comment", exact: true }).click();
  await expect(comments).toHaveCount(2);
  const evil = comments.nth(1);
  await expect(evil).toContainText(`<script>window.__pwned = "script"; alert("script")</script>`);
  await expect(evil).toContainText("[click me](javascript:window.__pwned='link';alert('link'))");
  await expect(page.locator(".markdown script, .markdown img, .markdown svg, .markdown a[href^='javascript' i]")).toHaveCount(0);
  await page.reload();
  await expect(comments).toHaveCount(2);
  // whatever could have run has had its chance: a load event, an error event, a paint
  await page.waitForLoadState("load");
  expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned ?? null)).toBeNull();
  expect(dialogs).toEqual([]);
  await page.screenshot({ path: join(SHOTS, "comments.png"), fullPage: false });

  // its author edits it: marked as edited
  await evil.getByRole("button", { name: /^Edit comment/ }).click();
  await evil.getByLabel("Comment text").fill("Nothing to see here, *edited*.");
  await evil.getByRole("button", { name: "Save" }).click();
  await expect(evil.locator("em")).toHaveText("edited");
  await expect(evil).toContainText(/· edited \d{4}-\d\d-\d\d/);
  await page.setViewportSize({ width: 390, height: 844 });
  await fitsWidth(page);
  await page.screenshot({ path: join(process.cwd(), "test-results", "screenshots", "comments-390.png"), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 860 });

  // anyone reads them; signed out there is no form and no edit button
  const guest = await browser.newPage();
  await guest.goto("/p/levhub/hello?tab=comments");
  await expect(guest.getByRole("article", { name: "Comment by fay" })).toHaveCount(2);
  await expect(guest.getByRole("button", { name: /^Edit comment/ })).toHaveCount(0);
  await expect(guest.getByRole("link", { name: "Sign in" }).last()).toBeVisible();

  // an admin hides the edited one: gone for the guest, marked for its author
  const admin = await browser.newPage();
  await signInAsAdmin(admin);
  await admin.goto("/p/levhub/hello?tab=comments");
  const target = admin.getByRole("article", { name: "Comment by fay" }).filter({ hasText: "Nothing to see here" });
  await target.getByLabel("Reason").fill("testing moderation");
  await target.getByRole("button", { name: "Hide" }).click();
  await expect(target).toContainText("hidden by");
  await guest.reload();
  await expect(guest.getByRole("article", { name: "Comment by fay" })).toHaveCount(1);
  await page.reload();
  await expect(comments.filter({ hasText: "Nothing to see here" })).toContainText("testing moderation");
  await expect(comments.filter({ hasText: "Nothing to see here" }).getByRole("button", { name: /^Edit comment/ })).toHaveCount(0);
  await guest.close();
  await admin.close();
});

test("an author's page lists their public packages; another user makes them a favourite author", async ({ page, browser }) => {
  await signInOrUp(page, FAY);
  const archive = join(mkdtempSync(join(tmpdir(), "levhub-e2e-collect-")), `${FAY.name}.probe.tar.gz`);
  writeFileSync(archive, await tarGz(fixtureFiles(join(process.cwd(), "e2e", "fixtures", "probe-fixed"), FAY.name)));
  await page.goto("/upload");
  await page.getByLabel("Package archive").setInputFiles(archive);
  await page.getByLabel(/^Public/).check();
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByRole("status", { name: "Upload succeeded" })).toBeVisible({ timeout: 120_000 });
  await page.goto(`/p/${FAY.name}/probe`);
  await page.getByRole("link", { name: FAY.name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/u/${FAY.name}$`));
  await expect(star(page, FAY.name)).toHaveCount(0);

  const other = await browser.newPage();
  await signInOrUp(other, GUS);
  await other.goto(`/u/${FAY.name}`);
  await expect(other.getByRole("heading", { name: FAY.name, level: 1 })).toBeVisible();
  await expect(other.getByRole("article", { name: `${FAY.name}.probe` })).toBeVisible();
  await star(other, FAY.name).click();
  await expect(star(other, FAY.name)).toHaveAttribute("aria-pressed", "true");
  await other.goto("/favourites");
  await expect(other.getByRole("listitem", { name: `Author ${FAY.name}` })).toContainText("1 package");
  // gus has published nothing: to others he is no author at all
  const res = await page.goto(`/u/${GUS.name}`);
  expect(res?.status()).toBe(404);
  await other.close();
});
