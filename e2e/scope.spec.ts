import { expect, test } from "@playwright/test";
import { join } from "node:path";
import { createNetnsTarget } from "../lib/testing/netns-target.ts";
import { TERMINAL_RUN_STATUSES } from "../runner/src/status.ts";
import { signInOrUp, type Account } from "./support/accounts.ts";
import { SHOTS } from "./support/screenshots.ts";

// A project's scope. Its owner scopes a team project to a target in a network namespace the spec
// creates (lib/testing/netns-target.ts), the upper half of its subnet excluded. The run form of the
// nmap example's port scan marks the target parameter, shows the scope and refuses an excluded and
// an outside address, naming the rule, before anything is sent (the API refuses them as well); an
// in-scope scan of the target runs and its page shows the scope it carried.

const SARA: Account = { name: "sc_sara", email: "sc-sara@example.test", password: "sara's scope passphrase" };
const SLUG = "scoped-lab";

test("an owner scopes a project; the run form refuses targets outside it naming the rule; an in-scope scan runs", async ({ page }) => {
  test.setTimeout(400_000);
  await signInOrUp(page, SARA);
  const target = await createNetnsTarget();
  try {
    const net = target.subnet.replace(/\.0\/24$/, "");
    const excluded = `${net}.128/25`;
    const created = await page.request.post("/api/projects", { data: { slug: SLUG, name: "Scoped lab" } });
    expect(created.status(), await created.text()).toBe(201);

    // the owner sets the scope in the project's settings; a bad entry is named with its line first
    await page.goto(`/projects/${SLUG}/settings`);
    const form = page.getByRole("form", { name: "Scope" });
    await form.getByLabel("Allowed targets").fill(`${target.subnet}\n10.0.0.1/8`);
    await form.getByRole("button", { name: "Save scope" }).click();
    await expect(form.getByText("line 2: 10.0.0.1/8 has host bits set (did you mean 10.0.0.0/8?)")).toBeVisible();
    await form.getByLabel("Allowed targets").fill(target.subnet);
    await form.getByLabel("Excluded").fill(excluded);
    await form.getByRole("button", { name: "Save scope" }).click();
    await expect(form.getByRole("status")).toHaveText("Saved.");
    await page.goto(`/projects/${SLUG}`);
    await expect(page.getByTestId("project-scope")).toContainText(`allowed: ${target.subnet}; excluded: ${excluded}`);
    await expect(page.getByTestId("project-scope")).toContainText("enforced by the run's network on engines that can");

    // the run form: the target badge, the scope in one line, the check in the browser
    await page.goto(`/p/szczecin/nmap_python/run/nmap.port_os?project=${SLUG}`);
    await expect(page.getByTestId("run-form-scope")).toContainText(`Scope of ${SLUG}: allowed: ${target.subnet}; excluded: ${excluded}`);
    await expect(page.locator('label[for="field-ip"]')).toContainText("target");
    const port = await target.open();
    await page.locator("#field-ports").fill(String(port));
    await page.locator("#field-ip").fill(`${net}.200`);
    await page.getByRole("button", { name: "Start run" }).click();
    await expect(page.locator("#field-ip-error")).toHaveText(`ip ${net}.200 is excluded from the project's scope by ${excluded}`);
    await page.locator("#field-ip").fill("10.9.9.9");
    await page.getByRole("button", { name: "Start run" }).click();
    await expect(page.locator("#field-ip-error")).toHaveText(`ip 10.9.9.9 is outside the project's scope (allowed: ${target.subnet}; excluded: ${excluded})`);
    await expect(page).toHaveURL(/\/run\/nmap\.port_os/);
    await page.screenshot({ path: join(SHOTS, "scope.png"), fullPage: true });

    // the server refuses the same, with the field error naming the value and the rule
    const refused = await page.request.post("/api/runs", { data: { package: "szczecin.nmap_python", function: "nmap.port_os", args: { ip: "10.9.9.9", ports: String(port) }, project: SLUG } });
    expect(refused.status()).toBe(422);
    const body = (await refused.json()) as { error: { fieldErrors: Record<string, string> } };
    expect(body.error.fieldErrors["args.ip"]).toBe(`10.9.9.9 is outside the project's scope (allowed: ${target.subnet}; excluded: ${excluded})`);

    // in scope: the scan starts, succeeds, finds the open port, and its page shows the scope it carried
    await page.locator("#field-ip").fill(target.ip);
    await page.getByRole("button", { name: "Start run" }).click();
    await page.waitForURL(/\/runs\/[^/]+$/);
    const id = page.url().split("/").pop()!;
    await expect
      .poll(async () => ((await (await page.request.get(`/api/runs/${id}`)).json()) as { status: string }).status, { timeout: 150_000, intervals: [1000] })
      .toMatch(new RegExp(`^(${TERMINAL_RUN_STATUSES.join("|")})$`));
    const done = (await (await page.request.get(`/api/runs/${id}`)).json()) as { status: string; error: unknown; scope: unknown };
    expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
    expect(done.scope).toEqual({ allow: [target.subnet], exclude: [excluded], services: [] });
    await page.reload();
    await expect(page.getByTestId("run-scope")).toContainText(`allowed: ${target.subnet}; excluded: ${excluded}`);
  } finally {
    await target.close();
  }
});
