import { expect, request as playwrightRequest, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { join } from "node:path";
import { createApiToken, signInAsAdmin, signInOrUp, type Account } from "./support/accounts.ts";
import { SHOTS } from "./support/screenshots.ts";

// Projects (issue 18): alice makes an engagement, bob (operator) runs in it, carol (viewer) reads
// it but starts nothing, dave (no member) finds nothing. Against the example levhub.hello.

const ALICE: Account = { name: "pj_alice", email: "pj-alice@example.test", password: "alice's project passphrase" };
const BOB: Account = { name: "pj_bob", email: "pj-bob@example.test", password: "bob's project passphrase" };
const CAROL: Account = { name: "pj_carol", email: "pj-carol@example.test", password: "carol's project passphrase" };
const DAVE: Account = { name: "pj_dave", email: "pj-dave@example.test", password: "dave's project passphrase" };
const SLUG = "orion";
const NAME = "Orion engagement";

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

/**
 * The page's content scrolls only down in a 390 px window: nothing in <main> is wider than the
 * window, except inside a box that scrolls sideways itself (a wide table in its card).
 */
async function fitsWidth(page: Page): Promise<void> {
  const widths = await page.evaluate(() => ({ main: document.querySelector("main")!.scrollWidth, window: window.innerWidth }));
  expect(widths.main, `${page.url()}: the content is ${widths.main} px wide in a ${widths.window} px window`).toBeLessThanOrEqual(widths.window);
}

test("a team shares an engagement: members see each other's runs and results, a viewer cannot run, a non-member sees nothing", async ({ browser, baseURL }) => {
  test.setTimeout(600_000);
  // sign-up open for this spec's accounts, whatever an earlier spec left
  const admin = await (await browser.newContext()).newPage();
  await signInAsAdmin(admin);
  await admin.goto("/admin/accounts");
  const mode = admin.getByRole("form", { name: "Sign-up mode" });
  await mode.getByLabel(/^Open/).check();
  await mode.getByRole("button", { name: "Save sign-up mode" }).click();
  await expect(mode.getByRole("status")).toContainText("open");
  await admin.context().close();
  for (const who of [BOB, CAROL, DAVE]) await (await as(browser, who)).close();

  // alice creates the project, with a window open now, and adds bob and carol
  const alice = await as(browser, ALICE);
  await alice.goto("/projects");
  await expect(alice.locator(`[data-project="${ALICE.name}"]`)).toContainText("personal");
  const form = alice.getByRole("form", { name: "New project" });
  await form.getByLabel("Short name").fill(SLUG);
  await form.getByLabel("Name", { exact: true }).fill(NAME);
  await form.getByLabel("Client").fill("Orion Corp");
  await form.getByLabel("Description").fill("External perimeter test, scope agreed in the kick-off.");
  // the window's ends as the browser's datetime-local fields take them, in its own zone
  const local = (ms: number) => alice.evaluate((t) => new Date(t - new Date(t).getTimezoneOffset() * 60_000).toISOString().slice(0, 16), ms);
  await form.getByLabel("Starts").fill(await local(Date.now() - 3600_000));
  await form.getByLabel("Ends").fill(await local(Date.now() + 14 * 24 * 3600_000));
  await form.getByRole("button", { name: "Create project" }).click();
  await alice.waitForURL(`**/projects/${SLUG}`);
  await expect(alice.getByRole("heading", { name: NAME, level: 1 })).toBeVisible();
  await expect(alice.locator("[data-window]")).toHaveAttribute("data-window", "open");

  await alice.getByRole("link", { name: "Settings" }).click();
  const add = alice.getByRole("form", { name: "Add a member" });
  for (const [who, role] of [
    [BOB, "operator"],
    [CAROL, "viewer"],
  ] as const) {
    await add.getByLabel("User name").fill(who.name);
    await add.getByLabel("Role").selectOption(role);
    await add.getByRole("button", { name: "Add member" }).click();
    await expect(add.getByRole("status")).toHaveText(`Added ${who.name} as ${role}.`);
  }
  // an unknown name is refused in words, nothing added
  await add.getByLabel("User name").fill("pj_nobody");
  await add.getByRole("button", { name: "Add member" }).click();
  await expect(add.getByRole("alert")).toHaveText("no such user");
  await alice.reload();
  const members = alice.getByRole("table", { name: "Members" });
  await expect(members.locator("[data-member]")).toHaveCount(3);
  await expect(members.locator(`[data-member="${BOB.name}"] [data-role]`)).toHaveText("operator");
  await expect(members.locator(`[data-member="${CAROL.name}"] [data-role]`)).toHaveText("viewer");
  // the last owner stays
  await members.getByRole("button", { name: `Remove ${ALICE.name}` }).click();
  await expect(members.locator(`[data-member="${ALICE.name}"]`).getByRole("alert")).toContainText("at least one owner");

  // bob runs the hello example in the project
  const bob = await as(browser, BOB);
  await bob.goto("/p/levhub/hello/run/greet.hello");
  await bob.getByLabel("Project").selectOption(SLUG);
  await bob.getByLabel(/^name/).fill("orion");
  await bob.getByRole("button", { name: "Start run" }).click();
  await bob.waitForURL(/\/runs\/[^/]+$/);
  const runPath = new URL(bob.url()).pathname;
  const runId = runPath.split("/").pop()!;
  await expect(bob.getByRole("status", { name: "Run status" })).toHaveText("succeeded", { timeout: 120_000 });
  await expect(bob.getByRole("link", { name: NAME })).toBeVisible();

  // alice sees bob's run and its results
  await alice.goto(`/projects/${SLUG}`);
  const recent = alice.getByRole("table", { name: `Recent runs of ${NAME}` });
  await expect(recent).toContainText("greet.hello");
  await expect(recent).toContainText(BOB.name);
  await alice.goto(runPath);
  await expect(alice.getByRole("status", { name: "Run status" })).toHaveText("succeeded");
  await expect(alice.getByRole("region", { name: "Stored documents" })).toContainText("orion");
  const runNumber = (await alice.getByRole("navigation", { name: "Breadcrumb" }).innerText()).match(/#(\d+)/)![1];
  await alice.goto(`/results?project=${SLUG}`);
  await expect(alice.getByRole("link", { name: `#${runNumber}` }).first()).toBeVisible();

  // screenshots of the project page for the README, wide and on a phone
  await alice.goto(`/projects/${SLUG}`);
  await expect(alice.getByRole("table", { name: `Recent runs of ${NAME}` })).toBeVisible();
  await alice.screenshot({ path: join(SHOTS, "project.png"), fullPage: true });
  await alice.setViewportSize({ width: 390, height: 844 });
  for (const path of [`/projects/${SLUG}`, "/projects", `/projects/${SLUG}/settings`]) {
    await alice.goto(path);
    await fitsWidth(alice);
  }
  await alice.goto(`/projects/${SLUG}`);
  await alice.screenshot({ path: join(SHOTS, "project-phone.png"), fullPage: true });
  await alice.setViewportSize({ width: 1280, height: 860 });

  // carol reads the run and its results, but has nothing to run it with; her token is refused a run
  const carol = await as(browser, CAROL);
  await carol.goto(runPath);
  await expect(carol.getByRole("status", { name: "Run status" })).toHaveText("succeeded");
  await expect(carol.getByRole("region", { name: "Stored documents" })).toContainText("orion");
  await expect(carol.getByRole("button", { name: "Re-run" })).toHaveCount(0);
  await expect(carol.getByRole("button", { name: "Save scan" })).toHaveCount(0);
  await carol.goto(`/projects/${SLUG}`);
  await expect(carol.getByRole("link", { name: "Run something here" })).toHaveCount(0);
  await expect(carol.getByRole("link", { name: "Settings" })).toHaveCount(0);
  // the run form offers her only her own project
  await carol.goto("/p/levhub/hello/run/greet.hello");
  await expect(carol.getByLabel("Project").locator("option")).toHaveText([`${CAROL.name} (personal)`]);
  const carolToken = await createApiToken(carol, "projects-e2e");
  const carolApi = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${carolToken}` } });
  const refused = await carolApi.post("/api/runs", { data: { package: "levhub.hello", function: "greet.hello", args: { name: "carol" }, project: SLUG }, failOnStatusCode: false });
  expect(refused.status()).toBe(403);
  expect(((await refused.json()) as { error: { code: string; message: string } }).error.message).toMatch(/viewers of this project/);
  expect((await carolApi.get(`/api/runs/${runId}`)).status()).toBe(200);
  await carolApi.dispose();

  // dave, no member, finds neither the project, nor the run, nor its results
  const dave = await as(browser, DAVE);
  for (const path of [runPath, `/projects/${SLUG}`, `/projects/${SLUG}/settings`, `/compare?a=${runId}&b=${runId}`]) {
    const res = await dave.goto(path);
    expect(res?.status(), path).toBe(404);
  }
  await dave.goto("/projects");
  await expect(dave.getByRole("list", { name: "Projects" })).not.toContainText(NAME);
  const daveToken = await createApiToken(dave, "projects-e2e");
  const daveApi = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${daveToken}` } });
  for (const path of [`/api/runs/${runId}`, `/api/runs/${runId}/documents`, `/api/projects/${SLUG}`]) {
    expect((await daveApi.get(path)).status(), path).toBe(404);
  }
  const docs = (await (await daveApi.get(`/api/results/documents?run=${runId}`)).json()) as { items: unknown[] };
  expect(docs.items).toEqual([]);
  const ran = await daveApi.post("/api/runs", { data: { package: "levhub.hello", function: "greet.hello", args: { name: "dave" }, project: SLUG }, failOnStatusCode: false });
  expect(ran.status()).toBe(404);
  await daveApi.dispose();
});
