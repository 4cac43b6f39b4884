import { expect, type Page } from "@playwright/test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { adminCli } from "./admin-cli.ts";

export interface Account {
  name: string;
  email: string;
  password: string;
}

/**
 * The e2e admin. `npm start` writes a one-time token to `<data dir>/admin-bootstrap-token`;
 * whichever spec first needs an admin signs this account up with `/signup?bootstrap=<token>`
 * (spending it), later ones sign in as the same account.
 */
export const E2E_ADMIN: Account = { name: "e2eadmin", email: "e2e-admin@example.test", password: "the e2e admin passphrase" };

/** The pending bootstrap token of the server under test, or null once spent. */
export function pendingBootstrapToken(): string | null {
  const dir = process.env.E2E_DATA_DIR;
  if (!dir) throw new Error("E2E_DATA_DIR is not set: playwright.config.ts exposes the hub's data directory under that name");
  const file = join(dir, "admin-bootstrap-token");
  return existsSync(file) ? readFileSync(file, "utf8").trim() || null : null;
}

const menu = (page: Page) => page.getByRole("button", { name: /account menu/ });

/**
 * Each e2e account browses from its own address, as colleagues on their own machines do: the hub
 * counts refused sign-ins per client address (lib/accounts/limits.ts), and a suite that creates
 * dozens of accounts from 127.0.0.1 — each first probed with a sign-in that fails — would be
 * throttled as one client guessing passwords. A hub facing clients directly keys on the rightmost
 * X-Forwarded-For entry (lib/auth/client-address.ts), so the header is the client's address here.
 * The address is in 198.18.0.0/15 (benchmarking, never routed) and stable per account.
 */
export async function browseAs(page: Page, user: Account): Promise<void> {
  let h = 0;
  for (const c of user.email) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  await page.context().setExtraHTTPHeaders({ "x-forwarded-for": `198.${18 + (h & 1)}.${(h >>> 1) & 255}.${(h >>> 9) % 254 + 1}` });
}

/**
 * A one-time sign-up link for `email`, as an operator makes one (`npm run admin -- invite`) against
 * the running hub's database: a fresh hub signs up by invitation, so every e2e account is invited.
 * Returns the link's query (`?invite=…`).
 */
export function inviteQuery(email: string): string {
  const out = adminCli("invite", email);
  const token = /\/signup\?invite=([\w%-]+)/.exec(out)?.[1];
  if (!token) throw new Error(`npm run admin -- invite printed no link:\n${out}`);
  return `?invite=${token}`;
}

/** Signs up with the link's query (an invite fixes the e-mail: the field is filled in already). */
export async function signUp(page: Page, user: Account, query = ""): Promise<void> {
  await browseAs(page, user);
  await page.goto(`/signup${query}`);
  await page.getByLabel("User name").fill(user.name);
  const email = page.getByLabel("Email");
  if (!(await email.getAttribute("readonly").then((v) => v !== null))) await email.fill(user.email);
  else await expect(email).toHaveValue(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
  // in open mode every sign-up gets the same answer and signs nobody in (no e-mail is given away):
  // the new account then signs in as anyone does
  const created = page.getByRole("status", { name: "Account created" });
  await expect(menu(page).or(created)).toBeVisible();
  if (await created.isVisible()) await signIn(page, user);
  await expect(menu(page)).toContainText(user.name);
}

/** Signs in with the account's e-mail and password. */
async function signIn(page: Page, user: Account): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs in; creates the account first (with an invite for its e-mail) when it does not exist yet. */
export async function signInOrUp(page: Page, user: Account): Promise<void> {
  await browseAs(page, user);
  await page.goto("/signin");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  const wrong = page.getByRole("alert").filter({ hasText: "Email or password is wrong" });
  await expect(menu(page).or(wrong)).toBeVisible();
  if (await wrong.isVisible()) await signUp(page, user, inviteQuery(user.email));
  await expect(menu(page)).toContainText(user.name);
}

/** Signs in as the e2e admin, creating it with the bootstrap token while that is still pending. */
export async function signInAsAdmin(page: Page): Promise<void> {
  const token = pendingBootstrapToken();
  if (token) await signUp(page, E2E_ADMIN, `?bootstrap=${encodeURIComponent(token)}`);
  else await signInOrUp(page, E2E_ADMIN);
}

/** A new API token made on the settings page, with these scopes (the form's defaults when none are given); the secret is shown once. */
export async function createApiToken(page: Page, name: string, scopes?: readonly string[]): Promise<string> {
  await page.goto("/settings/tokens");
  await page.getByLabel("Token name").fill(name);
  if (scopes) {
    for (const box of await page.locator('input[name="scopes"]').all()) await box.setChecked(scopes.includes((await box.getAttribute("value")) ?? ""));
  }
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = page.getByRole("textbox", { name: "New token" });
  await expect(secret).toHaveValue(/^lev_\S{20,}$/);
  return secret.inputValue();
}
