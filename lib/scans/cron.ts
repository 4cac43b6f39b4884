/**
 * Schedules of saved scans (pure): standard 5-field cron expressions (or `@hourly`, `@daily`, …)
 * read by `cron-parser` in an IANA time zone. A field for seconds is refused unless it is `0`, so a
 * scan fires at most once a minute, the tick's own period.
 */
import { CronExpressionParser, type CronExpression } from "cron-parser";
import { invalidFields, validation } from "../errors.ts";
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

/** The five fields of a schedule, in order; a sixth in front is seconds (only `0`: at most once a minute). */
export const CRON_FIELDS = ["minute", "hour", "day of month", "month", "day of week"] as const;

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).replace(/^Constraint error, /, "");

/**
 * Every problem of a schedule at once, pure: the time zone's and, for the cron expression, each bad
 * field by name ("minute '99': got value 99 expected range 0-59; hour '25': …"), read one field at a
 * time with the others left open, then the whole (a day that never comes: "0 0 30 2 *"). Empty when
 * the schedule can fire.
 */
export function scheduleProblems(cron: string, tz: string): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!isTimeZone(tz)) problems.timezone = `unknown time zone '${typeof tz === "string" ? tz.slice(0, 64) : ""}': expected an IANA time zone such as UTC or Europe/Paris`;
  const text = typeof cron === "string" ? cron.trim() : "";
  if (!text) problems.cron = "expected a cron expression such as '0 3 * * *'";
  else if (text.length > MAX_CRON_LENGTH) problems.cron = `at most ${MAX_CRON_LENGTH} characters`;
  else {
    const cronProblem = cronFieldProblems(text);
    if (cronProblem) problems.cron = cronProblem;
  }
  return problems;
}

/** What is wrong with a cron expression (every field at once), or null. */
function cronFieldProblems(text: string): string | null {
  const fields = (ALIASES[text.toLowerCase()] ?? text).split(/\s+/);
  if (text.startsWith("@") && !ALIASES[text.toLowerCase()]) {
    if (text.toLowerCase() === "@secondly") return "at most once a minute: use 5 fields (minute hour day month weekday)";
    return `unknown shorthand '${text}': use ${Object.keys(ALIASES).slice(0, 6).join(", ")}… or 5 fields`;
  }
  if (fields.length < 5 || fields.length > 6) return `expected 5 fields (minute hour day month weekday), got ${fields.length}`;
  const [seconds, rest] = fields.length === 6 ? [fields[0], fields.slice(1)] : ["0", fields];
  const bad: string[] = [];
  if (seconds !== "0") bad.push(`seconds '${seconds}': at most once a minute: use 5 fields (minute hour day month weekday)`);
  rest.forEach((value, i) => {
    const probe = rest.map((v, j) => (j === i ? v : "*"));
    try {
      CronExpressionParser.parse(["0", ...probe].join(" "), { tz: "UTC", strict: false });
    } catch (err) {
      bad.push(`${CRON_FIELDS[i]} '${value}': ${errorText(err)}`);
    }
  });
  if (bad.length) return bad.join("; ");
  try {
    CronExpressionParser.parse(["0", ...rest].join(" "), { tz: "UTC", strict: false });
  } catch (err) {
    return `not a schedule: ${errorText(err)}`;
  }
  return null;
}

function parse(cron: string, tz: string, after: Date): CronExpression {
  const problems = scheduleProblems(cron, tz);
  if (Object.keys(problems).length) throw invalidFields(problems);
  return CronExpressionParser.parse(cron.trim(), { currentDate: after, tz, strict: false });
}

/** Throws a validation error naming the fields (`cron`, `timezone`: every problem at once) when the schedule cannot fire. */
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
