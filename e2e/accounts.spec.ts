import { expect, test, type Page } from "@playwright/test";
import { base32Decode, totp } from "../lib/accounts/totp.ts";
import { signInAsAdmin, type Account } from "./support/accounts.ts";

// Accounts a team can trust (issue 23), first on a fresh hub (this file runs before the others):
// sign-up is invite-only; the admin invites one e-mail; the invitee signs up with it fixed, turns
// on two-factor sign-in by typing the secret shown as text into an "app" (lib/accounts/totp.ts),
// signs out, and signs in again with password and code.

const INES: Account = { name: "ines", email: "ines@example.test", password: "ines's invited passphrase" };
const menu = (page: Page) => page.getByRole("button", { name: /account menu/ });

/** A code as an authenticator app holding `secret` (base32, as the page shows it) would show at `at`. */
function code(secret: string, at = Date.now()): string {
  const bytes = base32Decode(secret);
  if (!bytes) throw new Error(`not base32: ${secret}`);
  return totp(bytes, at);
}

test("a fresh hub is invite-only; the admin invites an e-mail; the invitee signs up, turns on two-factor sign-in and signs in with a code", async ({ page, browser }) => {
  test.setTimeout(300_000);
  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  try {
    await guest.goto("/signup");
    await expect(guest.getByText("by invitation only", { exact: true })).toBeVisible();
    await expect(guest.getByRole("alert").filter({ hasText: /invitation only/ })).toBeVisible();
    await expect(guest.getByRole("button", { name: "Create account" })).toHaveCount(0);

    // the admin invites ines; the link is shown once, with a copy button
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await signInAsAdmin(page);
    await page.goto("/admin/accounts");
    const invite = page.getByRole("form", { name: "Create an invite" });
    await invite.getByLabel("E-mail").fill(INES.email);
    await invite.getByRole("button", { name: "Create invite link" }).click();
    const linkBox = page.getByRole("textbox", { name: "New invite link" });
    await expect(linkBox).toHaveValue(/\/signup\?invite=[\w-]{40,}$/);
    const link = await linkBox.inputValue();
    await page.getByRole("button", { name: "Copy" }).click();
    await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    await expect(page.getByRole("table", { name: "Invites" }).getByRole("row", { name: new RegExp(INES.email) })).toContainText("pending");

    // the invitee: the e-mail is the invited one, fixed
    const url = new URL(link);
    await guest.goto(url.pathname + url.search);
    const email = guest.getByLabel("Email");
    await expect(email).toHaveValue(INES.email);
    await expect(email).toHaveAttribute("readonly", "");
    await guest.getByLabel("User name").fill(INES.name);
    await guest.getByLabel("Password").fill(INES.password);
    await guest.getByRole("button", { name: "Create account" }).click();
    await expect(menu(guest)).toContainText(INES.name);

    // two-factor sign-in: the secret as text, a code from the "app", ten recovery codes shown once
    await guest.goto("/settings/security");
    await guest.getByRole("button", { name: "Set up two-factor sign-in" }).click();
    await expect(guest.getByRole("img", { name: "QR code of the secret" }).locator("svg")).toBeVisible();
    const secret = ((await guest.getByLabel("Two-factor secret").textContent()) ?? "").replace(/\s/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await guest.getByLabel("Code from the app").fill("000000");
    await guest.getByRole("button", { name: "Turn on" }).click();
    await expect(guest.getByRole("alert").filter({ hasText: /not right/ })).toBeVisible();
    await guest.getByLabel("Code from the app").fill(code(secret));
    await guest.getByRole("button", { name: "Turn on" }).click();
    await expect(guest.getByText("Two-factor sign-in is on.")).toBeVisible();
    await expect(guest.getByRole("list", { name: "Recovery codes list" }).getByRole("listitem")).toHaveCount(10);
    await guest.reload();
    await expect(guest.getByRole("list", { name: "Recovery codes list" })).toHaveCount(0);
    await expect(guest.getByText(/10 recovery codes left/)).toBeVisible();

    // sign out, and in: the password, then the code
    await menu(guest).click();
    await guest.getByRole("menuitem", { name: "Sign out" }).click();
    await expect(guest.getByRole("link", { name: "Sign in" })).toBeVisible();
    await guest.goto("/signin");
    await guest.getByLabel("Email").fill(INES.email);
    await guest.getByLabel("Password").fill(INES.password);
    await guest.getByRole("button", { name: "Sign in" }).click();
    const form = guest.getByRole("form", { name: "Sign in" });
    await expect(form.getByRole("alert")).toHaveText(/code from your authenticator app/);
    await guest.getByLabel("Authentication code").fill("123456");
    await guest.getByRole("button", { name: "Verify" }).click();
    await expect(form.getByRole("alert")).toHaveText(/not right/);
    // the next step's code: the step of the code used to turn it on is spent (a code works once)
    await guest.getByLabel("Authentication code").fill(code(secret, Date.now() + 30_000));
    await guest.getByRole("button", { name: "Verify" }).click();
    await expect(menu(guest)).toContainText(INES.name);
    // the browser is now a known device of the account: HTTP-only, sent only to next-auth's paths
    const device = (await guestContext.cookies()).find((c) => c.name === "levhub-known-device");
    expect(device, "the sign-in set the known-device cookie").toBeTruthy();
    expect([device?.httpOnly, device?.path]).toEqual([true, "/api/auth"]);
  } finally {
    await guestContext.close();
  }
});

test("in open mode, signing up with an e-mail in use gets the same answer as a new one and signs nobody in", async ({ page, browser }) => {
  await signInAsAdmin(page);
  await page.goto("/admin/accounts");
  const mode = page.getByRole("form", { name: "Sign-up mode" });
  await mode.getByLabel(/^Open/).check();
  await mode.getByRole("button", { name: "Save sign-up mode" }).click();
  await expect(mode.getByRole("status")).toContainText("open");
  const answers: string[] = [];
  try {
    for (const [name, email] of [
      ["walkin", "walk-in@example.test"],
      ["inesclone", INES.email],
    ]) {
      const context = await browser.newContext();
      const guest = await context.newPage();
      await guest.goto("/signup");
      await guest.getByLabel("User name").fill(name);
      await guest.getByLabel("Email").fill(email);
      await guest.getByLabel("Password").fill("a password of its own");
      await guest.getByRole("button", { name: "Create account" }).click();
      const status = guest.getByRole("status", { name: "Account created" });
      await expect(status).toBeVisible();
      answers.push((await status.textContent()) ?? "");
      await expect(menu(guest)).toHaveCount(0);
      await context.close();
    }
    expect(answers[1]).toBe(answers[0]);
  } finally {
    await page.goto("/admin/accounts");
    await mode.getByLabel(/Invite only/).check();
    await mode.getByRole("button", { name: "Save sign-up mode" }).click();
    await expect(mode.getByRole("status")).toContainText("invite only");
  }
});
