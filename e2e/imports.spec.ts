import { expect, test } from "@playwright/test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signInOrUp, type Account } from "./support/accounts.ts";

// Import results (issue 17): a user imports an nmap XML report from the project page. The file is
// uploaded to the project and parsed by the hub's importer (levhub.importers) in an offline tool
// container; the host and its open service then show on the project's Assets pages. No network is
// touched: the report only names addresses.

const IVY: Account = { name: "ivy", email: "ivy@example.test", password: "ivy's long passphrase" };
const SLUG = "imported-lab";
const HOST = "192.0.2.77";

const REPORT = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<nmaprun scanner="nmap" args="nmap -sV ${HOST}">
  <host><status state="up"/><address addr="${HOST}" addrtype="ipv4"/>
    <ports>
      <port protocol="tcp" portid="5432"><state state="open"/><service name="postgresql" product="PostgreSQL DB" version="15"/></port>
      <port protocol="tcp" portid="80"><state state="closed"/><service name="http"/></port>
    </ports>
  </host>
</nmaprun>
`;

test("an nmap XML imported from the project page shows its host and open service on the Assets pages", async ({ page }) => {
  test.setTimeout(240_000);
  await signInOrUp(page, IVY);
  const created = await page.request.post("/api/projects", { data: { slug: SLUG, name: "Imported lab" } });
  expect([201, 409], await created.text()).toContain(created.status());
  const file = join(mkdtempSync(join(tmpdir(), "levhub-import-")), "scan.xml");
  writeFileSync(file, REPORT);

  await page.goto(`/projects/${SLUG}`);
  const form = page.getByRole("form", { name: "Import results" });
  // nothing chosen: said at once, nothing sent
  await form.getByRole("button", { name: "Import" }).click();
  await expect(form.getByRole("alert")).toHaveText("choose a report file");
  await form.getByLabel("Format").selectOption("nmap");
  await form.getByLabel("Report").setInputFiles(file);
  await form.getByRole("button", { name: "Import" }).click();
  await expect(page).toHaveURL(/\/runs\/[^/]+$/);
  const runId = page.url().split("/").pop()!;
  await expect
    .poll(async () => ((await (await page.request.get(`/api/runs/${runId}`)).json()) as { status: string }).status, { timeout: 180_000, intervals: [1000] })
    .toBe("succeeded");
  const run = (await (await page.request.get(`/api/runs/${runId}`)).json()) as { package: string; project: { slug: string } };
  expect([run.package, run.project.slug]).toEqual(["levhub.importers", SLUG]);

  await page.goto(`/projects/${SLUG}/assets`);
  const host = page.getByRole("table", { name: /^Hosts of / }).locator(`tr[data-address="${HOST}"]`);
  await expect(host).toBeVisible();
  await host.getByRole("link", { name: HOST, exact: true }).click();
  const services = page.getByRole("table", { name: `Services of ${HOST}` });
  await expect(services.locator('tr[data-port="5432/tcp"]')).toContainText("postgresql");
  await expect(services.locator('tr[data-port="80/tcp"]')).toHaveCount(0);

  // the same through the API: a format the hub has no importer for is refused, naming the field
  const list = (await (await page.request.get(`/api/runs/${runId}`)).json()) as { files?: { id: string }[] };
  const fileId = list.files?.[0]?.id;
  expect(fileId).toBeTruthy();
  const refused = await page.request.post(`/api/projects/${SLUG}/imports`, { data: { format: "zap", file: fileId } });
  expect(refused.status()).toBe(422);
  expect(((await refused.json()) as { error: { fieldErrors?: Record<string, string> } }).error.fieldErrors?.format).toMatch(/nmap, nuclei, sarif/);
});
