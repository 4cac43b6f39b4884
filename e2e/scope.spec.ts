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
//
// Then the network's half: a project that requires enforcement runs the reach example against its
// in-scope target and, through the parameter the scope does not check, a second namespace the
// spec creates outside the scope. The e2e hub's worker runs as root in this machine's network
// namespace, so it enforces: the target answers, the other address times out, and the run page
// lists it as blocked.

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
    await page.getByTestId("project-scope").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, "scope.png") });

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
    await page.screenshot({ path: join(SHOTS, "scope-form.png"), fullPage: true });

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

const waitForEnd = async (page: import("@playwright/test").Page, id: string) => {
  await expect
    .poll(async () => ((await (await page.request.get(`/api/runs/${id}`)).json()) as { status: string }).status, { timeout: 150_000, intervals: [1000] })
    .toMatch(new RegExp(`^(${TERMINAL_RUN_STATUSES.join("|")})$`));
  return (await (await page.request.get(`/api/runs/${id}`)).json()) as { status: string; error: unknown; scopeReport: { enforcement: string; blocked: { address: string; port: number; protocol: string }[] } | null };
};

test("a run whose tool connects outside the scope: the connection is blocked and shown on its page", async ({ page }) => {
  test.setTimeout(300_000);
  await signInOrUp(page, SARA);
  const [inside, outside] = [await createNetnsTarget(), await createNetnsTarget()];
  try {
    const slug = "enforced-lab";
    const created = await page.request.post("/api/projects", { data: { slug, name: "Enforced lab" } });
    expect(created.status(), await created.text()).toBe(201);
    const scoped = await page.request.put(`/api/projects/${slug}/scope`, { data: { scope: { allow: [inside.subnet], exclude: [], services: [] }, requireEnforcement: true } });
    expect(scoped.status(), await scoped.text()).toBe(200);
    const [inPort, outPort] = await Promise.all([inside.open(), outside.open()]);

    // the outside address in the checked parameter is refused in the form, naming the scope
    await page.goto(`/p/levhub/reach/run/tcp.connect?project=${slug}`);
    await page.locator("#field-targets").fill(`${outside.ip}:${outPort}`);
    await page.getByRole("button", { name: "Start run" }).click();
    await expect(page.locator("#field-targets-error")).toHaveText(`targets ${outside.ip}:${outPort} is outside the project's scope (allowed: ${inside.subnet})`);

    // through the unchecked one it reaches the run, and the run's network stops it
    await page.locator("#field-targets").fill(`${inside.ip}:${inPort}`);
    await page.locator("#field-also").fill(`${outside.ip}:${outPort}`);
    await page.locator("#field-timeout").fill("2");
    await page.getByRole("button", { name: "Start run" }).click();
    await page.waitForURL(/\/runs\/[^/]+$/);
    const id = page.url().split("/").pop()!;
    const done = await waitForEnd(page, id);
    expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
    expect(done.scopeReport?.enforcement).toBe("enforced");
    expect(done.scopeReport?.blocked.map((b) => `${b.address}:${b.port}/${b.protocol}`)).toEqual([`${outside.ip}:${outPort}/tcp`]);

    await page.reload();
    const report = page.getByTestId("run-scope-report");
    await expect(report).toContainText("enforced by the run's network");
    await expect(report.getByRole("list", { name: "Blocked connections" })).toContainText(new RegExp(`blocked ${outside.ip.replaceAll(".", "\\.")}:${outPort}/tcp, out of scope — \\d+ packets?`));
    await expect(page.getByText(`${inside.ip}:${inPort} open`)).toBeVisible();
    await expect(page.getByText(`${outside.ip}:${outPort} timeout`)).toBeVisible();
    await report.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, "scope-blocked.png") });
  } finally {
    await Promise.all([inside.close(), outside.close()]);
  }
});
