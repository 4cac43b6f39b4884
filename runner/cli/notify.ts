/**
 * `lev notify list|add|test|log`: notification rules through the hub's HTTP API — a project's
 * (`--project`, its owners) or the caller's own. The hub checks events, severities, URLs and
 * addresses; the CLI passes them on and prints what comes back (a webhook's secret once).
 */
import { parseArgs } from "node:util";
import { api, CliError, loadConfig, type HubConfig } from "./hub.ts";

export const NOTIFY_USAGE = `  lev notify list [--project <slug>] [--json]
      Notification rules: the project's (owners), or your own over every project you are a member of.
  lev notify add [--project <slug>] --name <name> --events run.failed,finding.new,… [--min-severity high]
                 (--webhook <https url> | --slack <https url> | --email <a@x,b@y>) [--json]
      Adds a rule; a webhook's signing secret is printed this once.
  lev notify test <rule id> [--project <slug>] [--json]
      Sends a test notification through the rule now and prints the outcome.
  lev notify log [--project <slug>] [--json]
      The delivery log: status, attempts, last status code, next retry.`;

export class NotifyUsageError extends Error {}

interface RuleRow {
  id: string;
  name: string;
  channel: string;
  target: string;
  events: string[];
  minSeverity: string | null;
}
interface DeliveryRow {
  id: string;
  rule: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
}

const base = (project: string | undefined) => (project ? `/api/projects/${encodeURIComponent(project)}/notifications` : "/api/me/notifications");

export function rulesText(rules: RuleRow[]): string {
  if (!rules.length) return "no notification rules";
  return rules.map((r) => `${r.id}  ${r.name}  ${r.channel} → ${r.target}  on ${r.events.join(", ")}${r.minSeverity ? ` (≥ ${r.minSeverity})` : ""}`).join("\n");
}

export function deliveryText(d: DeliveryRow): string {
  const code = d.lastStatusCode === null ? "" : ` ${d.lastStatusCode}`;
  const next = d.status === "retrying" && d.nextAttemptAt ? ` next ${d.nextAttemptAt.slice(0, 19).replace("T", " ")}` : "";
  return `${d.createdAt.slice(0, 19).replace("T", " ")}  ${d.rule}  ${d.eventType}  ${d.status}${code}  ${d.attempts} attempt${d.attempts === 1 ? "" : "s"}${next}${d.lastError ? `  (${d.lastError})` : ""}`;
}

export async function notifyCommand(args: string[], out: (v: unknown) => void, cfg?: HubConfig): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      project: { type: "string" }, name: { type: "string" }, events: { type: "string" }, "min-severity": { type: "string" },
      webhook: { type: "string" }, slack: { type: "string" }, email: { type: "string" }, json: { type: "boolean", default: false },
    },
  });
  const route = base(values.project);
  const hub = async () => cfg ?? (await loadConfig());
  switch (sub) {
    case "list": {
      if (positionals.length) throw new NotifyUsageError("notify list takes no arguments");
      const { rules } = await api<{ rules: RuleRow[] }>(await hub(), "GET", route);
      out(values.json ? rules : rulesText(rules));
      return 0;
    }
    case "add": {
      const channels = (["webhook", "slack", "email"] as const).filter((c) => values[c] !== undefined);
      if (channels.length !== 1) throw new NotifyUsageError("notify add takes one of --webhook, --slack or --email");
      if (!values.name || !values.events) throw new NotifyUsageError("notify add needs --name and --events");
      const channel = channels[0];
      const body = {
        name: values.name,
        events: values.events.split(",").map((e) => e.trim()).filter(Boolean),
        minSeverity: values["min-severity"] ?? null,
        channel,
        ...(channel === "email" ? { emails: values.email!.split(",").map((e) => e.trim()).filter(Boolean) } : { url: values[channel] }),
      };
      const created = await api<{ secret: string | null; rule: RuleRow }>(await hub(), "POST", route, body);
      if (!created?.rule) throw new CliError("the hub did not answer with the rule");
      out(values.json ? created : `${rulesText([created.rule])}${created.secret ? `\nsigning secret (shown this once): ${created.secret}` : ""}`);
      return 0;
    }
    case "test": {
      if (positionals.length !== 1) throw new NotifyUsageError("notify test takes the rule's id");
      const d = await api<DeliveryRow>(await hub(), "POST", `${route}/${encodeURIComponent(positionals[0])}/test`, {});
      out(values.json ? d : deliveryText(d));
      return d.status === "delivered" ? 0 : 1;
    }
    case "log": {
      const { deliveries } = await api<{ deliveries: DeliveryRow[] }>(await hub(), "GET", `${route}/deliveries`);
      out(values.json ? deliveries : deliveries.length ? deliveries.map(deliveryText).join("\n") : "no deliveries");
      return 0;
    }
    default:
      throw new NotifyUsageError(`notify takes list, add, test or log${sub ? `, not '${sub}'` : ""}`);
  }
}
