import { expect, test } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createNetnsTarget } from "../lib/testing/netns-target.ts";
import { pdfText } from "../lib/testing/pdf-text.ts";
import { signInOrUp, type Account } from "./support/accounts.ts";
import { scanTarget } from "./support/nmap.ts";
import { SHOTS } from "./support/screenshots.ts";

// Reports. A user scans a target in a network namespace the spec creates twice, opening a data
// store between the scans; the project page's Report form downloads the PDF, whose text names the
// new service and its finding; the API's report since a moment between the scans says only that
// service is new; the run page offers the run's report and its evidence bundle; the HTML report
// comes with its own CSP (and is screenshot for the README).

const RITA: Account = { name: "rita", email: "rita@example.test", password: "rita's long passphrase" };
const STORE = 6379;

test("the PDF report downloaded from the project page names the service opened between two scans", async ({ page }) => {
  test.setTimeout(400_000);
  await signInOrUp(page, RITA);
  const target = await createNetnsTarget();
  const ip = target.ip;
  try {
    const other = await target.open();
    await target.shut(other);
    const ports = `${other},${STORE}`;
    await scanTarget(page.request, ip, ports);
    const between = new Date().toISOString();
    await target.open(STORE);
    const second = await scanTarget(page.request, ip, ports);
    const slug = ((await (await page.request.get(`/api/runs/${second.id}`)).json()) as { project: { slug: string } }).project.slug;
    const service = `${ip}:${STORE}/tcp`;

    // the project page's form: PDF, downloaded by the browser
    await page.goto(`/projects/${slug}`);
    const form = page.getByRole("form", { name: /^Report on / });
    await form.getByLabel("Report format").selectOption("pdf");
    const [download] = await Promise.all([page.waitForEvent("download"), form.getByRole("button", { name: "Download report" }).click()]);
    expect(download.suggestedFilename()).toBe(`levhub-${slug}-report.pdf`);
    const text = await pdfText(await readFile(await download.path()));
    expect(text).toContain(`Engagement report: Project ${slug}`);
    expect(text).toContain(service);
    expect(text).toContain("Database or cache reachable");
    expect(text).toMatch(/Page 1 of \d+\s+·\s+report sha256 [0-9a-f]{64}/);

    // since a moment between the scans: the one new service
    const since = await page.request.get(`/api/projects/${slug}/report?format=pdf&since=${encodeURIComponent(between)}`);
    expect(since.status()).toBe(200);
    expect(since.headers()["content-type"]).toBe("application/pdf");
    const sinceText = await pdfText(await since.body());
    expect(sinceText).toContain("1 new service(s)");
    expect(sinceText.slice(sinceText.indexOf("New services"))).toContain(service);

    // a bad date is a 422 naming it
    const bad = await page.request.get(`/api/projects/${slug}/report?since=yesterday`);
    expect(bad.status()).toBe(422);
    expect(((await bad.json()) as { error: { fieldErrors: Record<string, string> } }).error.fieldErrors).toHaveProperty("since");

    // the run page: its report and its evidence bundle
    await page.goto(`/runs/${second.id}`);
    const runForm = page.getByRole("form", { name: `Report on run #${second.number}` });
    await expect(runForm.getByRole("link", { name: "Evidence bundle (tar.gz)" })).toHaveAttribute("href", `/api/runs/${second.id}/evidence`);
    const bundle = await page.request.get(`/api/runs/${second.id}/evidence`);
    expect(bundle.status()).toBe(200);
    expect([...(await bundle.body()).subarray(0, 2)]).toEqual([0x1f, 0x8b]);

    // the HTML report: its CSP allows no script and no load; shown for the README
    const html = await page.request.get(`/api/runs/${second.id}/report?format=html`);
    expect(html.headers()["content-security-policy"]).toMatch(/^default-src 'none'; style-src 'unsafe-inline'/);
    expect(html.headers()["content-disposition"]).toMatch(/^attachment;/);
    await page.setContent(await html.text());
    await expect(page.getByRole("table", { name: "Services" })).toContainText(String(STORE));
    await page.screenshot({ path: join(SHOTS, "report-html.png"), fullPage: true });
  } finally {
    await target.close();
  }
});
