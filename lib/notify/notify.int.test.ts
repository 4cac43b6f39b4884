/**
 * Notifications on a real PostgreSQL and pg-boss: outbox events become signed webhook deliveries
 * retried through the queue against a flaky receiver (allow-listed 127.0.0.1), redirects are not
 * followed, private targets are refused when saved and when a name resolves to one at send time
 * (also one of several addresses: rebinding), e-mail reaches a local SMTP sink, user rules follow
 * membership, and the delivery log keeps codes and byte counts, never bodies.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import { startSmtpSink, type SmtpSink } from "../testing/smtp-sink.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../testing/webhook-receiver.ts";
import type { Viewer } from "../types.ts";
import type { Resolver } from "./transport.ts";

let hub: TestHub;
let flaky: WebhookReceiver;
let sink: SmtpSink;
let notifier: { stop(): Promise<void> };
let projectId: string;
const as = {} as Record<"owner" | "operator" | "other" | "admin", Viewer>;
const SLUG = "notified";

// names the tests resolve: one public-looking name that is private, one that rebinds
const NAMES: Record<string, string[]> = {
  "hooks.internal.test": ["10.0.0.5"],
  "rebind.test": ["93.184.216.34", "169.254.169.254"],
};
const resolve: Resolver = async (host) => (NAMES[host] ?? []).map((address) => ({ address, family: 4 }));

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  const { signUp } = await import("../accounts/users.ts");
  const { root, alice, bob } = await signUpTestUsers();
  const dave = await signUp({ email: "dave@example.org", username: "dave", password: "longenough" });
  Object.assign(as, { owner: alice, operator: bob, other: dave, admin: root });
  const { teamProject } = await import("../testing/projects.ts");
  projectId = await teamProject(alice, SLUG, [[bob, "operator"]]);
  flaky = await startWebhookReceiver({ failEvery: 2, respond: (req) => (req.url === "/moved" ? { status: 302, headers: { location: `${flaky.url}/elsewhere` } } : req.url === "/huge" ? { status: 200, body: "x".repeat(4 * 1024 * 1024) } : null) });
  sink = await startSmtpSink();
  const { updateSettings } = await import("../platform/settings.ts");
  await updateSettings({ notify: { allowHosts: [`127.0.0.1:${flaky.port}`], smtp: { host: "127.0.0.1", port: sink.port, security: "none", user: null, password: null, from: "levhub@example.org" } } });
  const { startNotifier } = await import("./notifier.ts");
  notifier = await startNotifier({ retry: { attempts: 4, delaySeconds: 1, maxDelaySeconds: 1 }, dispatchEveryMs: 100, pollingIntervalSeconds: 0.5, resolve });
});

after(async () => {
  await notifier?.stop();
  const { stopBoss } = await import("../queue/boss.ts");
  await stopBoss();
  await flaky?.close();
  await sink?.close();
  await hub?.close();
});

async function runFailed(number: number, message = "tool exited 1") {
  const { db } = await import("../platform/db.ts");
  const { recordProjectEvent } = await import("../events/events.ts");
  await db().$transaction((tx) => recordProjectEvent(tx, { projectId, type: "run.failed", data: { run: { id: `r${number}`, number, function: "nmap.scan", package: "szczecin/nmap" }, error: { type: "ToolError", message } } }));
}

async function deliveriesOf(ruleId: string) {
  const { db } = await import("../platform/db.ts");
  return db().notificationDelivery.findMany({ where: { ruleId }, orderBy: { createdAt: "asc" } });
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const body = (rule: Record<string, unknown>) => ({ name: "hook", events: ["run.failed"], minSeverity: null, ...rule });

test("a run.failed event reaches the webhook signed, retried past 503s, once per delivery id; the log has codes, not bodies", async () => {
  const { createProjectRule } = await import("./rules.ts");
  const { verifySignature } = await import("./signature.ts");
  const { secret, rule } = await createProjectRule(as.owner, SLUG, body({ channel: "webhook", url: `${flaky.url}/hook` }) as never);
  assert.ok(secret && secret.length >= 40, "the signing secret is shown once");
  for (let i = 1; i <= 6; i++) await runFailed(i);
  const rows = await until("six delivered", async () => {
    const d = await deliveriesOf(rule.id);
    return d.length === 6 && d.every((x) => x.status === "delivered") && d;
  });
  const hits = flaky.received.filter((h) => h.path === "/hook");
  const ok = hits.filter((h) => h.status === 204);
  assert.ok(hits.some((h) => h.status === 503), "the receiver failed some attempts");
  assert.deepEqual(new Set(ok.map((h) => h.headers["x-levhub-delivery"])), new Set(rows.map((r) => r.id)), "each delivery arrived once with its id");
  assert.equal(ok.length, 6);
  for (const h of hits) {
    assert.equal(h.headers["x-levhub-event"], "run.failed");
    assert.ok(verifySignature(secret!, String(h.headers["x-levhub-timestamp"]), h.body, String(h.headers["x-levhub-signature"])), "signature verifies");
    const payload = JSON.parse(h.body);
    assert.deepEqual(Object.keys(payload).sort(), ["data", "id", "occurredAt", "project", "type"]);
    assert.equal(payload.id, h.headers["x-levhub-delivery"]);
    assert.equal(payload.project.slug, SLUG);
  }
  const retried = rows.filter((r) => r.attempts > 1);
  assert.ok(retried.length > 0, "some needed more than one attempt");
  const { listProjectDeliveries } = await import("./rules.ts");
  const log = await listProjectDeliveries(as.owner, SLUG);
  assert.ok(log.every((d) => d.status === "delivered" && d.lastStatusCode === 204 && d.lastError === null));
  assert.ok(!JSON.stringify(log).includes("must not store"), "no response body in the log");
  await assert.rejects(listProjectDeliveries(as.operator, SLUG), { code: "forbidden" });
  await assert.rejects(listProjectDeliveries(as.other, SLUG), { code: "not_found" });
  const { db } = await import("../platform/db.ts");
  assert.equal(await db().projectEvent.count({ where: { projectId, deliveredAt: null } }), 0, "every event was dispatched");
});

test("a redirect is recorded as a failure and not followed; a dead letter stays in the log", async () => {
  const { createProjectRule, deleteProjectRule } = await import("./rules.ts");
  const { rule } = await createProjectRule(as.owner, SLUG, body({ name: "moved", channel: "webhook", url: `${flaky.url}/moved` }) as never);
  await runFailed(100);
  const [d] = await until("dead", async () => (await deliveriesOf(rule.id)).filter((x) => x.status === "dead").length === 1 && deliveriesOf(rule.id));
  assert.equal(d.lastStatusCode, 302);
  assert.match(d.lastError!, /redirect: not followed/);
  assert.equal(d.attempts, 1, "a redirect is not retried");
  assert.equal(flaky.received.filter((h) => h.path === "/elsewhere").length, 0);
  await deleteProjectRule(as.owner, SLUG, rule.id);
});

test("private, loopback and metadata targets are refused when saved and when the name resolves to one at send time", async () => {
  const { createProjectRule, deleteProjectRule } = await import("./rules.ts");
  for (const url of ["https://127.0.0.1/x", "https://169.254.169.254/latest", "https://[::ffff:10.0.0.1]/", `http://127.0.0.1:${flaky.port + 1}/`, "http://hooks.example.com/", "https://localhost/"]) {
    await assert.rejects(createProjectRule(as.owner, SLUG, body({ channel: "webhook", url }) as never), { code: "validation" }, url);
  }
  const made = [];
  for (const url of ["https://hooks.internal.test/x", "https://rebind.test/x"]) made.push((await createProjectRule(as.owner, SLUG, body({ name: url, channel: "slack", url }) as never)).rule);
  await runFailed(101);
  for (const rule of made) {
    const [d] = await until("refused", async () => (await deliveriesOf(rule.id)).filter((x) => x.status === "dead").length === 1 && deliveriesOf(rule.id));
    assert.match(d.lastError!, /^refused: .* resolves to (10\.0\.0\.5, private|169\.254\.169\.254, link-local or metadata)/);
    assert.equal(d.lastStatusCode, null);
    await deleteProjectRule(as.owner, SLUG, rule.id);
  }
});

test("e-mail reaches the SMTP sink; a user rule hears only projects its user is a member of", async () => {
  const { createMyRule } = await import("./rules.ts");
  const { rule: bobs } = await createMyRule(as.operator, body({ name: "mine", channel: "email", emails: ["bob@example.org"] }) as never);
  const { rule: daves } = await createMyRule(as.other, body({ name: "not mine", channel: "email", emails: ["dave@example.org"] }) as never);
  await runFailed(200, "the scan\r\nBcc: victim@example.org broke");
  await until("mailed", async () => (await deliveriesOf(bobs.id)).some((x) => x.status === "delivered"));
  const mail = sink.mails.find((m) => m.to.includes("bob@example.org"));
  assert.ok(mail);
  assert.match(mail.raw, /^Subject: \[Levhub\] run #200 \(nmap\.scan\) failed in /m);
  assert.doesNotMatch(mail.raw, /^Bcc:/im, "nothing in the event becomes a header");
  assert.ok(!sink.mails.some((m) => m.to.includes("victim@example.org")));
  assert.equal((await deliveriesOf(daves.id)).length, 0, "a non-member's rule hears nothing");
});

test("send test delivers once now and is logged as a test", async () => {
  const { createProjectRule, ruleForTest } = await import("./rules.ts");
  const { sendTest } = await import("./deliver.ts");
  const { rule } = await createProjectRule(as.owner, SLUG, body({ name: "probe", channel: "webhook", url: `${flaky.url}/probe` }) as never);
  const t = await ruleForTest(as.owner, rule.id, SLUG);
  const d = await sendTest(t.ruleId, t.projectId, t.project);
  assert.equal(d.test, true);
  assert.equal(d.attempts, 1);
  assert.ok(d.status === "delivered" || (d.status === "dead" && d.lastStatusCode === 503), "a test is one attempt");
  assert.equal(flaky.received.filter((h) => h.path === "/probe" && h.headers["x-levhub-event"] === "notify.test").length, 1);
  await assert.rejects(ruleForTest(as.operator, rule.id, SLUG), { code: "forbidden" });
});

test("a huge answer is counted up to the cap and never kept", async () => {
  const { createProjectRule, ruleForTest } = await import("./rules.ts");
  const { sendTest } = await import("./deliver.ts");
  const { RESPONSE_COUNT_CAP } = await import("./transport.ts");
  const { rule } = await createProjectRule(as.owner, SLUG, body({ name: "huge", channel: "webhook", url: `${flaky.url}/huge` }) as never);
  const t = await ruleForTest(as.owner, rule.id, SLUG);
  const d = await sendTest(t.ruleId, t.projectId, t.project);
  assert.equal(d.status, "delivered");
  assert.equal(d.lastStatusCode, 200);
  assert.ok(d.lastResponseBytes! > 0 && d.lastResponseBytes! <= RESPONSE_COUNT_CAP, `counted ${d.lastResponseBytes}`);
});
