import { expect, test } from "@playwright/test";
import { join } from "node:path";
import { signInOrUp, type Account } from "./support/accounts.ts";
import { SHOTS } from "./support/screenshots.ts";

// An author starts a mode with "Pause before entry", opens the debug terminal of its paused task
// on the run page, runs `id` there (the shell is uid 65534, whatever the task runs as), then lets
// the task continue: its entry runs and the run succeeds; the session ends with the task.

const DORA: Account = { name: "dora", email: "dora@example.test", password: "dora's long passphrase" };

test("a terminal into a paused task: id says uid 65534, Continue runs the entry", async ({ page }) => {
  await signInOrUp(page, DORA);
  await page.goto("/p/levhub/hello/run/greet.hello");
  await page.locator("#field-name").fill("debugger");
  await page.getByLabel("Pause before entry").check();
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page).toHaveURL(/\/runs\/[a-z0-9]+$/);

  // the task starts and waits; its Debug button appears once it runs
  const open = page.getByRole("button", { name: "Debug task 1" });
  await expect(open).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole("log")).toContainText(/waits for a debugger before its entry/, { timeout: 60_000 });
  await open.click();
  const terminal = page.getByLabel("Debug terminal of task 1");
  await expect(terminal.getByRole("status", { name: "Debug session state" })).toHaveText(/the task waits before its entry/, { timeout: 60_000 });
  await terminal.getByTestId("debug-terminal").click();
  await page.keyboard.type("id");
  await page.keyboard.press("Enter");
  const screen = terminal.locator(".xterm-rows");
  await expect(screen).toContainText("uid=65534(nobody) gid=65534(nogroup)", { timeout: 30_000 });
  await page.keyboard.type("ls /lev/pkg/lev/levhub/hello");
  await page.keyboard.press("Enter");
  await expect(screen).toContainText("greet.py");
  await page.screenshot({ path: join(SHOTS, "debug.png"), fullPage: false });

  // nothing of the entry ran yet; Continue lets it run, and the session ends with the task
  await expect(page.getByLabel("Run status")).toHaveText("running");
  await terminal.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByLabel("Run status")).toHaveText("succeeded", { timeout: 120_000 });
  await expect(page.locator("body")).toContainText("hello, debugger");
});

test("someone else's session and run: the API says not found", async ({ page, request }) => {
  await signInOrUp(page, DORA);
  const res = await page.request.post("/api/runs/nosuchrun/debug", { data: { task: 1, cols: 80, rows: 24 } });
  expect(res.status()).toBe(404);
  const events = await request.get("/api/debug/nosuchsession0000/events");
  expect(events.status()).toBe(401);
});
