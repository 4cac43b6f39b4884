import { expect, test } from "@playwright/test";
import { join } from "node:path";
import { createNetnsTarget } from "../lib/testing/netns-target.ts";
import { signInOrUp, type Account } from "./support/accounts.ts";
import { scanTarget } from "./support/nmap.ts";
import { SHOTS } from "./support/screenshots.ts";

// Assets and findings across runs. A user scans two ports of a target in a network namespace the
// spec creates (lib/testing/netns-target.ts) with the nmap example's port scan, twice; between the
// runs the spec opens a listener on redis's port there. The package maps the second scan to one
// new service and one finding ("Database or cache reachable"): the run page says so, the Assets
// page lists the service, and the user triages the finding with a note.

const GINA: Account = { name: "gina", email: "gina@example.test", password: "gina's long passphrase" };

/** A port nmap's table names as a data store (the package's finding "reachable-data-store"). */
const STORE = 6379;

test("a data store opened between two scans is one new service and one finding, triaged with a note", async ({ page }) => {
  test.setTimeout(400_000);
  await signInOrUp(page, GINA);
  const target = await createNetnsTarget();
  const ip = target.ip;
  const store = STORE;
  try {
    // a port nothing listens on (the kernel's pick, released at once) and the data store, closed at first
    const other = await target.open();
    await target.shut(other);
    const ports = `${other},${store}`;
    const first = await scanTarget(page.request, ip, ports);
    await target.open(store);
    const second = await scanTarget(page.request, ip, ports);
    const run = (await (await page.request.get(`/api/runs/${second.id}`)).json()) as { project: { slug: string } };
    const slug = run.project.slug;
    const service = `${ip}:${store}/tcp`;

    // the run page: the change in assets and findings since the previous run, the document as a table
    await page.goto(`/runs/${second.id}`);
    const since = page.getByLabel("Assets and findings since");
    await expect(since).toContainText(`1 new service (${service}), 0 gone`);
    await expect(since).toContainText("1 new finding");
    const rows = page.getByRole("table", { name: /^Hosts and ports of task \d+ in / });
    await expect(rows.getByRole("row").filter({ hasText: String(store) }).first()).toContainText("open");
    await page.screenshot({ path: join(SHOTS, "findings-run.png"), fullPage: true });

    // the API agrees: the service, last seen by the second run
    const services = (await (await page.request.get(`/api/projects/${slug}/assets/services?port=${store}`)).json()) as { items: { port: number; state: string | null; lastRun: { id: string } | null }[] };
    expect(services.items.map((s) => [s.port, s.state, s.lastRun?.id])).toEqual([[store, "open", second.id]]);

    // the Assets page: the host; its page: the service, and what each run saw (the first no open service)
    await page.goto(`/projects/${slug}/assets`);
    const host = page.getByRole("table", { name: /^Hosts of / }).locator(`tr[data-address="${ip}"]`);
    await expect(host).toBeVisible();
    await host.getByRole("link", { name: ip, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/projects/${slug}/hosts/${ip.replaceAll(".", "\\.")}$`));
    await expect(page.getByRole("table", { name: `Services of ${ip}` }).locator(`tr[data-port="${store}/tcp"]`)).toContainText("open");
    const timeline = page.getByRole("list", { name: `Runs that saw ${ip}` });
    await expect(timeline.getByRole("listitem").filter({ has: page.getByRole("link", { name: `#${second.number}`, exact: true }) })).toContainText(`${store}/tcp`);
    await expect(timeline.getByRole("listitem").filter({ has: page.getByRole("link", { name: `#${first.number}`, exact: true }) })).toContainText("no open service");
    await page.screenshot({ path: join(SHOTS, "assets-host.png"), fullPage: true });

    // the Findings page: choose the finding, confirm it with a note
    await page.goto(`/projects/${slug}/findings?state=open`);
    const finding = page.locator("tr[data-finding]").filter({ hasText: "Database or cache reachable" }).filter({ hasText: service });
    await expect(finding).toHaveCount(1);
    await finding.getByRole("checkbox").check();
    const triage = page.getByRole("form", { name: "Triage findings" });
    await triage.getByLabel("Set state").selectOption("confirmed");
    await triage.getByLabel("Note").fill("reached without a password from the e2e host");
    await triage.getByRole("button", { name: "Apply to 1" }).click();
    await expect(triage.getByRole("status")).toHaveText("1 changed");
    await expect(finding.locator('td[data-label="State"]')).toHaveText(/confirmed\s*by gina/);
    await page.screenshot({ path: join(SHOTS, "findings.png"), fullPage: true });

    // the finding's page: the evidence from the run that saw it, the note in its history
    await finding.getByRole("link", { name: /Database or cache reachable/ }).click();
    await expect(page.getByText("reached without a password from the e2e host").first()).toBeVisible();
    await expect(page.getByLabel(`Evidence from run #${second.number}`)).toContainText(String(store));

    // the API's triage is all or nothing: an id the project lacks is 404, named as a problem
    const res = await page.request.patch(`/api/projects/${slug}/findings`, { data: { ids: ["999999999"], state: "fixed", note: "" } });
    expect(res.status()).toBe(404);
    expect(((await res.json()) as { error: { code: string; problems?: { where: string }[] } }).error).toMatchObject({ code: "not_found", problems: [{ where: "999999999" }] });
  } finally {
    await target.close();
  }
});
