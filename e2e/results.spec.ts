import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { signInOrUp, type Account } from "./support/accounts.ts";
import { createNetnsTarget } from "../lib/testing/netns-target.ts";
import { scanTarget } from "./support/nmap.ts";
import { SHOTS } from "./support/screenshots.ts";

// The results browser. A user scans a target twice with the nmap example (a listener the spec
// opens makes one port open), then browses the results of both runs from the top bar: the
// collection tree, the table, one document's JSON, a field query (and a wrong one), how a query
// reads lists (an element group vs separate conditions), a CSV export downloaded, and the chart of
// a field's top values. The only target: a network namespace the spec creates.

const GRACE: Account = { name: "grace", email: "grace@example.test", password: "grace's long passphrase" };


test("browse, filter, export and chart the results of two nmap runs of a target", async ({ page }) => {
  test.setTimeout(400_000);
  await signInOrUp(page, GRACE);
  const target = await createNetnsTarget();
  try {
    const port = await target.open();
    const first = await scanTarget(page.request, target.ip, `${port},${port + 1}`);
    const second = await scanTarget(page.request, target.ip, `${port},${port + 1}`);

    // from the top bar: the collection tree, then the nmap collection across both runs
    await page.goto("/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Results" }).click();
    await expect(page.getByRole("heading", { name: "Results", level: 1 })).toBeVisible();
    const tree = page.getByRole("navigation", { name: "Collections" });
    const coll = tree.getByRole("link", { name: /port_os/ });
    await expect(coll).toBeVisible();
    await coll.click();
    await expect(page).toHaveURL(/coll=/);
    const table = page.getByRole("table", { name: "Documents" });
    await expect(table.getByRole("link", { name: `#${first.number}` }).first()).toBeVisible();
    await expect(table.getByRole("link", { name: `#${second.number}` }).first()).toBeVisible();

    // one document's JSON, opened lazily
    await table.getByRole("button", { name: "JSON" }).first().click();
    const json = page.getByRole("tree", { name: /Document of run #/ });
    await expect(json).toContainText('"hosts"');
    // one level at a time: the hosts array, then its first host
    await json.getByRole("button", { name: "expand" }).first().click();
    await expect(json).toContainText(/\d+ fields/);
    await json.getByRole("button", { name: "expand" }).first().click();
    await expect(json).toContainText('"ports"');

    // a field query: the open port, in both runs
    const query = page.getByLabel("Field query");
    const filter = async (q: string) => {
      await query.fill(q);
      await page.getByRole("button", { name: "Filter", exact: true }).click();
      await expect(page).toHaveURL((url) => url.searchParams.get("q") === q);
    };
    await filter(`hosts[].ports[] {port = ${port} and state = open}`);
    await expect(table.locator("tbody tr")).toHaveCount(2);
    await page.screenshot({ path: join(SHOTS, "results.png"), fullPage: true });

    // lists (issue 17): a port nmap found not open, whichever address the scan targeted
    const listed = (await (await page.request.get(`/api/results/documents?run=${first.id}`)).json()) as { items: { doc: { hosts: { ports: { port: number; state: string }[] }[] } }[] };
    const shut = listed.items.flatMap((d) => d.doc.hosts.flatMap((h) => h.ports)).find((p) => p.state !== "open");
    expect(shut, "nmap lists the port nothing listens on").toBeTruthy();
    // each condition of the plain form looks on its own: port `shut` is there, another port is open
    await filter(`hosts.ports.port = ${shut!.port} and hosts.ports.state = open`);
    await expect(table.locator("tbody tr")).toHaveCount(2);
    // a group holds its conditions to one port: none
    await filter(`hosts[].ports[] {port = ${shut!.port} and state = open}`);
    await expect(page.getByText("No document matches this filter")).toBeVisible();
    await expect(page.getByRole("table", { name: "Documents" })).toHaveCount(0);
    const elemMatch = async (p: number) =>
      ((await (await page.request.get(`/api/results/documents?run=${first.id}&q=${encodeURIComponent(JSON.stringify({ "hosts.ports": { $elemMatch: { port: p, state: "open" } } }))}`)).json()) as { items: unknown[] }).items.length;
    expect(await elemMatch(shut!.port)).toBe(0);
    expect(await elemMatch(port)).toBe(1);
    // a chart of the ports under a group of the same list counts the open ones only
    const openPorts = await page.request.get(`/api/results/chart?kind=top&field=${encodeURIComponent("hosts[].ports[].port")}&q=${encodeURIComponent("hosts[].ports[] {state = open}")}`);
    expect(((await openPorts.json()) as { values: { value: string; count: number }[] }).values).toEqual([{ value: String(port), count: 2 }]);

    // a wrong query names where it went wrong and shows nothing
    await page.getByLabel("Field query").fill("hosts.ports.port = ");
    await page.getByRole("button", { name: "Filter", exact: true }).click();
    await expect(page.getByRole("alert").filter({ hasText: "field query" })).toContainText("position 20 (the end): expected a value after '='");
    await expect(page.getByRole("table", { name: "Documents" })).toHaveCount(0);

    // export the filter as CSV: a download whose rows are the two documents
    await page.getByLabel("Field query").fill(`hosts.ports.port = ${port}`);
    await page.getByRole("button", { name: "Filter", exact: true }).click();
    await expect(table.locator("tbody tr")).toHaveCount(2);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const csv = readFileSync(await download.path(), "utf8").trim().split("\r\n");
    expect(csv[0]).toMatch(/^coll,job,task,/);
    expect(csv).toHaveLength(3);
    expect(csv.slice(1).join("\n")).toContain(String(port));

    // the chart of the ports' states, and documents per run
    await page.getByText("Charts", { exact: true }).click();
    await page.getByLabel("Top values of the field").fill("hosts.ports.state");
    await page.getByRole("button", { name: "Chart", exact: true }).click();
    await expect(page.getByRole("img", { name: "Top values of hosts.ports.state" })).toBeVisible();
    await expect(page.getByRole("img", { name: "Documents per run over time" })).toBeVisible();
    const chart = await page.request.get(`/api/results/chart?kind=top&field=hosts.ports.state&q=${encodeURIComponent(`hosts.ports.port = ${port}`)}`);
    const values = ((await chart.json()) as { values: { value: string; count: number }[] }).values;
    expect(values.find((v) => v.value === '"open"')?.count).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(SHOTS, "results-chart.png"), fullPage: true });

    // every run page links to its results
    await page.goto(`/runs/${second.id}`);
    await page.getByRole("link", { name: /Results of this run/ }).click();
    // by its number, as pages show runs: the filter reads `12` and `#12` as the run
    await expect(page).toHaveURL(new RegExp(`/results\\?run=${second.number}$`));
    await expect(page.getByLabel("Run", { exact: true })).toHaveValue(String(second.number));
    await expect(page.getByRole("table", { name: "Documents" }).getByRole("link", { name: `#${first.number}` })).toHaveCount(0);
  } finally {
    await target.close();
  }
});
