/**
 * Text the hub cannot keep: PostgreSQL's text and jsonb refuse the NUL character, and an unpaired
 * UTF-16 surrogate has no UTF-8 form (JSON.parse accepts `"\ud800"`; every store after it does
 * not). Inputs holding either are refused at the boundary (routes, server actions) as a field
 * error, before any query is built, instead of failing deep inside as a 500.
 */

/** a high surrogate not followed by a low one, or a low one not preceded by a high one */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A key as a field error can name it: what cannot be stored becomes U+FFFD. */
const shown = (key: string) => key.replaceAll("\u0000", "\ufffd").replace(new RegExp(LONE_SURROGATE.source, "g"), "\ufffd");

/** The problem with one string, or null when the hub can store it. */
export function textProblem(s: string): string | null {
  if (s.includes("\u0000")) return "must not contain the NUL character (\\u0000)";
  if (LONE_SURROGATE.test(s)) return "must not contain an unpaired UTF-16 surrogate";
  return null;
}

/**
 * The first string in `value` (object keys included, and the names of uploaded files) that the hub
 * cannot store, as `{ path, problem }` with the path the way field errors name it (`args.port`,
 * `_` for the whole input); null when there is none. Iterative: a deeply nested body is no stack
 * overflow (its size is capped before it is parsed).
 */
export function unsafeText(value: unknown): { path: string; problem: string } | null {
  const at = (p: string[]) => p.join(".") || "_";
  const stack: [unknown, string[]][] = [[value, []]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      const problem = textProblem(v);
      if (problem) return { path: at(path), problem };
      continue;
    }
    if (typeof File !== "undefined" && v instanceof File) {
      const problem = textProblem(v.name);
      if (problem) return { path: at(path), problem: `file name ${problem}` };
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
    // pushed in reverse so the first field is looked at first
    for (const [key, x] of entries.reverse()) {
      const keyProblem = textProblem(key);
      if (keyProblem) return { path: at([...path, shown(key)]), problem: `field name ${keyProblem}` };
      stack.push([x, [...path, key]]);
    }
  }
  return null;
}
