import { expect, test, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inviteQuery, pendingBootstrapToken, signInAsAdmin, signInOrUp, signUp, type Account } from "./support/accounts.ts";
import { fixtureFiles, tarGz } from "./support/archive.ts";
import { SHOTS } from "./support/screenshots.ts";

// One journey through the hub against one fresh server, in file order (one worker). Each test
// signs in on its own (creating the account when an earlier test could not), so one failure does
// not hide the rest.

const ALICE: Account = { name: "alice", email: "alice@example.test", password: "correct horse battery" };
const BOB: Account = { name: "bob", email: "bob@example.test", password: "another long secret" };
const DAVE: Account = { name: "dave", email: "dave@example.test", password: "dave's invited passphrase" };
const FIXTURES = join(process.cwd(), "e2e", "fixtures");

const signIn = signInOrUp;
const accountMenu = (page: Page) => page.getByRole("button", { name: /account menu/ });

async function archiveOf(fixture: string, namespace: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "levhub-e2e-archive-"));
  const file = join(dir, `${namespace}.probe-0.1.0.tar.gz`);
  writeFileSync(file, await tarGz(fixtureFiles(join(FIXTURES, fixture), namespace)));
  return file;
}

test("sign up with an invite, then see every ATT&CK tactic on the home page; signing up makes nobody admin", async ({ page }) => {
  await signUp(page, ALICE, inviteQuery(ALICE.email));
  const tactics = page.getByRole("region", { name: "ATT&CK tactics" });
  await expect(tactics.getByRole("link")).toHaveCount(16);
  await expect(tactics.getByRole("link", { name: /^Reconnaissance: \d+ package/ })).toBeVisible();
  await expect(page.getByRole("region", { name: "BlackArch categories" }).getByRole("link", { name: /^Scanner: \d+ package/ })).toBeVisible();
  await page.screenshot({ path: join(SHOTS, "home.png"), fullPage: false });

  // even when alice was the hub's first account, she is a plain user: admins come from the bootstrap link
  await accountMenu(page).click();
  await expect(page.getByRole("menu", { name: "Account" })).not.toContainText("admin");
  await expect(page.getByRole("menuitem", { name: "Accounts" })).toHaveCount(0);
  const res = await page.goto("/admin/accounts");
  expect(res?.status()).toBe(404);
});

test("the one-time admin link makes the admin; the admin invites, and an invite link works once", async ({ page, browser }) => {
  await signInAsAdmin(page);
  expect(pendingBootstrapToken(), "the bootstrap token file is removed once spent").toBeNull();
  await accountMenu(page).click();
  await page.getByRole("menuitem", { name: "Accounts" }).click();
  await expect(page.getByRole("heading", { name: "Accounts", level: 1 })).toBeVisible();

  const visitor = await browser.newContext();
  const guest = await visitor.newPage();
  try {
    // a spent or made-up admin link is refused in words
    await guest.goto("/signup?bootstrap=not-the-token");
    await expect(guest.getByRole("alert").filter({ hasText: /admin set-up link is not valid/ })).toBeVisible();
    await expect(guest.getByRole("button", { name: "Create account" })).toHaveCount(0);

    // a hub signs up by invitation from its first start
    await expect(page.getByRole("form", { name: "Sign-up mode" }).getByLabel(/Invite only/)).toBeChecked();
    await guest.goto("/signup");
    await expect(guest.getByText("by invitation only", { exact: true })).toBeVisible();
    await expect(guest.getByRole("alert").filter({ hasText: /invitation only/ })).toBeVisible();
    await expect(guest.getByRole("button", { name: "Create account" })).toHaveCount(0);

    const invite = page.getByRole("form", { name: "Create an invite" });
    await invite.getByLabel("E-mail").fill(DAVE.email);
    await invite.getByLabel("Note").fill("for dave");
    await invite.getByRole("button", { name: "Create invite link" }).click();
    const link = await page.getByRole("textbox", { name: "New invite link" }).inputValue();
    expect(link).toMatch(/\/signup\?invite=[\w-]{40,}$/);
    await expect(page.getByRole("table", { name: "Invites" }).getByRole("row", { name: /for dave/ })).toContainText("pending");
    await expect(page.getByRole("table", { name: "Invites" })).not.toContainText(new URL(link).searchParams.get("invite")!);

    const path = new URL(link).pathname + new URL(link).search;
    await signUp(guest, DAVE, path.slice("/signup".length));
    await page.reload();
    await expect(page.getByRole("table", { name: "Invites" }).getByRole("row", { name: /for dave/ })).toContainText("used");

    const late = await browser.newContext();
    const latePage = await late.newPage();
    await latePage.goto(path);
    await expect(latePage.getByRole("alert").filter({ hasText: /used already/ })).toBeVisible();
    await late.close();

    // promoting dave ends his sessions: his next page is signed out
    const accounts = page.getByRole("table", { name: "Accounts" });
    await accounts.getByRole("button", { name: `Make ${DAVE.name} admin` }).click();
    await expect(page.getByRole("status").filter({ hasText: `${DAVE.name} is now an admin` })).toBeVisible();
    await expect(accounts.getByRole("row", { name: new RegExp(DAVE.name) })).toContainText("admin");
    await guest.goto("/settings/tokens");
    await expect(guest).toHaveURL(/\/signin/);
    await accounts.getByRole("button", { name: `Demote ${DAVE.name}` }).click();
    await expect(page.getByRole("status").filter({ hasText: `${DAVE.name} is now a user` })).toBeVisible();
  } finally {
    await visitor.close();
  }
});

test("sign out everywhere ends the account's sessions in every browser", async ({ browser }) => {
  const first = await browser.newContext();
  const second = await browser.newContext();
  const a = await first.newPage();
  const b = await second.newPage();
  await signIn(a, BOB);
  await signIn(b, BOB);
  await a.goto("/settings/security");
  await a.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(a).toHaveURL(/\/signin/);
  await b.goto("/runs");
  await expect(b).toHaveURL(/\/signin/);
  await expect(b.getByRole("link", { name: "Sign in" })).toBeVisible();
  // signing in again works
  await signIn(b, BOB);
  await first.close();
  await second.close();
});

test("after sign-in the hub follows only its own paths", async ({ page, baseURL }) => {
  for (const evil of ["/\\evil.example", "//evil.example", "/%5Cevil.example", "https://evil.example/"]) {
    await page.context().clearCookies();
    await page.goto(`/signin?callbackUrl=${encodeURIComponent(evil)}`);
    await page.getByLabel("Email").fill(BOB.email);
    await page.getByLabel("Password").fill(BOB.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(accountMenu(page)).toContainText(BOB.name);
    expect(new URL(page.url()).origin, evil).toBe(new URL(baseURL!).origin);
    expect(new URL(page.url()).pathname, evil).toBe("/");
  }
  await page.context().clearCookies();
  await page.goto(`/signin?callbackUrl=${encodeURIComponent("/runs")}`);
  await page.getByLabel("Email").fill(BOB.email);
  await page.getByLabel("Password").fill(BOB.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/runs$/);
});

test("browse a tactic, search by tag and open a package", async ({ page }) => {
  await signIn(page, ALICE);
  await page.goto("/");
  await page.getByRole("region", { name: "ATT&CK tactics" }).getByRole("link", { name: /^Discovery: [1-9]\d* package/ }).click();
  await expect(page).toHaveURL(/tactic=/);
  await expect(page.getByRole("article", { name: "levhub.hello" })).toBeVisible();

  // a tag link narrows the list to packages carrying that tag
  await page.getByRole("article", { name: "levhub.hello" }).getByRole("link", { name: "#hello" }).click();
  await expect(page).toHaveURL(/tag=hello/);
  await expect(page.getByRole("article", { name: "levhub.hello" })).toBeVisible();
  await expect(page.getByRole("article", { name: "szczecin.nmap_python" })).toHaveCount(0);

  // free-text search reaches descriptions and tags too
  await page.goto("/browse");
  await page.getByRole("searchbox", { name: "Search packages" }).first().fill("nmap");
  await page.getByRole("searchbox", { name: "Search packages" }).first().press("Enter");
  await expect(page.getByRole("article", { name: "szczecin.nmap_python" })).toBeVisible();

  await page.goto("/browse?tag=hello");
  await page.getByRole("article", { name: "levhub.hello" }).getByRole("link", { name: /hello/ }).first().click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("levhub.hello");
  await expect(page.getByRole("heading", { name: "greet.hi" })).toBeVisible();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(SHOTS, "package.png"), fullPage: false });

  await page.getByRole("link", { name: "Source" }).click();
  await page.getByRole("tree", { name: "Files" }).getByRole("link", { name: "__init__.py" }).first().click();
  await expect(page.getByRole("region", { name: /Source of .*__init__\.py/ })).toContainText("__lev__");
});

test("a bad value is shown beside its field and starts nothing; the fixed form runs to success", async ({ page }) => {
  await signIn(page, ALICE);
  await page.goto("/p/levhub/hello");
  await page.getByRole("link", { name: "Run greet.hi" }).click();
  await expect(page.getByRole("form", { name: "Run greet.hi" })).toBeVisible();

  const times = page.getByLabel(/^times/);
  await times.fill("2.5");
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.locator("#field-times-error")).toHaveText(/whole number/);
  await expect(times).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/run\//);
  await page.screenshot({ path: join(SHOTS, "form.png"), fullPage: false });

  // the server applies the same check, and nothing was started
  const side = await page.context().newPage();
  const api = await side.request.post("/api/runs", { data: { package: "levhub.hello", function: "greet.hi", args: { name: "e2e", times: "2.5" } }, failOnStatusCode: false });
  expect(api.status()).toBe(422);
  expect((await api.json()).error.fieldErrors["args.times"]).toMatch(/whole number/);
  await side.goto("/runs?package=levhub.hello");
  await expect(side.getByRole("row", { name: /greet\.hi/ })).toHaveCount(0);
  await side.close();

  // fixing the last field and pressing Start at once must start the run (no layout jump on blur)
  await page.getByLabel(/^name/).fill("e2e");
  await times.fill("2");
  await expect(page.locator("#field-times-error")).toHaveCount(0);
  await page.getByRole("button", { name: "Start run" }).click();
  await page.waitForURL(/\/runs\/[^/]+$/);

  // logs arrive while the run is live; the page ends on the stored documents
  await expect(page.getByRole("log", { name: "Run logs" })).toContainText("hi e2e (2/2)", { timeout: 120_000 });
  await expect(page.getByRole("status", { name: "Run status" })).toHaveText("succeeded", { timeout: 120_000 });
  const docs = page.getByRole("region", { name: "Stored documents" });
  await expect(docs).toContainText("levhub/hello.hi@1.0", { timeout: 30_000 });
  await expect(docs).toContainText('"hi e2e (2/2)"');
  await page.screenshot({ path: join(SHOTS, "run.png"), fullPage: true });

  await page.goto("/runs");
  await expect(page.getByRole("row", { name: /greet\.hi/ }).first()).toContainText("succeeded");
});

test("cancelling a long run stops every task", async ({ page }) => {
  await signIn(page, ALICE);
  await page.goto("/p/levhub/hello");
  await page.getByRole("link", { name: "Run nap" }).click();
  await page.getByLabel(/^seconds/).fill("300");
  await page.getByRole("button", { name: "Start run" }).click();
  await page.waitForURL(/\/runs\/[^/]+$/);
  const tasks = page.getByRole("table", { name: "Tasks" });
  await expect(page.getByRole("status", { name: "Run status" })).toHaveText("running", { timeout: 60_000 });
  await expect(tasks.locator("tbody tr[data-task]:not([data-task='0'])").first()).toContainText("running", { timeout: 60_000 });

  await page.getByRole("button", { name: "Cancel run" }).click();
  await expect(page.getByRole("status", { name: "Run status" })).toHaveText("cancelled", { timeout: 60_000 });
  const rows = tasks.locator("tbody tr");
  const n = await rows.count();
  expect(n).toBeGreaterThan(0);
  for (let i = 0; i < n; i++) await expect(rows.nth(i).locator("[data-status]")).not.toHaveText(/running|starting/);
  await expect(page.getByRole("button", { name: "Cancel run" })).toHaveCount(0);
});

test("a broken upload explains itself and publishes nothing; the fixed one lands in its category", async ({ page }) => {
  await signIn(page, ALICE);
  await page.goto("/upload");
  await page.getByLabel("Package archive").setInputFiles(await archiveOf("probe-broken", ALICE.name));
  await page.getByRole("button", { name: "Upload" }).click();
  const failed = page.getByRole("alert").filter({ hasText: /nothing was published/i });
  await expect(failed).toBeVisible({ timeout: 120_000 });
  await expect(failed).toContainText("fingerprnt");
  await page.screenshot({ path: join(SHOTS, "upload-error.png"), fullPage: false });
  await page.goto(`/p/${ALICE.name}/probe`);
  await expect(page.getByRole("heading", { name: /not found/i })).toBeVisible();

  await page.goto("/upload");
  await page.getByLabel("Package archive").setInputFiles(await archiveOf("probe-fixed", ALICE.name));
  await page.getByRole("button", { name: "Upload" }).click();
  const ok = page.getByRole("status", { name: "Upload succeeded" });
  await expect(ok).toBeVisible({ timeout: 120_000 });
  await expect(ok.getByRole("link", { name: `${ALICE.name}.probe 0.1.0` })).toBeVisible();

  await page.goto("/");
  await page.getByRole("region", { name: "BlackArch categories" }).getByRole("link", { name: /^Fingerprinting: [1-9]\d* package/ }).click();
  await expect(page.getByRole("article", { name: `${ALICE.name}.probe` })).toBeVisible();
});

test("another user cannot open the first user's run", async ({ page, browser }) => {
  await signIn(page, ALICE);
  await page.goto("/p/levhub/hello/run/greet.hello");
  await page.getByLabel(/^name/).fill("private");
  await page.getByRole("button", { name: "Start run" }).click();
  await page.waitForURL(/\/runs\/[^/]+$/);
  const aliceRunUrl = new URL(page.url()).pathname;
  await expect(page.getByRole("status", { name: "Run status" })).toHaveText("succeeded", { timeout: 120_000 });

  const other = await browser.newContext();
  const bob = await other.newPage();
  await signIn(bob, BOB);
  const res = await bob.goto(aliceRunUrl);
  expect(res?.status()).toBe(404);
  await expect(bob.getByRole("heading", { name: /not found/i })).toBeVisible();
  await expect(bob.getByText("hello, private")).toHaveCount(0);
  const events = await bob.request.get(`/api/runs${aliceRunUrl.slice("/runs".length)}/events`);
  expect(events.status()).toBe(404);
  await bob.goto("/runs");
  await expect(bob.getByRole("heading", { name: "Your runs" })).toBeVisible();
  await expect(bob.getByRole("row", { name: /greet\./ })).toHaveCount(0);
  await other.close();
});

test("an API token is shown once, listed by name and revoked", async ({ page, request }) => {
  await signIn(page, ALICE);
  await page.getByRole("button", { name: /account menu/ }).click();
  await page.getByRole("menuitem", { name: "API tokens" }).click();
  await page.getByLabel("Token name").fill("e2e-laptop");
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = page.getByRole("textbox", { name: "New token" });
  await expect(secret).toHaveValue(/^lev_\S{20,}$/);
  const token = await secret.inputValue();
  const row = page.getByRole("row", { name: /e2e-laptop/ });
  await expect(row).toBeVisible();
  await expect(row).not.toContainText(token);

  // the token works against the HTTP API (a client without the browser's cookies) until it is revoked
  const ok = await request.get("/api/me", { headers: { Authorization: `Bearer ${token}` } });
  expect(ok.status()).toBe(200);
  await row.getByRole("button", { name: "Revoke e2e-laptop" }).click();
  await expect(page.getByRole("row", { name: /e2e-laptop/ })).toHaveCount(0);
  const revoked = await request.get("/api/me", { headers: { Authorization: `Bearer ${token}` }, failOnStatusCode: false });
  expect(revoked.status()).toBe(401);
});

test("the lev CLI logs in with a token, scaffolds, uploads, runs and reads results over the HTTP API", async ({ page, baseURL }) => {
  await signIn(page, ALICE);
  await page.goto("/settings/tokens");
  await page.getByLabel("Token name").fill("e2e-cli");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = await page.getByRole("textbox", { name: "New token" }).inputValue();
  expect(token).toMatch(/^lev_/);

  const home = mkdtempSync(join(tmpdir(), "levhub-e2e-cli-"));
  // the saved login lives in this test's own config folder; no LEV_URL/LEV_TOKEN leak in
  const env = { ...process.env, XDG_CONFIG_HOME: join(home, "config"), LEV_URL: "", LEV_TOKEN: "" };
  const lev = (...args: string[]) =>
    execFileSync(process.execPath, [join(process.cwd(), "runner", "cli", "lev.mjs"), ...args], { env, encoding: "utf8", timeout: 120_000 });

  const login = lev("login", baseURL!, "--token", token);
  expect(login).toContain("as alice");
  expect(login).toMatch(/token: scopes read, run, publish; expires \d{4}-\d\d-\d\d \(in 8\d days\)/);
  const pkg = join(home, "alice.cliprobe");
  expect(lev("new", "alice.cliprobe", pkg)).toContain("created");
  expect(lev("upload", pkg)).toContain("published alice.cliprobe 0.1.0 privately; make it public with --public or on its page");
  const run = JSON.parse(lev("run", "alice.cliprobe.tool.check", "--param", "target=127.0.0.1", "--wait", "--json")) as { id: string; number: number; status: string };
  expect(run.status).toBe("succeeded");
  // the export's JSON form: one record per document, with where it was stored
  const documents = JSON.parse(lev("results", run.id, "--format", "json")) as { coll: string; doc: { target: string; ok: boolean } }[];
  expect(documents).toEqual([expect.objectContaining({ coll: "alice/cliprobe.check", doc: expect.objectContaining({ target: "127.0.0.1", ok: true }) })]);
  expect(lev("runs")).toContain(run.id);
  // a run is named by its number as pages show it, and reads as a summary unless --json
  const summary = lev("runs", `#${run.number}`);
  expect(summary).toMatch(new RegExp(`^run #${run.number} {2}succeeded\n {2}package {3}alice\\.cliprobe 0\\.1\\.0\n {2}function {2}tool\\.check\n {2}args {6}target="127\\.0\\.0\\.1"\n`));
  expect(summary).toMatch(/^ {2}tasks {5}1 task: 1 succeeded$/m);
  expect((JSON.parse(lev("runs", String(run.number), "--json")) as { id: string }).id).toBe(run.id);
  expect(JSON.parse(lev("results", String(run.number), "--format", "json"))).toEqual(documents);
  // a bad value is refused by the hub and nothing starts
  expect(() => lev("run", "alice.cliprobe.tool.check")).toThrow(/target: is required/);
});

// Last in the file: its refused attempts count against this machine's address for 15 minutes.
test("after ten wrong passwords for an account, sign-in is refused with the time to wait", async ({ page }) => {
  const target = { email: "mallory-target@example.test" };
  await page.goto("/signin");
  // (Next's route announcer is an alert too)
  const alert = page.getByRole("form", { name: "Sign in" }).getByRole("alert");
  for (let i = 1; i <= 10; i++) {
    await page.getByLabel("Email").fill(target.email);
    await page.getByLabel("Password").fill(`wrong guess ${i}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(alert).toHaveText("Email or password is wrong.");
    await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  }
  await page.getByLabel("Password").fill("wrong guess 11");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(alert).toHaveText(/^Too many sign-in attempts\. Try again in 1[45] minutes\.$/);
});
