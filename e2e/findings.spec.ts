import { expect, test } from "@playwright/test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { verifySignature } from "../lib/notify/signature.ts";
import { createNetnsTarget } from "../lib/testing/netns-target.ts";
import { pdfText } from "../lib/testing/pdf-text.ts";
import { startSmtpSink, type SmtpSink } from "../lib/testing/smtp-sink.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../lib/testing/webhook-receiver.ts";
import { signInOrUp, type Account } from "./support/accounts.ts";
import { adminCli } from "./support/admin-cli.ts";
import { scanTarget } from "./support/nmap.ts";
import { SHOTS } from "./support/screenshots.ts";

// Assets and findings across runs, end to end (issue 17's done criterion). A user adds a webhook
// rule (to a receiver on 127.0.0.1 the admin allow-lists) and an e-mail rule (to a local SMTP sink)
// for new services and findings, then scans two ports of a target in a network namespace the spec
// creates (lib/testing/netns-target.ts) with the nmap example's port scan, twice: a web port is
// open in both, and between the runs the spec opens a listener on redis's port. The package maps
// the second scan to one new service and one finding ("Database or cache reachable"): the run page
// says so, the signed webhook and the e-mail name the service, the Assets page lists it, the user
// triages the finding with a note, the project's PDF report names it, and the results' list query
// tells the runs apart where the flat form cannot.

const GINA: Account = { name: "gina", email: "gina@example.test", password: "gina's long passphrase" };

/** A port nmap's table names as a data store (the package's finding "reachable-data-store"). */
const STORE = 6379;
/** A port open in both scans, no finding (nmap's table: http-proxy): the flat query's decoy. */
const WEB = 8080;

let hook: WebhookReceiver;
let sink: SmtpSink;

test.beforeAll(async () => {
  hook = await startWebhookReceiver();
  sink = await startSmtpSink();
  expect(adminCli("notify-allow", `127.0.0.1:${hook.port}`)).toContain(`127.0.0.1:${hook.port}`);
  expect(adminCli("notify-smtp", `127.0.0.1:${sink.port}`, "none", "levhub@example.test")).toContain(`127.0.0.1:${sink.port}`);
});

test.afterAll(async () => {
  adminCli("notify-smtp", "off");
  adminCli("notify-allow");
  await hook?.close();
  await sink?.close();
});

test("a data store opened between two scans: one new service and one finding, notified, triaged, reported and queried", async ({ page }) => {
  test.setTimeout(480_000);
  await signInOrUp(page, GINA);
  // the personal project the scans run in: its owner's notification rules, before the scans
  const slug = GINA.name;
  await page.goto(`/projects/${slug}/notifications`);
  const form = page.getByRole("form", { name: "Add a notification rule" });
  const hear = async () => {
    await form.getByLabel("run failed").setChecked(false);
    await form.getByLabel("new services seen").setChecked(true);
    await form.getByLabel("new findings").setChecked(true);
  };
  await form.getByLabel("Name").fill("soc webhook");
  await form.getByLabel("Deliver by").selectOption("webhook");
  await form.getByLabel("URL (https)").fill(`http://127.0.0.1:${hook.port}/levhub`);
  await hear();
  await form.getByRole("button", { name: "Add rule" }).click();
  const secret = (await form.getByTestId("webhook-secret").textContent())!.trim();
  await form.getByLabel("Name").fill("soc mail");
  await form.getByLabel("Deliver by").selectOption("email");
  await form.getByLabel(/E-mail addresses/).fill("soc@example.test");
  await hear();
  await form.getByRole("button", { name: "Add rule" }).click();
  await expect(form.getByRole("status")).toContainText("Rule soc mail added.");

  const target = await createNetnsTarget();
  const ip = target.ip;
  const store = STORE;
  try {
    // the web port open in both scans, the data store only in the second
    await target.open(WEB);
    const ports = `${WEB},${store}`;
    const first = await scanTarget(page.request, ip, ports);
    await target.open(store);
    const second = await scanTarget(page.request, ip, ports);
    const run = (await (await page.request.get(`/api/runs/${second.id}`)).json()) as { project: { slug: string } };
    expect(run.project.slug).toBe(slug);
    const service = `${ip}:${store}/tcp`;

    // the run page: the change in assets and findings since the previous run, the document as a table
    await page.goto(`/runs/${second.id}`);
    const since = page.getByLabel("Assets and findings since");
    await expect(since).toContainText(`1 new service (${service}), 0 gone`);
    await expect(since).toContainText("1 new finding");
    const rows = page.getByRole("table", { name: /^Hosts and ports of task \d+ in / });
    await expect(rows.getByRole("row").filter({ hasText: String(store) }).first()).toContainText("open");
    await page.screenshot({ path: join(SHOTS, "findings-run.png"), fullPage: true });

    // the webhook: the second run's new service, signed with the secret shown when the rule was saved
    const newServices = () => hook.received.filter((h) => h.headers["x-levhub-event"] === "assets.new_services" && (JSON.parse(h.body) as { data: { run: { number: number } } }).data.run.number === second.number);
    await expect.poll(() => newServices().length, { timeout: 60_000 }).toBe(1);
    const got = newServices()[0];
    expect(verifySignature(secret, String(got.headers["x-levhub-timestamp"]), got.body, String(got.headers["x-levhub-signature"]))).toBe(true);
    expect(JSON.parse(got.body)).toMatchObject({ type: "assets.new_services", project: { slug }, data: { count: 1, services: [{ address: ip, port: store, protocol: "tcp" }] } });
    // the first run's only service (the web port) was new then, the finding now; nothing else was heard
    await expect.poll(() => hook.received.map((h) => h.headers["x-levhub-event"]).sort(), { timeout: 60_000 }).toEqual(["assets.new_services", "assets.new_services", "finding.new"]);

    // the e-mail: one per event of the second run, the service named in its text
    const mailed = (subject: RegExp) => sink.mails.filter((m) => m.to.includes("soc@example.test") && subject.test(m.raw));
    const serviceMail = new RegExp(`^Subject: \\[Levhub\\] run #${second.number} saw 1 new service\\(s\\) in `, "m");
    await expect.poll(() => mailed(serviceMail).length, { timeout: 60_000 }).toBe(1);
    expect(mailed(serviceMail)[0].raw).toContain(service);
    await expect.poll(() => mailed(new RegExp(`^Subject: \\[Levhub\\] run #${second.number} found 1 new finding\\(s\\) in `, "m")).length, { timeout: 60_000 }).toBe(1);

    // the delivery log says so (each row is recorded once its answer is in)
    const delivered = async () =>
      ((await (await page.request.get(`/api/projects/${slug}/notifications/deliveries`)).json()) as { deliveries: { rule: string; eventType: string; status: string }[] }).deliveries
        .filter((d) => d.status === "delivered")
        .map((d) => `${d.rule} ${d.eventType}`)
        .sort();
    await expect.poll(delivered, { timeout: 60_000 }).toEqual(["soc mail assets.new_services", "soc mail assets.new_services", "soc mail finding.new", "soc webhook assets.new_services", "soc webhook assets.new_services", "soc webhook finding.new"]);
    await page.goto(`/projects/${slug}/notifications`);
    const log = page.getByRole("table", { name: "Delivery log" });
    await expect(log.locator('tr[data-status="delivered"]').filter({ hasText: "assets.new_services" })).toHaveCount(4);
    await expect(log.locator('tr[data-status="delivered"]').filter({ hasText: "finding.new" })).toHaveCount(2);
    await page.screenshot({ path: join(SHOTS, "notifications.png"), fullPage: true });

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
    const firstSaw = timeline.getByRole("listitem").filter({ has: page.getByRole("link", { name: `#${first.number}`, exact: true }) });
    await expect(firstSaw).toContainText(`${WEB}/tcp`);
    await expect(firstSaw).not.toContainText(`${store}/tcp`);
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

    // the project's PDF report, downloaded from its page: the new service and its finding in its text
    await page.goto(`/projects/${slug}`);
    const report = page.getByRole("form", { name: /^Report on / });
    await report.getByLabel("Report format").selectOption("pdf");
    const [download] = await Promise.all([page.waitForEvent("download"), report.getByRole("button", { name: "Download report" }).click()]);
    const text = await pdfText(await readFile(await download.path()));
    expect(text).toContain(service);
    expect(text).toContain("Database or cache reachable");

    // the list query: a group holds its conditions to one port, so only the second run matches;
    // the flat form's conditions each look on their own (the web port is open in both runs), as
    // the field's help says
    await page.goto(`/results?project=${slug}`);
    const query = page.getByLabel("Field query");
    const documents = page.getByRole("table", { name: "Documents" });
    const filter = async (q: string) => {
      await query.fill(q);
      await page.getByRole("button", { name: "Filter", exact: true }).click();
      await expect(page).toHaveURL((url) => url.searchParams.get("q") === q);
    };
    await filter(`hosts[].ports[] {port = ${store} and state = open}`);
    await expect(documents.locator("tbody tr")).toHaveCount(1);
    await expect(documents.getByRole("link", { name: `#${second.number}`, exact: true })).toBeVisible();
    await filter(`hosts.ports.port = ${store} and hosts.ports.state = open`);
    await expect(documents.locator("tbody tr")).toHaveCount(2);
    await expect(documents.getByRole("link", { name: `#${first.number}`, exact: true })).toBeVisible();
    await expect(page.locator("#rf-q-help")).toContainText("each condition on its own");
    const runsMatching = async (q: string) =>
      ((await (await page.request.get(`/api/results/documents?project=${slug}&q=${encodeURIComponent(q)}`)).json()) as { items: { runId: string }[] }).items.map((d) => d.runId);
    expect(await runsMatching(`hosts[].ports[] {port = ${store} and state = open}`)).toEqual([second.id]);
    expect((await runsMatching(`hosts.ports.port = ${store} and hosts.ports.state = open`)).sort()).toEqual([first.id, second.id].sort());

    // the API's triage is all or nothing: an id the project lacks is 404, named as a problem
    const res = await page.request.patch(`/api/projects/${slug}/findings`, { data: { ids: ["999999999"], state: "fixed", note: "" } });
    expect(res.status()).toBe(404);
    expect(((await res.json()) as { error: { code: string; problems?: { where: string }[] } }).error).toMatchObject({ code: "not_found", problems: [{ where: "999999999" }] });
  } finally {
    await target.close();
  }
});
