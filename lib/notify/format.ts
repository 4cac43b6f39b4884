/**
 * What a notification says (pure): the webhook's JSON, a Slack-compatible message and an e-mail's
 * subject and text, all from one event. Event data is the outbox's (checked when it was written)
 * but names in it come from scans and tools: nothing here lets them reach a header or markup.
 */

export interface NotificationEvent {
  /** the delivery's id: the webhook's `id` and the idempotency key */
  id: string;
  type: string;
  project: { slug: string; name: string };
  occurredAt: string;
  data: unknown;
}

export function webhookBody(e: NotificationEvent): string {
  return JSON.stringify({ id: e.id, type: e.type, project: e.project, occurredAt: e.occurredAt, data: e.data });
}

/** One line of text without line breaks or control characters, cut to `max`. */
export function oneLine(s: unknown, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const t = String(s ?? "").replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

type Data = { run?: { number?: number; function?: string }; count?: number; error?: { type?: string; message?: string } | null; findings?: { title?: string; severity?: string; asset?: string }[]; services?: { address?: string; port?: number; protocol?: string; service?: string | null }[] };

/** The summary line: what happened, where. */
export function summary(e: NotificationEvent): string {
  const d = (e.data ?? {}) as Data;
  const run = d.run?.number !== undefined ? `run #${d.run.number}` : "a run";
  const where = `in ${oneLine(e.project.name, 80)}`;
  switch (e.type) {
    case "run.failed":
      return `${run} (${oneLine(d.run?.function, 80)}) failed ${where}${d.error ? `: ${oneLine(d.error.type, 40)}` : ""}`;
    case "finding.new":
      return `${run} found ${d.count ?? 0} new finding(s) ${where}`;
    case "finding.reopened":
      return `${run} saw ${d.count ?? 0} fixed finding(s) again ${where}`;
    case "assets.new_services":
      return `${run} saw ${d.count ?? 0} new service(s) ${where}`;
    case "notify.test":
      return `a test notification from Levhub ${where}`;
    default:
      return `${oneLine(e.type, 40)} ${where}`;
  }
}

/** Up to ten lines of detail (findings, services or the error). */
export function details(e: NotificationEvent): string[] {
  const d = (e.data ?? {}) as Data;
  if (Array.isArray(d.findings)) return d.findings.slice(0, 10).map((f) => `[${oneLine(f?.severity, 10)}] ${oneLine(f?.title, 120)} — ${oneLine(f?.asset, 80)}`);
  if (Array.isArray(d.services)) return d.services.slice(0, 10).map((s) => `${oneLine(s?.address, 60)}:${Number(s?.port)}/${oneLine(s?.protocol, 6)}${s?.service ? ` ${oneLine(s.service, 40)}` : ""}`);
  if (d.error?.message) return [oneLine(d.error.message, 500)];
  return [];
}

/** Slack's `&`, `<` and `>` are markup: escaped so a finding's title cannot make a link or a mention. */
const slackEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function slackBody(e: NotificationEvent): string {
  const head = slackEscape(summary(e));
  const lines = details(e).map(slackEscape);
  const blocks: unknown[] = [{ type: "section", text: { type: "mrkdwn", text: `*Levhub:* ${head}` } }];
  if (lines.length) blocks.push({ type: "section", text: { type: "plain_text", text: lines.join("\n").slice(0, 2900) } });
  return JSON.stringify({ text: `Levhub: ${head}`, blocks });
}

export function emailContent(e: NotificationEvent): { subject: string; text: string } {
  const text = [summary(e), "", ...details(e), "", `Project: ${oneLine(e.project.slug, 80)}`, `Event: ${oneLine(e.type, 40)} at ${e.occurredAt}`, `Delivery: ${e.id}`].join("\n");
  return { subject: oneLine(`[Levhub] ${summary(e)}`, 180), text };
}
