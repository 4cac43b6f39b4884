import { expect, test } from "@playwright/test";
import { verifySignature } from "../lib/notify/signature.ts";
import { startSmtpSink, type SmtpSink } from "../lib/testing/smtp-sink.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../lib/testing/webhook-receiver.ts";
import { signInOrUp, type Account } from "./support/accounts.ts";
import { adminCli as admin } from "./support/admin-cli.ts";

// Notifications (issue 17, point 4): an owner adds a webhook and an e-mail rule to their project,
// sends a test, then a run fails; the allow-listed receiver on 127.0.0.1 gets the signed
// `run.failed`, the local SMTP sink gets the mail, and the delivery log shows both delivered.

const NORA: Account = { name: "nt_nora", email: "nt-nora@example.test", password: "nora's notify passphrase" };

let hook: WebhookReceiver;
let sink: SmtpSink;

test.beforeAll(async () => {
  hook = await startWebhookReceiver();
  sink = await startSmtpSink();
  expect(admin("notify-allow", `127.0.0.1:${hook.port}`)).toContain(`127.0.0.1:${hook.port}`);
  expect(admin("notify-smtp", `127.0.0.1:${sink.port}`, "none", "levhub@example.test")).toContain(`127.0.0.1:${sink.port}`);
});

test.afterAll(async () => {
  admin("notify-smtp", "off");
  admin("notify-allow");
  await hook?.close();
  await sink?.close();
});

test("a failed run reaches the owner's webhook (signed) and mailbox; send test and the delivery log show it", async ({ page }) => {
  test.setTimeout(600_000);
  await signInOrUp(page, NORA);
  await page.goto(`/projects/${NORA.name}/notifications`);
  const form = page.getByRole("form", { name: "Add a notification rule" });

  await form.getByLabel("Name").fill("ops webhook");
  await form.getByLabel("URL (https)").fill(`http://127.0.0.1:${hook.port}/levhub`);
  await form.getByRole("button", { name: "Add rule" }).click();
  const secret = (await form.getByTestId("webhook-secret").textContent())!.trim();
  expect(secret.length).toBeGreaterThanOrEqual(40);

  await form.getByLabel("Name").fill("ops mail");
  await form.getByLabel("Deliver by").selectOption("email");
  await form.getByLabel(/E-mail addresses/).fill("ops@example.test");
  await form.getByRole("button", { name: "Add rule" }).click();
  await expect(form.getByRole("status")).toContainText("Rule ops mail added.");

  // a private address is refused when saved, naming why
  await form.getByLabel("Name").fill("metadata");
  await form.getByLabel("Deliver by").selectOption("webhook");
  await form.getByLabel("URL (https)").fill("https://169.254.169.254/latest/meta-data");
  await form.getByRole("button", { name: "Add rule" }).click();
  await expect(form.getByRole("alert").first()).toContainText(/link-local or metadata/);

  // send test: one attempt now, its outcome beside the button
  await page.getByRole("button", { name: "Send a test through ops webhook" }).click();
  await expect(page.getByRole("status").filter({ hasText: /^delivered \(204\)/ })).toBeVisible();
  expect(hook.received.some((h) => h.headers["x-levhub-event"] === "notify.test")).toBe(true);

  // a run that fails: greet.hi refuses more than 100 greetings
  await page.goto("/p/levhub/hello/run/greet.hi");
  await page.getByLabel(/^name/).fill("nora");
  await page.getByLabel(/^times/).fill("101");
  await page.getByRole("button", { name: "Start run" }).click();
  await page.waitForURL(/\/runs\/[^/]+$/);
  await expect(page.getByRole("status", { name: "Run status" })).toHaveText("failed", { timeout: 180_000 });

  await expect.poll(() => hook.received.filter((h) => h.headers["x-levhub-event"] === "run.failed").length, { timeout: 60_000 }).toBe(1);
  const got = hook.received.find((h) => h.headers["x-levhub-event"] === "run.failed")!;
  expect(verifySignature(secret, String(got.headers["x-levhub-timestamp"]), got.body, String(got.headers["x-levhub-signature"]))).toBe(true);
  const payload = JSON.parse(got.body);
  expect(payload).toMatchObject({ type: "run.failed", project: { slug: NORA.name }, data: { run: { function: "greet.hi" } } });
  expect(payload.id).toBe(got.headers["x-levhub-delivery"]);

  await expect.poll(() => sink.mails.filter((m) => m.to.includes("ops@example.test")).length, { timeout: 60_000 }).toBe(1);
  expect(sink.mails[0].raw).toMatch(/^Subject: \[Levhub\] run #\d+ \(greet\.hi\) failed in /m);

  await page.goto(`/projects/${NORA.name}/notifications`);
  const log = page.getByRole("table", { name: "Delivery log" });
  await expect(log.locator('tr[data-status="delivered"]').filter({ hasText: "run.failed" })).toHaveCount(2);
  await expect(log.locator("tr").filter({ hasText: "test" }).first()).toContainText("204");
});
