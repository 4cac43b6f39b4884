/**
 * Templates of a finding mapping (pure): text with `{path}` placeholders, `{{` and `}}` for the
 * braces themselves (`"Cleartext {hosts[].ports[].service} on {hosts[].ports[].port}"`). A
 * placeholder reads its path in the item's context (paths.ts); several values are joined with
 * ", ", a missing one is empty, an object or list is its JSON.
 */
import { parsePath, readValues, type Context } from "./paths.ts";

export type TemplatePart = { text: string } | { path: string };

const TOKEN = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g;

export function parseTemplate(t: string): { ok: true; parts: TemplatePart[] } | { ok: false; problem: string } {
  const parts: TemplatePart[] = [];
  let text = "";
  let last = 0;
  for (const m of t.matchAll(TOKEN)) {
    text += t.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[0] === "{{" || m[0] === "}}") {
      text += m[0][0];
      continue;
    }
    if (m[1] === undefined) return { ok: false, problem: `a lone '${m[0]}' (write '${m[0]}${m[0]}' for the character)` };
    if (parsePath(m[1], "field") === null) return { ok: false, problem: `{${m[1]}} is not a field path` };
    if (text) parts.push({ text });
    text = "";
    parts.push({ path: m[1] });
  }
  text += t.slice(last);
  if (text) parts.push({ text });
  return { ok: true, parts };
}

function valueText(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || typeof v === "number" || typeof v === "boolean") return String(v);
  try {
    return JSON.stringify(v) ?? "";
  } catch {
    return "";
  }
}

/** Values one placeholder shows at most (a path through a hostile list reads no further). */
const MAX_VALUES = 20;

/** The template with each placeholder replaced by what its path reads in `ctx` (the caller cuts it to size). */
export function renderTemplate(parts: readonly TemplatePart[], ctx: Context): string {
  return parts
    .map((p) =>
      "text" in p
        ? p.text
        : readValues(p.path, ctx)
            .slice(0, MAX_VALUES)
            .map((v) => valueText(v.value).slice(0, 1000))
            .join(", "),
    )
    .join("");
}
