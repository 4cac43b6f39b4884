/**
 * Schedules of saved scans (pure): standard 5-field cron expressions (or `@hourly`, `@daily`, …)
 * read by `cron-parser` in an IANA time zone. A field for seconds is refused unless it is `0`, so a
 * scan fires at most once a minute, the tick's own period.
 */
import { CronExpressionParser, type CronExpression } from "cron-parser";
import { validation } from "../errors.ts";
import { MAX_CRON_LENGTH } from "../schemas/scans.ts";

export const DEFAULT_TIMEZONE = "UTC";

/** true when `tz` names a time zone this runtime knows (`Europe/Paris`, `UTC`) */
export function isTimeZone(tz: string): boolean {
  if (typeof tz !== "string" || tz.length === 0 || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function parse(cron: string, tz: string, after: Date): CronExpression {
  if (!isTimeZone(tz)) throw validation(`unknown time zone '${tz}'`, { timezone: "expected an IANA time zone such as UTC or Europe/Paris" });
  const text = typeof cron === "string" ? cron.trim() : "";
  if (!text) throw validation("the schedule is empty", { cron: "expected a cron expression such as '0 3 * * *'" });
  if (text.length > MAX_CRON_LENGTH) throw validation("the schedule is too long", { cron: `at most ${MAX_CRON_LENGTH} characters` });
  let expr: CronExpression;
  try {
    expr = CronExpressionParser.parse(text, { currentDate: after, tz, strict: false });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw validation(`'${text}' is not a cron expression: ${why}`, { cron: `not a cron expression: ${why}` });
  }
  const seconds = expr.fields.second.values;
  if (seconds.length !== 1 || seconds[0] !== 0) {
    throw validation("a scan runs at most once a minute", { cron: "at most once a minute: use 5 fields (minute hour day month weekday)" });
  }
  return expr;
}

/** Throws a validation error naming the field (`cron` or `timezone`) when the schedule cannot fire. */
export function checkSchedule(cron: string, tz: string, now: Date = new Date()): void {
  nextFireTime(cron, tz, now);
}

/** The first time strictly after `after` at which the schedule fires. */
export function nextFireTime(cron: string, tz: string, after: Date): Date {
  const expr = parse(cron, tz, after);
  try {
    return expr.next().toDate();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw validation(`'${cron.trim()}' never fires: ${why}`, { cron: `never fires: ${why}` });
  }
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const ALIASES: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
  "@minutely": "* * * * *",
  "@weekdays": "0 0 * * 1-5",
  "@weekends": "0 0 * * 0,6",
};

const num = (s: string) => (/^\d{1,2}$/.test(s) ? Number(s) : null);
const hhmm = (h: number, m: number) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;

/**
 * The schedule in words for the common shapes ("every 15 minutes", "daily at 03:00",
 * "Mondays at 09:30"); anything else reads "custom schedule" (the cron text is shown beside it).
 */
export function describeCron(cron: string): string {
  const text = ALIASES[cron.trim().toLowerCase()] ?? cron.trim();
  const f = text.split(/\s+/);
  if (f.length === 6 && f[0] === "0") f.shift();
  if (f.length !== 5) return "custom schedule";
  const [min, hour, dom, month, dow] = f;
  if (month !== "*") return "custom schedule";
  const m = num(min);
  const h = num(hour);
  if (dom === "*" && dow === "*") {
    if (min === "*" && hour === "*") return "every minute";
    const step = /^\*\/(\d{1,2})$/.exec(min);
    if (step && hour === "*") return `every ${Number(step[1])} minutes`;
    if (m !== null && hour === "*") return m === 0 ? "hourly" : `hourly at :${String(m).padStart(2, "0")}`;
    const hstep = /^\*\/(\d{1,2})$/.exec(hour);
    if (m !== null && hstep) return `every ${Number(hstep[1])} hours at :${String(m).padStart(2, "0")}`;
    if (m !== null && h !== null) return `daily at ${hhmm(h, m)}`;
    return "custom schedule";
  }
  if (m === null || h === null) return "custom schedule";
  if (dom === "*") {
    if (dow === "1-5") return `weekdays at ${hhmm(h, m)}`;
    const d = num(dow);
    if (d !== null && d <= 7) return `${DAYS[d % 7]}s at ${hhmm(h, m)}`;
    return "custom schedule";
  }
  const d = num(dom);
  if (dow === "*" && d !== null) return `monthly on day ${d} at ${hhmm(h, m)}`;
  return "custom schedule";
}
