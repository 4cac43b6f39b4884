import { expect, type Page } from "@playwright/test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

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

export async function signUp(page: Page, user: Account, query = ""): Promise<void> {
  await page.goto(`/signup${query}`);
  await page.getByLabel("User name").fill(user.name);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(menu(page)).toContainText(user.name);
}

/** Signs in; creates the account first when it does not exist yet. */
export async function signInOrUp(page: Page, user: Account): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  const wrong = page.getByRole("alert").filter({ hasText: "Email or password is wrong" });
  await expect(menu(page).or(wrong)).toBeVisible();
  if (await wrong.isVisible()) await signUp(page, user);
  await expect(menu(page)).toContainText(user.name);
}

/** Signs in as the e2e admin, creating it with the bootstrap token while that is still pending. */
export async function signInAsAdmin(page: Page): Promise<void> {
  const token = pendingBootstrapToken();
  if (token) await signUp(page, E2E_ADMIN, `?bootstrap=${encodeURIComponent(token)}`);
  else await signInOrUp(page, E2E_ADMIN);
}

/** A new API token made on the settings page; the secret is shown once. */
export async function createApiToken(page: Page, name: string): Promise<string> {
  await page.goto("/settings/tokens");
  await page.getByLabel("Token name").fill(name);
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = page.getByLabel("New token");
  await expect(secret).toHaveValue(/^lev_\S{20,}$/);
  return secret.inputValue();
}
