/**
 * CSV for exports: RFC 4180 quoting, and no cell a spreadsheet would run as a formula (text
 * starting with = + - @, tab or carriage return gets a leading '). Nested values are JSON text.
 * Pure.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  let text = typeof value === "string" ? value : JSON.stringify(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(cells: unknown[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/**
 * The value at a dotted path. Through an array the path reads every item (MongoDB's way), so
 * `ports.port` of `{ports: [{port: 22}, {port: 80}]}` is `[22, 80]`; missing is undefined.
 */
export function fieldValue(doc: unknown, path: string): unknown {
  let current: unknown[] = [doc];
  let spread = false;
  for (const key of path.split(".")) {
    const next: unknown[] = [];
    for (const v of current) {
      if (Array.isArray(v)) {
        spread = true;
        for (const item of v) if (item && typeof item === "object" && !Array.isArray(item) && Object.hasOwn(item, key)) next.push((item as Record<string, unknown>)[key]);
      } else if (v && typeof v === "object" && Object.hasOwn(v, key)) next.push((v as Record<string, unknown>)[key]);
    }
    current = next;
    if (!current.length) return undefined;
  }
  return spread ? current : current[0];
}
